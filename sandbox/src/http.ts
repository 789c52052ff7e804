/**
 * The sandbox's HTTP shell: one Fastify app with its logging, strict body parsing and error answers,
 * and the URLs callers reach it at. `buildSandbox` (./app) puts the gateways' routes on it.
 */
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { SandboxInputError } from './errors';

export type SandboxLogger = boolean | { level?: string; stream?: NodeJS.WritableStream };

/** A Fastify app that does not listen yet: refusals answered as `{error, message}`, 5xx logged. */
export function createSandboxHttp(logger: SandboxLogger | undefined): FastifyInstance {
  const app = Fastify({
    // The intents token call carries its client secret in the query string: never logged.
    logger: logger
      ? {
          ...(typeof logger === 'object' ? logger : {}),
          serializers: {
            req: (req: { method?: string; url?: string }) => ({
              method: req.method,
              url: (req.url ?? '').replace(/([?&]client_secret=)[^&]*/g, '$1[Redacted]'),
            }),
          },
        }
      : false,
    // The BFF (sandbox mode) sends the payment's x-request-id: the sandbox's log lines carry it as reqId.
    requestIdHeader: 'x-request-id',
    bodyLimit: 1024 * 1024,
    // Refuse unknown fields instead of silently stripping them; never coerce types.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  app.setErrorHandler((error: FastifyError | SandboxInputError, request, reply) => {
    if (error instanceof SandboxInputError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: error.code ?? 'BAD_REQUEST', message: error.message });
    request.log.error({ err: error }, 'sandbox error');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal sandbox error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` }),
  );
  return app;
}

export function baseUrl(app: FastifyInstance): string | undefined {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return undefined;
  return `http://127.0.0.1:${address.port}`;
}

const HOST_HEADER = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Where callers reach the sandbox: its own address once listening, else (inject) the Host header. */
export function siteUrl(app: FastifyInstance, host: string | undefined): string {
  return baseUrl(app) ?? (host !== undefined && HOST_HEADER.test(host) ? `http://${host}` : 'http://127.0.0.1');
}
