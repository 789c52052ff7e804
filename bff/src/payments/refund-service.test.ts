import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store';
import { createOrderService, type OrderService } from './order-service';
import { createRefundService, type RefundService } from './refund-service';
import { openTestStore, paidEvidence, scriptedChannel, testCatalog } from './testing';

/** The refund service's refusals, as outcomes: no HTTP, no thrown AppError. */
describe('refund service outcomes', () => {
  let store: Store;
  let orders: OrderService;
  let refunds: RefundService;
  let answers: ReturnType<typeof scriptedChannel>['answers'];

  beforeEach(async () => {
    store = await openTestStore();
    const scripted = scriptedChannel();
    answers = scripted.answers;
    const channels = new Map([['alipayhk' as const, scripted.channel]]);
    orders = createOrderService({ store, catalog: testCatalog, channels, defaultChannel: 'alipayhk', orderTtlMs: 15 * 60_000 });
    refunds = createRefundService({ store, channels, sleep: async () => undefined });
  });
  afterEach(() => store.close());

  /** An order of HK$76.00; paid unless told otherwise. */
  async function order(paid = true): Promise<string> {
    const created = await orders.createOrder({ items: [{ sku: 'tea', quantity: 2 }], buyerId: 'guest:1', clientIp: '127.0.0.1' });
    if (created.kind !== 'ok') throw new Error(`expected an order, got ${created.kind}`);
    const record = (await store.getOrder(created.value.body.order.id))!;
    if (paid) await orders.applyPaidEvidence(record, paidEvidence(record), 'query');
    return record.id;
  }

  it('refunds a paid order; the answer is the refund and its order', async () => {
    const orderId = await order();
    const outcome = await refunds.refund({ orderId, amount: 1000, idempotencyKey: 'refund-0001' });
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(outcome.value.refund.status).toBe('SUCCEEDED');
    expect(outcome.value.order.status).toBe('PARTIALLY_REFUNDED');
  });

  it('answers order-not-found and order-not-refundable', async () => {
    expect(await refunds.refund({ orderId: 'ord_missing0000000000', idempotencyKey: 'refund-0001' })).toEqual({
      kind: 'order-not-found',
    });
    const unpaid = await order(false);
    const outcome = await refunds.refund({ orderId: unpaid, idempotencyKey: 'refund-0002' });
    expect(outcome.kind).toBe('order-not-refundable');
  });

  it('refuses more than was paid, then nothing once all is refunded', async () => {
    const orderId = await order();
    expect(await refunds.refund({ orderId, amount: 7601, idempotencyKey: 'refund-0001' })).toEqual({
      kind: 'refund-exceeds-payment',
      refundable: 7600,
    });
    expect((await refunds.refund({ orderId, idempotencyKey: 'refund-0002' })).kind).toBe('ok');
    expect(await refunds.refund({ orderId, idempotencyKey: 'refund-0003' })).toEqual({ kind: 'nothing-to-refund' });
  });

  it('replays a key with the same request, refuses it with another', async () => {
    const orderId = await order();
    const first = await refunds.refund({ orderId, amount: 1000, idempotencyKey: 'refund-0001' });
    expect(await refunds.refund({ orderId, amount: 1000, idempotencyKey: 'refund-0001' })).toEqual(first);
    expect(await refunds.refund({ orderId, amount: 2000, idempotencyKey: 'refund-0001' })).toEqual({ kind: 'idempotency-key-reused' });
  });

  it('leaves an unconfirmed refund PENDING (the answer is still ok)', async () => {
    const orderId = await order();
    answers.refund = { status: 'UNKNOWN', reason: 'timeout' };
    const outcome = await refunds.refund({ orderId, amount: 1000, idempotencyKey: 'refund-0001' });
    expect(outcome.kind === 'ok' && outcome.value.refund.status).toBe('PENDING');
  });
});
