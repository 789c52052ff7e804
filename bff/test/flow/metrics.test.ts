/**
 * `GET /metrics` against the real stack: the counters move after a payment, a duplicate notification,
 * a forged one and a mismatched one, a refund (and its gateway call); the backlog gauge sees a pending order.
 */
import { generateSandboxKeys, parseRsaKey, signEnvelope } from '@tradepay/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { METRICS_TOKEN: 'metrics-token-0123456789' } });
});
afterAll(async () => stack?.close());

async function scrape(token = 'metrics-token-0123456789'): Promise<string> {
  const res = await fetch(`${stack.bffUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one sample (0 when absent), labels matched exactly. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '')
      .split(/,(?=[a-z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (have === want) return Number(match[3]);
  }
  return 0;
}

/** A notification for `merchantTransId` in AlipayHK's envelope, signed by `key` (protocol.md §1.5). */
function notification(
  merchantTransId: string,
  amount: { currency: string; value: string },
  key = stack.sandbox.keys.gatewayPrivatePem,
): string {
  const head = {
    version: '1.0.0',
    function: 'alipay.intl.acquiring.common.notify.pay',
    clientId: stack.sandbox.clientId,
    reqTime: '2026-01-31T18:05:09+08:00',
    reqMsgId: `forged-${merchantTransId}`,
    reserve: '{}',
  };
  const body = {
    resultInfo: { resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' },
    acquirementId: '2026013111040000000000000001',
    merchantTransId,
    orderAmount: amount,
    paymentTime: '2026-01-31T18:05:09+08:00',
  };
  return signEnvelope('request', { head, body }, parseRsaKey(key, stack.sandbox.signAlgorithm, 'private', 'test key'));
}

async function notify(raw: string) {
  return fetch(`${stack.bffUrl}/notify/alipayhk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: raw,
  });
}

describe('GET /metrics', () => {
  it('needs METRICS_TOKEN (or ADMIN_TOKEN when unset)', async () => {
    expect((await fetch(`${stack.bffUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${stack.bffUrl}/metrics`, { headers: { authorization: `Bearer ${stack.config.adminToken}` } })).status).toBe(401);
    expect(await scrape()).toContain('# TYPE tradepay_orders_created_total counter');
  });

  it('counts orders, transitions, notifications (accepted, duplicate, forged, mismatched), refunds and commits', async () => {
    const before = await scrape();
    const token = await stack.session();
    const pending = (await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 1 }] } })).body;
    const paid = (await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 2 }] } })).body;
    // Every notification goes out twice at once: one is accepted, the other is a duplicate.
    stack.sandbox.control.update({ duplicates: 1 });
    await stack.tradePay(paid.payment.orderStr, 'success');
    await eventually(async () => (await stack.app.store.getOrder(paid.order.id))?.status === 'SUCCEEDED', 'payment');
    await eventually(
      async () => sample(await scrape(), 'tradepay_notifications_total', { channel: 'alipayhk', outcome: 'duplicate' }) >= 1,
      'the duplicate',
    );
    stack.sandbox.control.update({ duplicates: 0 });

    // Forged: signed by a key that is not the gateway's. Mismatched: the right key, the wrong amount.
    const forged = await notify(notification(pending.order.merchantTransId, pending.order.amount, generateSandboxKeys().gatewayPrivatePem));
    expect(forged.status).toBe(400);
    const mismatched = await notify(notification(pending.order.merchantTransId, { currency: 'HKD', value: '1' }));
    expect(mismatched.status).toBe(400);

    const refund = await stack.api(`/admin/orders/${paid.order.id}/refunds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': 'metrics-refund-1' },
      body: {},
    });
    expect(refund.status).toBe(201);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('tradepay_orders_created_total', { channel: 'alipayhk' })).toBe(2);
    expect(delta('tradepay_order_transitions_total', { from: 'PENDING', to: 'SUCCEEDED' })).toBe(1);
    expect(delta('tradepay_order_transitions_total', { from: 'SUCCEEDED', to: 'REFUNDED' })).toBe(1);
    expect(delta('tradepay_notifications_total', { channel: 'alipayhk', outcome: 'accepted' })).toBe(1);
    expect(delta('tradepay_notifications_total', { channel: 'alipayhk', outcome: 'duplicate' })).toBeGreaterThanOrEqual(1);
    expect(delta('tradepay_notifications_total', { channel: 'alipayhk', outcome: 'bad_signature' })).toBe(1);
    expect(delta('tradepay_notifications_total', { channel: 'alipayhk', outcome: 'mismatch' })).toBe(1);
    expect(delta('tradepay_refunds_total', { outcome: 'succeeded' })).toBe(1);
    // Gateway calls, through the channels' one transport: the refund, with its latency.
    expect(
      delta('tradepay_gateway_calls_total', { gateway: 'alipayhk', function: 'alipay.intl.acquiring.common.refund', outcome: 'ok' }),
    ).toBe(1);
    expect(
      delta('tradepay_gateway_call_duration_seconds_count', { gateway: 'alipayhk', function: 'alipay.intl.acquiring.common.refund' }),
    ).toBe(1);
    expect(delta('tradepay_store_commit_duration_seconds_count', { operation: 'recordNotification' })).toBeGreaterThanOrEqual(2);
    // The unpaid order is the backlog.
    expect(sample(after, 'tradepay_oldest_unfinished_order_age_seconds')).toBeGreaterThan(0);
  });
});
