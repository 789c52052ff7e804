import { afterAll, describe, expect, it } from 'vitest';
import type { PaymentEvidence } from '../payments/channel';
import { postgresUrl, STORE_FACTORIES } from '../../test/support/stores';
import { RefundExceedsPaymentError, type NewOrder, type Store } from './store';

if (!postgresUrl) console.info('store tests: PostgreSQL skipped (set DATABASE_URL=postgres://… to include it)');

let serial = 0;
function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  serial += 1;
  const createdAt = new Date(Date.UTC(2026, 10, 22, 0, 0, serial)).toISOString();
  return {
    id: `ord_test${String(serial).padStart(20, '0')}${Math.random().toString(36).slice(2, 8)}`,
    merchantTransId: `TP${Date.now()}${serial}${Math.random().toString(36).slice(2, 8)}`,
    channel: 'alipayhk',
    buyerId: 'guest:a',
    status: 'PENDING',
    currency: 'HKD',
    amount: 1000,
    items: [{ sku: 'EGG-TART-6', title: 'Egg tarts', quantity: 1, unitPrice: 1000 }],
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 15 * 60_000).toISOString(),
    nextCheckAt: createdAt,
    ...overrides,
  };
}

function evidence(order: NewOrder, overrides: Partial<PaymentEvidence> = {}): PaymentEvidence {
  return {
    source: 'notification',
    merchantId: 'M1',
    merchantTransId: order.merchantTransId,
    gatewayTransactionId: `ACQ${order.id}`,
    amount: order.amount,
    currency: order.currency,
    paidAt: new Date().toISOString(),
    raw: '{"signed":true}',
    ...overrides,
  };
}

