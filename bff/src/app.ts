/**
 * buildApp(config, deps) → a Fastify instance with every plugin and route registered, explicitly.
 * No socket is opened here: tests call it with `app.inject()`; server.ts is the only place that listens.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { loadCatalog, type Catalog } from './catalog/catalog';
import type { BuyerIdentityProvider } from './auth/identity';
import { buyerRateLimit } from './auth/rate-limit';
import { sessionPlugin } from './auth/session';
import { securityHeaders } from './security-headers';
import { createAutoDebitGateway, createBuyerIdentity, createChannelRegistry, type ChannelDeps } from './channels/registry';
import type { Config } from './config';
import { AppError, ERROR_CODES } from './errors';
import type { ChannelRegistry } from './payments/channel';
import { createOrderService, type OrderService } from './payments/order-service';
import { createAgreementService, type AgreementService } from './payments/agreement-service';
import type { AgreementGateway } from './payments/agreement-gateway';
import { createTokenCipher } from './payments/token-cipher';
import { createReconciler, type Reconciler } from './payments/reconciler';
import { createRefundService, type RefundService } from './payments/refund-service';
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
import { createMetrics } from './ops/metrics';
import { createRequestIdFetch, requestIdOf, requestIdPlugin } from './ops/request-id';
import { openStore, type Store } from './store';

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<Config>;
    store: Store;
    catalog: Catalog;
    channels: ChannelRegistry;
    orders: OrderService;
    refunds: RefundService;
    reconciler: Reconciler;
    identity: BuyerIdentityProvider;
    agreements: AgreementService;
  }
}

export interface AppDeps extends ChannelDeps {
  store?: Store;
  catalog?: Catalog;
  channels?: ChannelRegistry;
  identity?: BuyerIdentityProvider;
  /** Auto-debit's wallet; default: AlipayHK agreements over the alipayhk channel. */
  agreementGateway?: AgreementGateway | null;
  /** Makes backoff waits instant in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** A pino-compatible destination for tests that capture logs. */
  logStream?: NodeJS.WritableStream;
  logger?: FastifyBaseLogger | boolean;
}

/** Paths pino replaces with [Redacted]: credentials, keys, signatures, tokens. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.signature',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.orderStr',
  '*.privateKey',
  '*.apiKey',
  '*.clientSecret',
  'payment.orderStr',
  'body.signature',
];

export async function buildApp(config: Readonly<Config>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
            // The request line, with one-time credentials in query strings (the wallet's authCode and state) masked.
            serializers: { req: requestLogValue },
            ...(deps.logStream ? { stream: deps.logStream } : {}),
            // A terminal's form (pnpm start); redaction happens before it, so it hides the same secrets.
            ...(!deps.logStream && config.logFormat === 'pretty'
              ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true } } }
              : {}),
          },
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

  const metrics = createMetrics(deps.now ? { now: deps.now } : {});
  const rawStore = deps.store ?? (await openStore(config.databaseUrl, { poolSize: config.databasePoolSize }));
  const store = metrics.instrumentStore(rawStore);
  const catalog = deps.catalog ?? loadCatalog(config.catalogFile);
  const channels =
    deps.channels ??
    createChannelRegistry(config, {
      ...deps,
      fetch: createRequestIdFetch({ log: app.log, forward: config.sandboxMode, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
      observeGateway: (event) => {
        metrics.gatewayCall(event);
        deps.observeGateway?.(event);
      },
    });
  const orders = createOrderService({
    store,
    catalog,
    channels,
    defaultChannel: 'alipayhk',
    orderTtlMs: config.orderTtlMs,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    log: app.log,
  });
  const refunds = createRefundService({
    store,
    channels,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    log: app.log,
  });
  const reconciler = createReconciler({
    store,
    orders,
    refunds,
    channels,
    ratePerSecond: config.reconcileRatePerSecond,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    log: app.log,
  });
  const identity = deps.identity ?? createBuyerIdentity(config, channels);
  const agreements = createAgreementService({
    store,
    catalog,
    orders,
    gateway: config.autoDebit ? (deps.agreementGateway !== undefined ? deps.agreementGateway : createAutoDebitGateway(config, channels)) : null,
    cipher: config.autoDebit ? createTokenCipher(config.autoDebit.tokenKey) : null,
    redirectUrl: `${config.publicUrl}/api/agreements/return`,
    dailyCap: config.autoDebit?.dailyCap ?? 0,
    currency: config.autoDebit?.currency ?? 'HKD',
    orderTtlMs: config.orderTtlMs,
    ...(deps.now ? { now: deps.now } : {}),
    log: app.log,
  });
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

  app.setErrorHandler((error, request, reply) => {
    const { code, statusCode, message } = toErrorBody(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, message }, 'request rejected');
    return reply.code(statusCode).send({ error: { code, message }, requestId: request.id });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: ERROR_CODES.NOT_FOUND.message }, requestId: request.id }),
  );

  await app.register(securityHeaders, { hsts: config.publicUrl.startsWith('https://') });
  await app.register(swagger, {
    openapi: {
      info: { title: 'TradePay BFF', version: '1.0.0', description: 'Contract v1: AlipayHK mini program checkout' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Mini programs call through my.request (no CORS); the H5 page is same-origin. Allow no other origin.
  await app.register(cors, { origin: false });

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

/** Query parameters whose values are credentials: masked in the logged request URL. */
export const REDACTED_QUERY_PARAMS = ['authCode', 'auth_code', 'state', 'code', 'token', 'accessToken', 'refreshToken'];

function requestLogValue(req: { method?: string; url?: string; headers?: Record<string, unknown>; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: redactUrl(req.url ?? ''),
    version: req.headers?.['accept-version'] as string | undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return REDACTED_QUERY_PARAMS.includes(decoded) ? `${name}=[Redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message: string;
}

function toErrorBody(error: unknown): { code: string; statusCode: number; message: string } {
  if (error instanceof AppError) return { code: error.code, statusCode: error.statusCode, message: error.message };
  const e = error as FastifyLikeError;
  if (e.validation) return { code: 'VALIDATION_FAILED', statusCode: 400, message: e.message };
  if (e.statusCode === 429) return { code: 'RATE_LIMITED', statusCode: 429, message: e.message || ERROR_CODES.RATE_LIMITED.message };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { code: 'BODY_TOO_LARGE', statusCode: 413, message: ERROR_CODES.BODY_TOO_LARGE.message };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { code: 'UNSUPPORTED_MEDIA_TYPE', statusCode: 415, message: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE.message };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { code: 'VALIDATION_FAILED', statusCode: e.statusCode, message: e.message };
  }
  return { code: 'INTERNAL', statusCode: 500, message: ERROR_CODES.INTERNAL.message };
}
