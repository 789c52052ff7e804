/**
 * buildApp(config, deps) → a Fastify instance with every plugin and route registered, explicitly.
 * No socket is opened here: tests call it with `app.inject()`; server.ts is the only place that listens.
 * It only composes: logging (app/logging.ts), error mapping (app/error-handler.ts) and the services
 * (app/services.ts) live in their own modules.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { buyerRateLimit } from './auth/rate-limit';
import { sessionPlugin } from './auth/session';
import { securityHeaders } from './security-headers';
import type { Config } from './config';
import { installErrorHandlers } from './app/error-handler';
import { loggerOptions, requestLogger, type LoggingDeps } from './app/logging';
import { createServices, type ServiceDeps, type Services } from './app/services';
import { adminRoutes } from './routes/admin';
import { agreementRoutes } from './routes/agreements';
import { sessionRoutes } from './routes/session';
import { catalogRoutes } from './routes/catalog';
import { healthRoutes } from './routes/health';
import { notifyRoutes } from './routes/notify';
import { h5Routes } from './routes/h5';
import { orderRoutes } from './routes/orders';
import { landingRoutes } from './routes/landing';
import { metricsRoutes } from './routes/metrics';
import { requestIdOf, requestIdPlugin } from './ops/request-id';

export { REDACT_PATHS, REDACTED_QUERY_PARAMS } from './app/logging';

declare module 'fastify' {
  /** The services buildApp decorates the instance with (app/services.ts), and the config. */
  interface FastifyInstance extends Omit<Services, 'metrics' | 'rawStore'> {
    config: Readonly<Config>;
  }
}

export interface AppDeps extends ServiceDeps, LoggingDeps {}

export async function buildApp(config: Readonly<Config>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, deps),
    // Each request's child logger made only when the request writes a line (app/logging.ts).
    ...(deps.logger === false ? {} : { childLoggerFactory: requestLogger }),
    // The caller's x-request-id when it is a plain token, else a fresh one (ops/request-id.ts).
    genReqId: requestIdOf,
    // request.ip (the rate-limit key before sign-in) is the socket's peer unless TRUST_PROXY names the proxies.
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    // Slow or stalled clients must not hold sockets forever.
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    ajv: {
      // Reject, never silently drop, what the schema does not allow; never coerce types.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const services = await createServices(config, deps, app.log);
  const { metrics, rawStore, store, catalog, channels, orders, refunds, reconciler, identity, agreements } = services;

  // The API speaks JSON only; notification routes install their own raw parser in their scope.
  app.removeContentTypeParser('text/plain');
  // `my.request` sends `content-type: application/json` on every call, body or not
  // (https://miniprogram.alipay.com/docs/miniprogram/mpdev/api_network_request): an empty body under a
  // JSON content type is "nothing to say" (`{}`), not a 400. Anything else goes to Fastify's own (safe) JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, {});
    return parseJson(request, text, done);
  });
  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('catalog', catalog);
  app.decorate('channels', channels);
  app.decorate('orders', orders);
  app.decorate('refunds', refunds);
  app.decorate('reconciler', reconciler);
  app.decorate('identity', identity);
  app.decorate('agreements', agreements);
  // Stop background work before the store closes.
  app.addHook('onClose', async () => reconciler.stop());
  if (!deps.store) app.addHook('onClose', async () => rawStore.close());

  installErrorHandlers(app);

  await app.register(securityHeaders, { hsts: config.publicUrl.startsWith('https://') });
  await app.register(swagger, {
    openapi: {
      info: { title: 'TradePay BFF', version: '1.0.0', description: 'Contract v1: AlipayHK mini program checkout' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Mini programs call through my.request (no CORS); the H5 page is same-origin. Allow no other origin:
  // no answer carries an Access-Control-* header, and a preflight is an unknown route (as with
  // a CORS plugin set to `origin: false`, without a hook on every request).
  app.options('*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());

  await app.register(sessionPlugin, { secret: config.sessionSecret, ttlSeconds: config.sessionTtlSeconds, adminToken: config.adminToken });

  await app.register(requestIdPlugin);
  await app.register(healthRoutes);
  await app.register(landingRoutes);
  await app.register(metricsRoutes, { metrics });
  // Buyer-facing routes share one rate limit, keyed by the verified session's buyer (or the IP
  // otherwise). Notification routes stay outside this scope: a verified gateway is never throttled.
  await app.register(async (buyerScope) => {
    await buyerScope.register(buyerRateLimit, { perMinute: config.rateLimitPerMinute, signInPerMinute: config.sessionRateLimitPerMinute });
    await buyerScope.register(catalogRoutes);
    await buyerScope.register(sessionRoutes);
    await buyerScope.register(orderRoutes);
    await buyerScope.register(agreementRoutes);
  });
  await app.register(adminRoutes);
  await app.register(notifyRoutes);
  // The mobile-browser checkout pages (H5 channel), with their own security headers.
  await app.register(h5Routes);
  return app;
}
