import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema, HealthResponseSchema } from '@tradepay/shared';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      // Polled by start-up scripts and load balancers: their requests are not worth a log line each.
      logLevel: 'warn',
      schema: { tags: ['health'], summary: 'Liveness and store check', response: { 200: HealthResponseSchema, 503: ErrorResponseSchema } },
    },
    async () => {
      await app.store.ping();
      return { status: 'ok' as const, store: 'ok' as const };
    },
  );
};
