/**
 * One id through a payment: `x-request-id` is taken from the caller when it is a plain token (the mini
 * program and the H5 page send one per payment attempt), made otherwise, echoed on the response and
 * on every log line of the request (pino's `reqId`). Gateway calls made while handling the request log
 * it beside their `reqMsgId`; in sandbox mode they also carry it to the sandbox, whose log lines then
 * show the same id. Live gateways get only the headers their documentation names.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
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

const current = new AsyncLocalStorage<string>();

/** The id of the request being handled, if any (the reconciler's calls have none). */
export function currentRequestId(): string | undefined {
  return current.getStore();
}

/** Runs each request's handling inside its id's context, and echoes the id. */
export const requestIdPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      current.run(request.id, done);
    });
  },
  { name: 'tradepay-request-id' },
);

/**
 * The fetch the channels' transport uses: logs each gateway call with the request id and the
 * AlipayHK `reqMsgId` of its body, and (`forward`, sandbox mode) sends the id along.
 */
export function createRequestIdFetch(options: { log: FastifyBaseLogger; forward: boolean; fetch?: typeof fetch }): typeof fetch {
  const base = options.fetch ?? fetch;
  return (input, init) => {
    const reqId = currentRequestId();
    const body = typeof init?.body === 'string' ? init.body : '';
    const reqMsgId = /"reqMsgId":"([^"\\]{1,64})"/.exec(body)?.[1];
    const url = new URL(input instanceof Request ? input.url : String(input));
    options.log.info({ reqId, ...(reqMsgId ? { reqMsgId } : {}), gatewayPath: url.pathname }, 'gateway call');
    if (!options.forward || reqId === undefined) return base(input, init);
    const headers = new Headers(init?.headers);
    headers.set(REQUEST_ID_HEADER, reqId);
    return base(input, { ...init, headers });
  };
}
