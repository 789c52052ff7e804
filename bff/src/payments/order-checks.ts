/**
 * Reading and checking an order: the buyer's view of it, confirm after `my.tradePay`, the
 * reconciler's query, and cancel. Only the gateway's signed answer moves an order here.
 */
import { toTradePayResult } from '@tradepay/shared';
import type { GatewayCall } from './channel';
import type { OrderRecord } from './store';
import { backoffDelay } from './backoff';
import { toChannelOrder } from './order-views';
import type { OrderContext } from './order-context';
import type { createOrderEvidence } from './order-evidence';
import { ok, type OrderRefusal, type Outcome } from './outcomes';

export interface QueryResult {
  order: OrderRecord;
  /** Whether the gateway's answer decided anything (an unknown or mismatched answer does not). */
  conclusive: boolean;
  status: string;
}

export function createOrderChecks(ctx: OrderContext, evidence: ReturnType<typeof createOrderEvidence>) {
  const { options, store, now, random, pause, channelFor } = ctx;
  const queryBackoff = options.queryBackoff ?? { baseMs: 5_000, capMs: 5 * 60_000 };
  const confirmAttempts = options.confirmAttempts ?? 3;
  const minQueryIntervalMs = options.minQueryIntervalMs ?? 1_000;

  /** Next check: backoff from the attempt count, but never later than the order's expiry. */
  function nextCheckAt(order: OrderRecord, attempts: number): string {
    const at = now().getTime() + backoffDelay(attempts, queryBackoff, random);
    const expiry = new Date(order.expiresAt).getTime();
    return new Date(at > expiry && now().getTime() < expiry ? expiry : at).toISOString();
  }

  /**
   * One question to the gateway about a PENDING order, with its answer applied. Returns the order
   * and whether the answer was conclusive. A gateway error never fails an order.
   */
  async function queryOnce(order: OrderRecord, call?: GatewayCall): Promise<QueryResult> {
    const result = await channelFor(order.channel).queryPayment(toChannelOrder(order), call);
    if (result.status === 'PAID') {
      try {
        return { order: await evidence.applyPaid(order, result.evidence, 'query'), conclusive: true, status: 'PAID' };
      } catch (error) {
        options.log?.error({ orderId: order.id, err: error }, 'signed query answer does not match the order');
        return { order, conclusive: false, status: 'MISMATCH' };
      }
    }
    if (result.status === 'CLOSED') {
      return {
        order: (await store.closeUnpaid(order.id, result.closedAs ?? 'FAILED', 'query: closed at gateway')).order,
        conclusive: true,
        status: 'CLOSED',
      };
    }
    if (result.status === 'UNKNOWN') {
      options.log?.warn({ orderId: order.id, reason: result.reason }, 'payment query inconclusive');
      return { order, conclusive: false, status: 'UNKNOWN' };
    }
    return { order, conclusive: true, status: 'PENDING' };
  }

  /**
   * Reads an order. With a buyer, only that buyer's own orders exist: another buyer's order is
   * `order-not-found`, indistinguishable from an order that does not exist.
   */
  async function getOrder(id: string, buyerId?: string | null): Promise<Outcome<OrderRecord, OrderRefusal>> {
    const order = await store.getOrder(id);
    if (!order || (buyerId !== undefined && order.buyerId !== buyerId)) return { kind: 'order-not-found' };
    return ok(order);
  }

  /**
   * The client reports what `my.tradePay` said. That is a hint, not evidence: when the code means
   * money may have moved, ask the gateway (a few times, backing off, when it cannot say); whatever
   * the code, only the gateway's signed answer changes the order.
   */
  async function confirm(
    id: string,
    resultCode: string,
    buyerId?: string | null,
    call?: GatewayCall,
  ): Promise<Outcome<OrderRecord, OrderRefusal>> {
    const found = await getOrder(id, buyerId);
    if (found.kind !== 'ok') return found;
    let order = found.value;
    if (order.status !== 'PENDING' || !toTradePayResult(resultCode).mayHavePaid) return ok(order);
    const state = await store.getCheckState(order.id);
    // Many clients polling one order must not fan out into gateway queries.
    if (state.lastCheckedAt && now().getTime() - new Date(state.lastCheckedAt).getTime() < minQueryIntervalMs) return ok(order);
    let attempts = state.attempts;
    for (let i = 0; i < confirmAttempts; i++) {
      if (i > 0) await pause(backoffDelay(i - 1, { baseMs: 200, capMs: 2_000 }, random));
      const result = await queryOnce(order, call);
      order = result.order;
      attempts = result.conclusive ? attempts : attempts + 1;
      if (result.conclusive) break;
    }
    if (order.status === 'PENDING') {
      // Still open: make sure the reconciler comes back soon rather than at the slow schedule.
      await store.scheduleNextCheck(order.id, {
        owner: null,
        checkedAt: now().toISOString(),
        nextCheckAt: nextCheckAt(order, attempts),
        attempts,
      });
    }
    return ok(order);
  }

  /**
   * Closes an unpaid order at the gateway: query first (the buyer may have just paid), then
   * payCancel, then CANCELLED. A paid order is never cancelled here; it is refunded by the shop.
   */
  async function cancel(id: string, buyerId?: string | null, call?: GatewayCall): Promise<Outcome<OrderRecord, OrderRefusal>> {
    const found = await getOrder(id, buyerId);
    if (found.kind !== 'ok') return found;
    const order = found.value;
    if (order.status === 'CANCELLED') return ok(order);
    if (order.status !== 'PENDING') return { kind: 'order-not-cancellable', status: order.status };
    const checked = await queryOnce(order, call);
    if (!checked.conclusive) return { kind: 'gateway-unknown' };
    if (checked.order.status !== 'PENDING') {
      if (checked.order.status === 'SUCCEEDED') return { kind: 'order-already-paid' };
      return ok(checked.order);
    }
    const result = await channelFor(order.channel).cancelPayment(toChannelOrder(order), call);
    if (result.status === 'UNKNOWN') return { kind: 'gateway-unknown' };
    if (result.status === 'REFUSED') return { kind: 'cancel-refused', code: result.code };
    return ok((await store.closeUnpaid(order.id, 'CANCELLED', 'cancelled by the buyer')).order);
  }

  /** Queries the gateway for one PENDING order and applies a signed answer (the reconciler's step). */
  async function reconcile(order: OrderRecord): Promise<OrderRecord> {
    if (order.status !== 'PENDING') return order;
    return (await queryOnce(order)).order;
  }

  return { nextCheckAt, queryOnce, getOrder, confirm, cancel, reconcile };
}
