/**
 * The H5 channel over loopback without a browser: the real BFF against the sandbox's payment-intents
 * aggregator (token, create, webhook, query, cancel, refund), clicking the cashier with plain POSTs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../support/stack';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = await stack.session();
});
afterAll(async () => stack?.close());

const MINUTE = 60_000;

async function h5Order(wallet?: 'ALIPAYHK' | 'ALIPAYCN') {
  const res = await stack.api('/api/orders', {
    method: 'POST',
    body: { items: [{ sku: 'MOONCAKE-4', quantity: 1 }], channel: 'h5', ...(wallet ? { wallet } : {}) },
    token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { order: { id: string; merchantTransId: string; amount: { value: string } }; payment: { type: string; url: string } };
}

function click(url: string, action: 'pay' | 'cancel') {
  return fetch(`${url}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    redirect: 'manual',
  });
}

async function status(id: string) {
  return (await stack.api(`/api/orders/${id}`, { token })).body.order.status as string;
}

/** The sandbox's record of a webhook for this order that our BFF acknowledged, if any yet. */
function acknowledged(merchantTransId: string) {
  return stack.sandbox.ledger.snapshot().intents.webhooks.find((w) => w.merchantOrderId === merchantTransId && w.status === 'acknowledged');
}

function intentOf(merchantTransId: string) {
  return stack.sandbox.ledger.snapshot().intents.intents.find((i) => i.merchantOrderId === merchantTransId);
}

describe('H5 payment intents over loopback', () => {
  it('create → cashier Pay → 302 to our return page → signed webhook → SUCCEEDED, acknowledged once committed', async () => {
    const { order, payment } = await h5Order('ALIPAYCN');
    expect(payment.type).toBe('redirect');
    expect(payment.url.startsWith(`${stack.sandboxUrl}/sandbox/intents/cashier/`)).toBe(true);
    expect(intentOf(order.merchantTransId)).toMatchObject({
      amount: '268.00',
      currency: 'HKD',
      wallet: 'ALIPAYCN',
      notifyUrl: `${stack.bffUrl}/notify/intents`,
    });
    const back = await click(payment.url, 'pay');
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${stack.bffUrl}/h5/return?order=${order.id}`);
    await eventually(async () => (await status(order.id)) === 'SUCCEEDED', 'the webhook');
    await eventually(async () => acknowledged(order.merchantTransId), 'the acknowledgement');
    expect(await stack.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('settles through the webhook in every documented form: Signature or x-signature, amount or order_amount, url or redirect_url', async () => {
    expect(stack.sandbox.control.current.forms).toMatchObject({
      intentsSignatureHeader: 'Signature',
      intentsAmount: 'amount',
      intentsRedirect: 'url',
    });
    const variants = [
      { intentsSignatureHeader: 'Signature', intentsAmount: 'amount', intentsRedirect: 'url' },
      { intentsSignatureHeader: 'x-signature', intentsAmount: 'order_amount', intentsRedirect: 'redirect_url' },
    ] as const;
    try {
      for (const forms of variants) {
        stack.sandbox.control.update({ forms });
        const { order, payment } = await h5Order('ALIPAYHK');
        expect((await click(payment.url, 'pay')).status).toBe(302);
        await eventually(async () => (await status(order.id)) === 'SUCCEEDED', `the webhook (${JSON.stringify(forms)})`);
        const stored = await stack.app.store.getOrder(order.id);
        expect(stored?.gatewayTransactionId).toBe(intentOf(order.merchantTransId)!.orderId);
      }
    } finally {
      stack.sandbox.control.update({ forms: variants[0] });
    }
  });

  it('four concurrent copies of every webhook delivery cause one transition', async () => {
    stack.sandbox.control.update({ duplicates: 3 });
    try {
      const { order, payment } = await h5Order();
      await click(payment.url, 'pay');
      await eventually(async () => (await status(order.id)) === 'SUCCEEDED', 'the webhook');
      await eventually(async () => acknowledged(order.merchantTransId), 'the acknowledgement');
      expect(await stack.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
    } finally {
      stack.sandbox.control.update({ duplicates: 0 });
    }
  });

  it('a dropped webhook: the reconciler finds the payment by query', async () => {
    stack.sandbox.control.update({ dropRate: 1 });
    try {
      const { order, payment } = await h5Order();
      await click(payment.url, 'pay');
      expect(await status(order.id)).toBe('PENDING');
      stack.advance(2 * MINUTE);
      const summary = await stack.app.reconciler.runOnce();
      expect(summary.orderIds).toContain(order.id);
      expect(await status(order.id)).toBe('SUCCEEDED');
    } finally {
      stack.sandbox.control.update({ dropRate: 0 });
    }
  });

  it('an expired unpaid order is cancelled at the aggregator (query first), then its cashier refuses to pay', async () => {
    const { order, payment } = await h5Order();
    stack.advance(stack.config.orderTtlMs + MINUTE);
    await stack.app.reconciler.runOnce();
    expect(await status(order.id)).toBe('CANCELLED');
    expect(intentOf(order.merchantTransId)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'merchant' });
    expect((await click(payment.url, 'pay')).status).toBe(409);
  });

  it('refunds a paid order through the aggregator, once per merchantRefundId', async () => {
    const { order, payment } = await h5Order();
    await click(payment.url, 'pay');
    await eventually(async () => (await status(order.id)) === 'SUCCEEDED', 'the webhook');
    const headers = { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': `h5-refund-${order.id}` };
    const first = await stack.api(`/admin/orders/${order.id}/refunds`, { method: 'POST', body: { amount: '1000' }, headers });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.refund.status).toBe('SUCCEEDED');
    const again = await stack.api(`/admin/orders/${order.id}/refunds`, { method: 'POST', body: { amount: '1000' }, headers });
    expect(again.body.refund.id).toBe(first.body.refund.id);
    const refunds = stack.sandbox.ledger.snapshot().intents.refunds.filter((r) => r.merchantOrderId === order.merchantTransId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: '10.00', merchantRefundId: first.body.refund.merchantRefundId });
    expect(intentOf(order.merchantTransId)?.refundedMinor).toBe(1000);
  });

  it('gets a new access token when the aggregator forgets the old one', async () => {
    await h5Order();
    const before = stack.sandbox.ledger.snapshot().intents.tokensIssued;
    expect(before).toBeGreaterThan(0);
    stack.sandbox.reset();
    const { order } = await h5Order();
    expect(intentOf(order.merchantTransId)).toBeDefined();
    expect(stack.sandbox.ledger.snapshot().intents.tokensIssued).toBe(1);
  });
});
