/**
 * `GET /metrics`: Prometheus text format. Bearer METRICS_TOKEN when set, else ADMIN_TOKEN (compared
 * through SHA-256, so in constant time). Also counts rejected notifications, by the notify route's
 * error hook, so the notify route itself stays unaware of metrics.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { AppError, NotificationRejectedError } from '../errors';
import type { Metrics } from '../ops/metrics';

const digest = (text: string) => createHash('sha256').update(text).digest();

export const metricsRoutes = fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    const token = app.config.metricsToken ?? app.config.adminToken;
    const expected = token ? digest(token) : null;
    const variable = app.config.metricsToken ? 'METRICS_TOKEN' : 'ADMIN_TOKEN';

    app.get(
      '/metrics',
      { schema: { tags: ['ops'], summary: `Prometheus metrics (Bearer $METRICS_TOKEN, or $ADMIN_TOKEN when unset)` } },
      async (request, reply) => {
        const header = request.headers.authorization ?? '';
        const given = header.startsWith('Bearer ') ? header.slice(7) : '';
        if (!expected || given.length === 0 || !timingSafeEqual(digest(given), expected)) {
          throw new AppError('UNAUTHORIZED', `/metrics needs Authorization: Bearer $${variable}`);
        }
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    );

    app.addHook('onError', async (request, _reply, error) => {
      if (request.routeOptions.url !== '/notify/:channel' || !(error instanceof NotificationRejectedError)) return;
      const channel = (request.params as { channel?: string }).channel;
      metrics.notificationRejected(channel === 'intents' ? 'h5' : String(channel), error.reason);
    });
  },
  { name: 'tradepay-metrics' },
);
