/** Service wiring: the store, catalog, channels and the payment services built over them, from config and test doubles. */
import type { FastifyBaseLogger } from 'fastify';
import type { BuyerIdentityProvider } from '../auth/identity';
import { loadCatalog, type Catalog } from '../catalog/catalog';
import { createAutoDebitGateway, createBuyerIdentity, createChannelRegistry, type ChannelDeps } from '../channels/registry';
import type { Config } from '../config';
import { createMetrics, type Metrics } from '../ops/metrics';
import type { AgreementGateway } from '../payments/agreement-gateway';
import { createAgreementService, type AgreementService } from '../payments/agreements';
import type { ChannelRegistry } from '../payments/channel';
import { createOrderService, type OrderService } from '../payments/order-service';
import { createReconciler, type Reconciler } from '../payments/reconciler';
import { createRefundService, type RefundService } from '../payments/refund-service';
import { createTokenCipher } from '../payments/token-cipher';
import { openStore, type Store } from '../store';

export interface ServiceDeps extends ChannelDeps {
  store?: Store;
  catalog?: Catalog;
  channels?: ChannelRegistry;
  identity?: BuyerIdentityProvider;
  /** Auto-debit's wallet; default: AlipayHK agreements over the alipayhk channel. */
  agreementGateway?: AgreementGateway | null;
  /** Makes backoff waits instant in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Services {
  metrics: Metrics;
  /** The store as opened (closed on shutdown when buildApp opened it). */
  rawStore: Store;
  /** The store with metrics. */
  store: Store;
  catalog: Catalog;
  channels: ChannelRegistry;
  orders: OrderService;
  refunds: RefundService;
  reconciler: Reconciler;
  identity: BuyerIdentityProvider;
  agreements: AgreementService;
}

export async function createServices(config: Readonly<Config>, deps: ServiceDeps, log: FastifyBaseLogger): Promise<Services> {
  const clock = deps.now ? { now: deps.now } : {};
  const sleep = deps.sleep ? { sleep: deps.sleep } : {};
  const metrics = createMetrics(clock);
  const rawStore =
    deps.store ?? (await openStore(config.databaseUrl, { poolSize: config.databasePoolSize, sqliteWriter: config.sqliteWriter, log }));
  const store = metrics.instrumentStore(rawStore);
  const catalog = deps.catalog ?? loadCatalog(config.catalogFile);
  const channels =
    deps.channels ??
    createChannelRegistry(config, {
      ...deps,
      // Each gateway call logged with its request id; the id goes to the gateway in sandbox mode only.
      callLog: { logger: log, forwardRequestId: config.sandboxMode },
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
    ...clock,
    ...sleep,
    log,
  });
  const refunds = createRefundService({ store, channels, ...clock, ...sleep, log });
  const reconciler = createReconciler({
    store,
    orders,
    refunds,
    channels,
    ratePerSecond: config.reconcileRatePerSecond,
    ...clock,
    ...sleep,
    log,
  });
  const identity = deps.identity ?? createBuyerIdentity(config, channels);
  const agreements = createAgreementService({
    store,
    catalog,
    orders,
    gateway: config.autoDebit
      ? deps.agreementGateway !== undefined
        ? deps.agreementGateway
        : createAutoDebitGateway(config, channels)
      : null,
    cipher: config.autoDebit ? createTokenCipher(config.autoDebit.tokenKey) : null,
    redirectUrl: `${config.publicUrl}/api/agreements/return`,
    dailyCap: config.autoDebit?.dailyCap ?? 0,
    currency: config.autoDebit?.currency ?? 'HKD',
    orderTtlMs: config.orderTtlMs,
    ...clock,
    log,
  });
  return { metrics, rawStore, store, catalog, channels, orders, refunds, reconciler, identity, agreements };
}
