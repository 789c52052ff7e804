import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReconciler } from '../../src/payments/reconciler';
import { eventually, startStack, type Stack } from '../support/stack';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ env: { ALIPAYHK_TIMEOUT_MS: '1000' } });
  token = await stack.session();
});
afterAll(async () => stack?.close());

const MINUTE = 60_000;

async function order(items = [{ sku: 'EGG-TART-6', quantity: 1 }]) {
  const res = await stack.api('/api/orders', { method: 'POST', body: { items }, token });
  expect(res.status).toBe(201);
  return res.body as { order: { id: string; merchantTransId: string; amount: { value: string } }; payment: { orderStr: string } };
}

async function status(id: string) {
  return (await stack.api(`/api/orders/${id}`, { token })).body.order.status as string;
}

async function ledger() {
  return (await fetch(`${stack.sandboxUrl}/sandbox/ledger`)).json() as Promise<any>;
}

async function control(patch: object) {
  const res = await fetch(`${stack.sandboxUrl}/sandbox/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  expect(res.status).toBe(200);
}

function refund(id: string, key: string, body: object = {}) {
  return stack.api(`/admin/orders/${id}/refunds`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': key },
  });
}

/** Runs reconciler passes until one finds nothing due (time is moved past every first check). */
async function reconcile() {
  stack.advance(2 * MINUTE);
  return stack.app.reconciler.runOnce();
}

describe('unknown outcomes and the reconciler', () => {
  it('finds a payment that was never notified (6004)', async () => {
    const { order: o, payment } = await order();
    expect((await stack.tradePay(payment.orderStr, 'unknown')).resultCode).toBe('6004');
    expect(await status(o.id)).toBe('PENDING');
    const summary = await reconcile();
    expect(summary.orderIds).toContain(o.id);
    expect(await status(o.id)).toBe('SUCCEEDED');
  });

  it('notifications dropped for 20 % of 50 payments: all SUCCEEDED after one pass', async () => {
    await control({ dropRate: 0.2 });
    try {
      const created = [];
      for (let i = 0; i < 50; i++) created.push(await order());
      for (const c of created) expect((await stack.tradePay(c.payment.orderStr, 'success')).resultCode).toBe('9000');
      const book = await ledger();
      const mine = new Set(created.map((c) => c.order.merchantTransId));
      const dropped = book.notifications.filter((n: any) => mine.has(n.merchantTransId) && n.status === 'dropped');
      expect(dropped.length).toBeGreaterThan(0);
      // Wait until every notification that was sent is acknowledged, so the pass is what remains.
      await eventually(async () => {
        const b = await ledger();
        return b.notifications.filter((n: any) => mine.has(n.merchantTransId)).every((n: any) => n.status !== 'scheduled');
      }, 'notification deliveries');
      await reconcile();
      for (const c of created) expect(await status(c.order.id)).toBe('SUCCEEDED');
    } finally {
      await control({ dropRate: 0 });
    }
  });

  it('closes an expired unpaid order at the gateway, query first', async () => {
    const { order: o } = await order();
    stack.advance(16 * MINUTE);
    const before = (await ledger()).calls;
    await stack.app.reconciler.runOnce();
    expect(await status(o.id)).toBe('CANCELLED');
    const after = (await ledger()).calls;
    expect(after['alipay.intl.acquiring.common.payCancel']).toBe((before['alipay.intl.acquiring.common.payCancel'] ?? 0) + 1);
    const payment = (await ledger()).payments.find((p: any) => p.merchantTransId === o.merchantTransId);
    expect(payment.status).toBe('CLOSED');
  });

  it('a payment after the order was closed is recorded and refunded automatically', async () => {
    const { order: o, payment } = await order();
    // The lost race: our side closed the order, yet the buyer's payment went through at the gateway.
    await stack.app.store.closeUnpaid(o.id, 'CANCELLED', 'test: closed while the payment was in flight');
    expect((await stack.tradePay(payment.orderStr, 'success')).resultCode).toBe('9000');
    await eventually(async () => (await stack.app.store.listRefunds(o.id)).length === 1, 'the late-payment refund');
    await reconcile();
    const [late] = await stack.app.store.listRefunds(o.id);
    expect(late).toMatchObject({ source: 'late-payment', status: 'SUCCEEDED', amount: Number(o.amount.value) });
    const book = await ledger();
    expect(book.refunds.filter((r: any) => r.merchantTransId === o.merchantTransId)).toHaveLength(1);
    expect(await status(o.id)).toBe('CANCELLED');
    // A redelivery of the same payment must not refund twice.
    await reconcile();
    expect((await ledger()).refunds.filter((r: any) => r.merchantTransId === o.merchantTransId)).toHaveLength(1);
  });

  it('two BFF instances on one SQLite file never work one order twice in a pass', async () => {
    const created = [];
    for (let i = 0; i < 12; i++) created.push(await order());
    for (const c of created) await stack.tradePay(c.payment.orderStr, 'unknown');
    const other = await stack.secondBff();
    const make = (app: typeof stack.app) =>
      createReconciler({
        store: app.store,
        orders: app.orders,
        refunds: app.refunds,
        channels: app.channels,
        batchSize: 2,
        ratePerSecond: 1000,
        now: stack.now,
      });
    stack.advance(2 * MINUTE);
    const before = (await ledger()).calls['alipay.intl.acquiring.common.payQuery'] ?? 0;
    const [a, b] = await Promise.all([make(stack.app).runOnce(), make(other).runOnce()]);
    const worked = [...a.orderIds, ...b.orderIds];
    expect(new Set(worked).size).toBe(worked.length);
    for (const c of created) expect(worked).toContain(c.order.id);
    expect(a.orderIds.length).toBeGreaterThan(0);
    expect(b.orderIds.length).toBeGreaterThan(0);
    expect((await ledger()).calls['alipay.intl.acquiring.common.payQuery'] - before).toBe(worked.length);
    for (const c of created) expect(await status(c.order.id)).toBe('SUCCEEDED');
  });
});

describe('cancel', () => {
  it('cancels an unpaid order at the gateway', async () => {
    const { order: o, payment } = await order();
    const res = await stack.api(`/api/orders/${o.id}/cancel`, { method: 'POST', token });
    expect(res.status).toBe(200);
    expect(res.body.order.status).toBe('CANCELLED');
    // The gateway now refuses the payment.
    expect((await stack.tradePay(payment.orderStr, 'success')).resultCode).not.toBe('9000');
  });

  it('refuses to cancel a paid order, and finds the payment while trying', async () => {
    const { order: o, payment } = await order();
    await stack.tradePay(payment.orderStr, 'unknown');
    const res = await stack.api(`/api/orders/${o.id}/cancel`, { method: 'POST', token });
    expect(res.status).toBe(409);
    expect(await status(o.id)).toBe('SUCCEEDED');
  });
});

describe('refunds', () => {
  async function paidOrder(quantity = 2) {
    const { order: o, payment } = await order([{ sku: 'MOONCAKE-4', quantity }]);
    await stack.tradePay(payment.orderStr, 'success');
    await eventually(async () => (await status(o.id)) === 'SUCCEEDED', 'payment');
    return o;
  }

  it('needs the admin credential', async () => {
    const o = await paidOrder();
    const res = await stack.api(`/admin/orders/${o.id}/refunds`, {
      method: 'POST',
      body: {},
      headers: { 'idempotency-key': 'no-auth-key-1' },
    });
    expect(res.status).toBe(401);
    const wrong = await stack.api(`/admin/orders/${o.id}/refunds`, {
      method: 'POST',
      body: {},
      headers: { authorization: 'Bearer nope', 'idempotency-key': 'no-auth-key-2' },
    });
    expect(wrong.status).toBe(401);
  });

  it('partial + partial = full: PARTIALLY_REFUNDED, then REFUNDED', async () => {
    const o = await paidOrder();
    const half = Number(o.amount.value) / 2;
    const first = await refund(o.id, `p1-${o.id}`, { amount: String(half) });
    expect(first.status).toBe(201);
    expect(first.body.order.status).toBe('PARTIALLY_REFUNDED');
    const second = await refund(o.id, `p2-${o.id}`, { amount: String(half) });
    expect(second.status).toBe(201);
    expect(second.body.order).toMatchObject({ status: 'REFUNDED', refundedAmount: { value: o.amount.value } });
    expect((await ledger()).refunds.filter((r: any) => r.merchantTransId === o.merchantTransId)).toHaveLength(2);
  });

  it('over-refund → 422 and no gateway call', async () => {
    const o = await paidOrder();
    const before = (await ledger()).calls['alipay.intl.acquiring.common.refund'] ?? 0;
    const res = await refund(o.id, `over-${o.id}`, { amount: String(Number(o.amount.value) + 1) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('REFUND_EXCEEDS_PAYMENT');
    expect((await ledger()).calls['alipay.intl.acquiring.common.refund'] ?? 0).toBe(before);
  });

  it.each(['U', 'timeout', '5xx'] as const)(
    'a refund answered %s is retried with the same merchantRefundId: one refund at the gateway',
    async (mode) => {
      const o = await paidOrder();
      await control({ failNext: { count: 1, mode } });
      const res = await refund(o.id, `retry-${mode}-${o.id}`);
      expect(res.status).toBe(201);
      expect(res.body.refund.status).toBe('SUCCEEDED');
      const refunds = (await ledger()).refunds.filter((r: any) => r.merchantTransId === o.merchantTransId);
      expect(refunds).toHaveLength(1);
      expect(refunds[0].merchantRefundId).toBe(res.body.refund.merchantRefundId);
    },
  );

  it('a refund the gateway never answers stays PENDING (202) and the reconciler finishes it with the same id', async () => {
    const o = await paidOrder();
    await control({ failNext: { count: 3, mode: 'U' } });
    const res = await refund(o.id, `pending-${o.id}`);
    expect(res.status).toBe(202);
    expect(res.body.refund.status).toBe('PENDING');
    stack.advance(60 * MINUTE);
    const summary = await stack.app.reconciler.runOnce();
    expect(summary.refundsSucceeded).toBeGreaterThanOrEqual(1);
    const again = await refund(o.id, `pending-${o.id}`);
    expect(again.body.refund).toMatchObject({ status: 'SUCCEEDED', merchantRefundId: res.body.refund.merchantRefundId });
    expect((await ledger()).refunds.filter((r: any) => r.merchantTransId === o.merchantTransId)).toHaveLength(1);
  });

  it('same Idempotency-Key: same answer; with another amount: 422', async () => {
    const o = await paidOrder(4);
    const a = await refund(o.id, `idem-${o.id}`, { amount: '100' });
    const b = await refund(o.id, `idem-${o.id}`, { amount: '100' });
    expect(b.status).toBe(a.status);
    expect(b.body.refund.id).toBe(a.body.refund.id);
    const c = await refund(o.id, `idem-${o.id}`, { amount: '200' });
    expect(c.status).toBe(422);
    expect((await ledger()).refunds.filter((r: any) => r.merchantTransId === o.merchantTransId)).toHaveLength(1);
  });

  it('refuses to refund an unpaid order', async () => {
    const { order: o } = await order();
    expect((await refund(o.id, `unpaid-${o.id}`)).status).toBe(409);
  });
});

describe('buyer isolation', () => {
  it("buyer B gets 404 for every route on buyer A's order", async () => {
    const { order: o } = await order();
    const other = await stack.session();
    expect((await stack.api(`/api/orders/${o.id}`, { token: other })).status).toBe(404);
    expect((await stack.api(`/api/orders/${o.id}/confirm`, { method: 'POST', body: { resultCode: '9000' }, token: other })).status).toBe(
      404,
    );
    expect((await stack.api(`/api/orders/${o.id}/cancel`, { method: 'POST', token: other })).status).toBe(404);
    expect(await status(o.id)).toBe('PENDING');
  });

  it('no, forged or expired session → 401', async () => {
    const { order: o } = await order();
    expect((await stack.api(`/api/orders/${o.id}`)).status).toBe(401);
    const [h, p] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'guest:someone', iat: 1, exp: 4102444800 })).toString('base64url')}.${token.split('.')[2]}`;
    expect((await stack.api(`/api/orders/${o.id}`, { token: forged })).status).toBe(401);
    expect(p).toBeTruthy();
    const expired = stack.app.jwt.sign({ sub: 'guest:x' }, { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(
      (await stack.api('/api/orders', { method: 'POST', body: { items: [{ sku: 'EGG-TART-6', quantity: 1 }] }, token: expired })).status,
    ).toBe(401);
  });
});

describe('after every scenario above', () => {
  it('keeps I1–I6', async () => {
    const report = await stack.invariants();
    expect(report.text).not.toContain('BROKEN');
    expect(report).toMatchObject({ ok: true, lost: 0, doubled: 0 });
  });
});
