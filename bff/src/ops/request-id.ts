/**
 * One id through a payment: `x-request-id` is taken from the caller when it is a plain token (the mini
 * program and the H5 page send one per payment attempt), made otherwise, echoed on the response and
 * on every log line of the request (pino's `reqId`). Routes pass `request.id` down explicitly, as a
 * GatewayCall (payments/channel.ts), through the services and the channel ports to the gateway
 * transport, which logs each call with it beside its `reqMsgId` and, in sandbox mode, sends it along,
 * so the sandbox's lines show the same id. Live gateways get only the headers their documentation
 * names. No AsyncLocalStorage: its promise hooks cost every promise in the process.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, at most 128: safe in a log line and a header. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function parseRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value) ? value : undefined;
}

/** Fastify's genReqId: the caller's id when acceptable, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  return parseRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
}

/** Echoes the id on every response. */
export const requestIdPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
  },
  { name: 'tradepay-request-id' },
);