describe.each(STORE_FACTORIES)('$kind store', (factory) => {
  const opened: Store[] = [];
  async function fresh() {
    const made = await factory.create();
    opened.push(made.store);
    return {
      ...made,
      async reopen() {
        const other = await made.reopen();
        opened.push(other);
        return other;
      },
    };
  }
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  it('inserts and reads orders; migrations can run again', async () => {
    const { store, reopen } = await fresh();
    const o = newOrder();
    const result = await store.insertOrder(o);
    expect(result.inserted).toBe(true);
    const again = await reopen();
    expect(await again.getOrder(o.id)).toMatchObject({ id: o.id, status: 'PENDING', amount: 1000, refundedAmount: 0, items: o.items });
    expect((await again.getOrderByMerchantTransId(o.merchantTransId))?.id).toBe(o.id);
    await expect(store.insertOrder({ ...newOrder(), merchantTransId: o.merchantTransId })).rejects.toThrow();
  });

  it('claims an idempotency key once; the second insert gets the first claim back', async () => {
    const { store } = await fresh();
    const claim = { scope: 'create-order:guest:a', key: 'k1', requestHash: 'h1' };
    const first = await store.insertOrder(newOrder(), claim);
    const second = await store.insertOrder(newOrder(), claim);
    expect(first.inserted).toBe(true);
    expect(second.inserted).toBe(false);
    if (!second.inserted && first.inserted) expect(second.existing.orderId).toBe(first.order.id);
  });

  it('one transition into SUCCEEDED however many concurrent deliveries, across two handles', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const o = newOrder();
    await store.insertOrder(o);
    const deliveries = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? store : other).recordNotification({ channel: 'alipayhk', identity: `${o.merchantTransId}:S`, orderId: o.id, outcome: 'PAID', raw: '{}' }, evidence(o)),
    );
    const results = await Promise.all(deliveries);
    expect(results.filter((r) => r.transitioned)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(19);
    expect(await store.countTransitions(o.id, 'SUCCEEDED')).toBe(1);
    expect((await store.getOrder(o.id))?.status).toBe('SUCCEEDED');
  });

  it('never regresses a terminal state', async () => {
    const { store } = await fresh();
    const o = newOrder();
    await store.insertOrder(o);
    await store.markPaid(o.id, evidence(o), 'test');
    expect((await store.closeUnpaid(o.id, 'CANCELLED', 'late')).transitioned).toBe(false);
    expect((await store.markPaid(o.id, evidence(o), 'again')).transitioned).toBe(false);
    expect((await store.getOrder(o.id))?.status).toBe('SUCCEEDED');
  });

  it('records a payment after close as one refund, however often it arrives', async () => {
    const { store } = await fresh();
    const o = newOrder();
    await store.insertOrder(o);
    await store.closeUnpaid(o.id, 'CANCELLED', 'expired');
    const a = await store.markPaid(o.id, evidence(o), 'late 1');
    const b = await store.markPaid(o.id, evidence(o), 'late 2');
    expect(a.latePaymentRefund?.source).toBe('late-payment');
    expect(b.latePaymentRefund?.id).toBe(a.latePaymentRefund?.id);
    expect(await store.listRefunds(o.id)).toHaveLength(1);
    expect((await store.getOrder(o.id))?.status).toBe('CANCELLED');
  });

  it('keeps concurrent refunds within the paid amount', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const o = newOrder({ amount: 1000 });
    await store.insertOrder(o);
    await store.markPaid(o.id, evidence(o), 'paid');
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? store : other).createRefund({ id: `rf_${o.id}_${i}`, orderId: o.id, merchantRefundId: `MR${o.id}${i}`, amount: 300, reason: 'r', source: 'admin' }),
      ),
    );
    const created = attempts.filter((a) => a.status === 'fulfilled');
    expect(created).toHaveLength(3);
    for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(RefundExceedsPaymentError);
  });

  it('applies refund outcomes to the order once', async () => {
    const { store } = await fresh();
    const o = newOrder({ amount: 1000 });
    await store.insertOrder(o);
    await store.markPaid(o.id, evidence(o), 'paid');
    const r1 = await store.createRefund({ id: `rf_${o.id}_1`, orderId: o.id, merchantRefundId: `M1${o.id}`, amount: 400, reason: 'r', source: 'admin' });
    const r2 = await store.createRefund({ id: `rf_${o.id}_2`, orderId: o.id, merchantRefundId: `M2${o.id}`, amount: 600, reason: 'r', source: 'admin' });
    if (!r1.created || !r2.created) throw new Error('refunds not created');
    expect((await store.completeRefund(r1.refund.id, { status: 'SUCCEEDED', gatewayRefundId: 'g1' })).order).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: 400 });
    // A second answer for the same refund changes nothing.
    expect((await store.completeRefund(r1.refund.id, { status: 'SUCCEEDED', gatewayRefundId: 'g1' })).order.refundedAmount).toBe(400);
    expect((await store.completeRefund(r2.refund.id, { status: 'SUCCEEDED', gatewayRefundId: 'g2' })).order).toMatchObject({ status: 'REFUNDED', refundedAmount: 1000 });
  });

  it('two claimers take disjoint orders, oldest first; a lapsed lease frees a row', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const orders = Array.from({ length: 10 }, () => newOrder());
    for (const o of orders) await store.insertOrder(o);
    const now = new Date(Date.UTC(2026, 10, 23));
    const [a, b] = await Promise.all([
      store.claimDueOrders({ owner: 'A', now, limit: 6, leaseMs: 60_000 }),
      other.claimDueOrders({ owner: 'B', now, limit: 6, leaseMs: 60_000 }),
    ]);
    const ids = [...a, ...b].map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(10);
    expect(a.map((o) => o.createdAt)).toEqual([...a.map((o) => o.createdAt)].sort());
    expect(await store.claimDueOrders({ owner: 'C', now, limit: 10, leaseMs: 60_000 })).toHaveLength(0);
    const later = new Date(now.getTime() + 61_000);
    expect(await store.claimDueOrders({ owner: 'C', now: later, limit: 10, leaseMs: 60_000 })).toHaveLength(10);
    await store.scheduleNextCheck(orders[0]!.id, { owner: 'C', checkedAt: later.toISOString(), nextCheckAt: new Date(later.getTime() + 3_600_000).toISOString(), attempts: 1 });
    expect(await store.getCheckState(orders[0]!.id)).toMatchObject({ attempts: 1, lastCheckedAt: later.toISOString() });
  });
});
