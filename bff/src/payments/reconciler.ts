/**
 * The reconciler: the safety net under notifications. AlipayHK stops notifying after 8 tries, a
 * buyer may close the app mid-payment, a query may time out — so a periodic job asks the gateway
 * about every unfinished order (oldest first, at a bounded rate), applies the signed answers, closes
 * expired orders at the gateway (query first, then payCancel), and retries refunds left pending.
 *
 * Several BFF processes may run it on one store: each claims its rows with a lease, and one pass
 * only takes orders that were due when the pass began, so no order is worked twice in a pass.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { OrderRecord, Store } from './store';
import { backoffDelay, sleep as realSleep } from './backoff';
import type { ChannelRegistry } from './channel';
import { toChannelOrder, type OrderService } from './order-service';
import type { RefundService } from './refund-service';
import type { RuntimeOptions } from './service-options';

export interface ReconcilerOptions extends RuntimeOptions {
  store: Store;
  orders: OrderService;
  refunds: RefundService;
  channels: ChannelRegistry;
  /** Gateway calls per second, at most. */
  ratePerSecond?: number;
  batchSize?: number;
  /** Upper bound of orders worked in one pass, so a pass always ends. */
  maxPerPass?: number;
  leaseMs?: number;
  owner?: string;
}

export interface ReconcileSummary {
  checked: number;
  paid: number;
  failed: number;
  expiredCancelled: number;
  stillPending: number;
  inconclusive: number;
  refundsRetried: number;
  refundsSucceeded: number;
  /** Ids of the orders this pass worked (a test checks two reconcilers never share one). */
  orderIds: string[];
}

export function createReconciler(options: ReconcilerOptions) {
  const { store, orders, refunds, channels } = options;
  const now = options.now ?? (() => new Date());
  const pause = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const minGapMs = 1000 / (options.ratePerSecond ?? 20);
  const batchSize = options.batchSize ?? 25;
  const maxPerPass = options.maxPerPass ?? 2000;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  let lastCallAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileSummary> | undefined;
  let stopped = false;

  async function throttle(): Promise<void> {
    const wait = lastCallAt + minGapMs - Date.now();
    if (wait > 0) await pause(wait);
    lastCallAt = Date.now();
  }

  async function reschedule(order: OrderRecord, attempts: number, checked: boolean): Promise<void> {
    await store.scheduleNextCheck(order.id, {
      owner,
      checkedAt: checked ? now().toISOString() : null,
      nextCheckAt: orders.nextCheckAt(order, attempts),
      attempts,
    });
  }

  async function work(order: OrderRecord, summary: ReconcileSummary): Promise<void> {
    const state = await store.getCheckState(order.id);
    await throttle();
    const result = await orders.queryOnce(order);
    summary.checked += 1;
    summary.orderIds.push(order.id);
    if (result.order.status === 'SUCCEEDED') summary.paid += 1;
    if (result.order.status === 'FAILED') summary.failed += 1;
    if (result.order.status !== 'PENDING') return reschedule(result.order, state.attempts, true);
    if (!result.conclusive) {
      summary.inconclusive += 1;
      return reschedule(order, state.attempts + 1, true);
    }
    if (now().getTime() < new Date(order.expiresAt).getTime()) {
      summary.stillPending += 1;
      return reschedule(order, state.attempts + 1, true);
    }
    // Expired and still unpaid at the gateway: close it there first, so a late payment is refused
    // (or, if the buyer paid in between, refunded by the gateway's cancel).
    await throttle();
    const cancel = await channels.get(order.channel)!.cancelPayment(toChannelOrder(order));
    if (cancel.status === 'CANCELLED') {
      await store.closeUnpaid(order.id, 'CANCELLED', 'expired: closed at the gateway');
      summary.expiredCancelled += 1;
      return reschedule(order, state.attempts, true);
    }
    options.log?.warn({ orderId: order.id, cancel }, 'could not close an expired order at the gateway; will retry');
    summary.inconclusive += 1;
    return reschedule(order, state.attempts + 1, true);
  }

  async function runOnce(): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = {
      checked: 0,
      paid: 0,
      failed: 0,
      expiredCancelled: 0,
      stillPending: 0,
      inconclusive: 0,
      refundsRetried: 0,
      refundsSucceeded: 0,
      orderIds: [],
    };
    const passStart = now();
    while (summary.checked < maxPerPass && !stopped) {
      const batch = await store.claimDueOrders({ owner, now: passStart, limit: batchSize, leaseMs });
      if (batch.length === 0) break;
      for (const order of batch) {
        try {
          await work(order, summary);
        } catch (error) {
          options.log?.error({ orderId: order.id, err: error }, 'reconciling an order failed');
          await reschedule(order, 1, false).catch(() => undefined);
        }
      }
    }
    while (!stopped) {
      const due = await store.claimDueRefunds({ owner, now: passStart, limit: batchSize, leaseMs });
      if (due.length === 0) break;
      for (const refund of due) {
        await throttle();
        summary.refundsRetried += 1;
        try {
          const result = await refunds.execute(refund, owner, 1);
          if (result.refund.status === 'SUCCEEDED') summary.refundsSucceeded += 1;
        } catch (error) {
          options.log?.error({ refundId: refund.id, err: error }, 'retrying a refund failed');
          const nextAttemptAt = new Date(
            now().getTime() + backoffDelay(refund.attempts + 1, { baseMs: 10_000, capMs: 600_000 }, random),
          ).toISOString();
          await store.deferRefund(refund.id, { owner, nextAttemptAt, attempts: refund.attempts + 1 }).catch(() => undefined);
        }
      }
    }
    if (summary.checked + summary.refundsRetried > 0) options.log?.info({ ...summary, orderIds: undefined }, 'reconciler pass');
    return summary;
  }

  return {
    owner,
    runOnce,
    /** Runs a pass every `intervalMs` (never two at once) until stop(). */
    start(intervalMs: number): void {
      stopped = false;
      const tick = () => {
        running = runOnce()
          .catch((error) => {
            options.log?.error({ err: error }, 'reconciler pass failed');
            return undefined as unknown as ReconcileSummary;
          })
          .finally(() => {
            running = undefined;
            if (!stopped) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
