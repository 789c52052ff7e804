/**
 * Prometheus metrics (`GET /metrics`, prom-client), one registry per app. The payment domain reports
 * nothing itself: orders, transitions, notifications and refunds are counted where they are committed,
 * by wrapping the Store port; rejected notifications by the notify route's error hook; gateway calls
 * by the channels' transport observer. The store's write calls are timed as the commit latency.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store';

/** What the gateway transport reports for each call. */
export interface GatewayCallReport {
  gateway: string;
  name: string;
  outcome: string;
  durationMs: number;
}

export interface Metrics {
  registry: Registry;
  /** The Store with every commit counted and timed (same behaviour, same results). */
  instrumentStore(store: Store): Store;
  gatewayCall(report: GatewayCallReport): void;
  /** A notification refused before commit: its NotificationRejectedError reason. */
  notificationRejected(channel: string, reason: string): void;
}

/** Store calls that write (and so wait for a commit). */
const WRITES = [
  'insertOrder',
  'attachPayment',
  'markPaid',
  'closeUnpaid',
  'recordNotification',
  'claimDueOrders',
  'scheduleNextCheck',
  'createRefund',
  'completeRefund',
  'deferRefund',
  'claimDueRefunds',
  'completeIdempotency',
  'insertAgreement',
  'claimAgreementReturn',
  'releaseAgreementReturn',
  'transitionAgreement',
  'replaceAgreementTokens',
  'recordAgreementCheck',
  'insertAgreementCharge',
] as const satisfies readonly (keyof Store)[];

/** Rejection reasons as the notifications counter names them. */
function rejectionOutcome(reason: string): string {
  if (reason === 'signature') return 'bad_signature';
  if (reason === 'malformed') return 'malformed';
  return 'mismatch';
}

export function createMetrics(options: { now?: () => Date } = {}): Metrics {
  const now = options.now ?? (() => new Date());
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tradepay_' });
  const registers = [registry];

  // One registry per app; a metric is its name, help and labels (histograms also their buckets).
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });

  const ordersCreated = counter('tradepay_orders_created_total', 'Orders created, by channel', ['channel']);
  const transitions = counter('tradepay_order_transitions_total', 'Order status transitions committed', ['from', 'to']);
  const notifications = counter(
    'tradepay_notifications_total',
    'Gateway notifications by channel and outcome (accepted, duplicate, bad_signature, mismatch, malformed)',
    ['channel', 'outcome'],
  );
  const gatewayCalls = counter('tradepay_gateway_calls_total', 'Gateway calls by gateway, function and outcome', [
    'gateway',
    'function',
    'outcome',
  ]);
  const gatewayLatency = histogram(
    'tradepay_gateway_call_duration_seconds',
    'Gateway call latency by gateway and function',
    ['gateway', 'function'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const refunds = counter('tradepay_refunds_total', 'Refunds by outcome (succeeded, failed; deferred = retried later)', ['outcome']);
  const commitLatency = histogram(
    'tradepay_store_commit_duration_seconds',
    "Store writes, from call to durable commit (includes the group commit's wait), by operation",
    ['operation'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  let stores: Store[] = [];
  new Gauge({
    name: 'tradepay_oldest_unfinished_order_age_seconds',
    help: 'Age of the oldest PENDING order (0 when none)',
    registers,
    async collect() {
      const at = stores[0] ? await stores[0].oldestPendingOrderAt() : null;
      this.set(at === null ? 0 : Math.max(0, (now().getTime() - Date.parse(at)) / 1000));
    },
  });

  function instrumentStore(store: Store): Store {
    stores = [store];
    const timed =
      <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const end = commitLatency.startTimer({ operation });
        try {
          return await fn(...args);
        } finally {
          end();
        }
      };
    const wrapped: Store = Object.create(store);
    for (const name of WRITES) (wrapped as any)[name] = timed(name, (store[name] as (...a: unknown[]) => Promise<unknown>).bind(store));

    wrapped.insertOrder = async (...args) => {
      const result = await timed('insertOrder', store.insertOrder.bind(store))(...args);
      if (result.inserted) ordersCreated.inc({ channel: result.order.channel });
      return result;
    };
    wrapped.insertAgreementCharge = async (...args) => {
      const result = await timed('insertAgreementCharge', store.insertAgreementCharge.bind(store))(...args);
      if (result.inserted) ordersCreated.inc({ channel: result.order.channel });
      return result;
    };
    wrapped.markPaid = async (...args) => {
      const result = await timed('markPaid', store.markPaid.bind(store))(...args);
      if (result.transitioned) transitions.inc({ from: 'PENDING', to: result.order.status });
      return result;
    };
    wrapped.closeUnpaid = async (...args) => {
      const result = await timed('closeUnpaid', store.closeUnpaid.bind(store))(...args);
      if (result.transitioned) transitions.inc({ from: 'PENDING', to: result.order.status });
      return result;
    };
    wrapped.recordNotification = async (...args) => {
      const [notification] = args;
      const result = await timed('recordNotification', store.recordNotification.bind(store))(...args);
      notifications.inc({ channel: notification.channel, outcome: result.duplicate ? 'duplicate' : 'accepted' });
      if (result.transitioned) transitions.inc({ from: 'PENDING', to: result.order.status });
      return result;
    };
    wrapped.completeRefund = async (...args) => {
      const [refundId] = args;
      // The order's status before, so a refund that moves it is counted as a transition.
      const refund = await store.getRefund(refundId);
      const before = refund ? (await store.getOrder(refund.orderId))?.status : undefined;
      const result = await timed('completeRefund', store.completeRefund.bind(store))(...args);
      refunds.inc({ outcome: result.refund.status.toLowerCase() });
      if (before !== undefined && before !== result.order.status) transitions.inc({ from: before, to: result.order.status });
      return result;
    };
    wrapped.deferRefund = async (...args) => {
      await timed('deferRefund', store.deferRefund.bind(store))(...args);
      refunds.inc({ outcome: 'deferred' });
    };
    return wrapped;
  }

  return {
    registry,
    instrumentStore,
    gatewayCall(report) {
      gatewayCalls.inc({ gateway: report.gateway, function: report.name, outcome: report.outcome });
      gatewayLatency.observe({ gateway: report.gateway, function: report.name }, report.durationMs / 1000);
    },
    notificationRejected(channel, reason) {
      notifications.inc({ channel, outcome: rejectionOutcome(reason) });
    },
  };
}
