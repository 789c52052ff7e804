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
    const wrapped: Store = Object.create(store);
    type Write = (typeof WRITES)[number];
    type Call<K extends Write> = Store[K] extends (...args: infer A) => Promise<infer R> ? { args: A; result: R } : never;
    /**
     * `store[name]`, timed from call to commit; `counted` then counts what it committed. The label
     * set and the bound method are made once per operation, not once per call.
     */
    function timed<K extends Write>(name: K, counted?: (result: Call<K>['result'], args: Call<K>['args']) => void): void {
      const labels = { operation: name };
      const call = (store[name] as (...args: Call<K>['args']) => Promise<Call<K>['result']>).bind(store);
      (wrapped as any)[name] = async (...args: Call<K>['args']): Promise<Call<K>['result']> => {
        const start = performance.now();
        let result: Call<K>['result'];
        try {
          result = await call(...args);
        } finally {
          commitLatency.observe(labels, (performance.now() - start) / 1000);
        }
        counted?.(result, args);
        return result;
      };
    }
    // Every write timed; those whose results are also counted are timed again below, with their counters.
    for (const name of WRITES) timed(name);

    // An order created is counted under its own channel (the order passed in is the order inserted).
    timed('insertOrder', (result, [order]) => {
      if (result.inserted) ordersCreated.inc({ channel: order.channel });
    });
    timed('insertAgreementCharge', (result, [order]) => {
      if (result.inserted) ordersCreated.inc({ channel: order.channel });
    });
    timed('markPaid', (result) => {
      if (result.transitioned) transitions.inc({ from: 'PENDING', to: result.order.status });
    });
    timed('closeUnpaid', (result) => {
      if (result.transitioned) transitions.inc({ from: 'PENDING', to: result.order.status });
    });
    timed('recordNotification', (result, [notification]) => {
      notifications.inc({ channel: notification.channel, outcome: result.duplicate ? 'duplicate' : 'accepted' });
      if (result.transitioned) transitions.inc({ from: 'PENDING', to: result.order.status });
    });
    timed('deferRefund', () => refunds.inc({ outcome: 'deferred' }));
    const completeRefund = wrapped.completeRefund;
    wrapped.completeRefund = async (...args) => {
      const [refundId] = args;
      // The order's status before, so a refund that moves it is counted as a transition (read outside the timer).
      const refund = await store.getRefund(refundId);
      const before = refund ? (await store.getOrder(refund.orderId))?.status : undefined;
      const result = await completeRefund(...args);
      refunds.inc({ outcome: result.refund.status.toLowerCase() });
      if (before !== undefined && before !== result.order.status) transitions.inc({ from: before, to: result.order.status });
      return result;
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
