/**
 * The Latipay mini-app channel over loopback: the real BFF and the real sandbox, each checking the
 * other's HMACs (the sandbox's signing code is its own).
 */
import { signLatipayResult } from '@tradepay/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../support/stack';

async function ledger(stack: Stack) {
  return ((await (await fetch(`${stack.sandboxUrl}/sandbox/ledger`)).json()) as any).latipay as {
    payments: any[];
    refunds: any[];
    callbacks: any[];
    calls: Record<string, number>;
  };
}

async function control(stack: Stack, patch: object) {
  const res = await fetch(`${stack.sandboxUrl}/sandbox/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  expect(res.status).toBe(200);
}

const tokens = new Map<Stack, string>();
async function api(stack: Stack, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  if (!tokens.has(stack)) tokens.set(stack, await stack.session());
  return stack.api(path, { ...init, token: tokens.get(stack)! });
}

interface Created {
  order: { id: string; merchantTransId: string; channel: string; status: string; amount: { currency: string; value: string } };
  payment: { type: string; orderStr: string };
}

async function latipayOrder(stack: Stack, headers: Record<string, string> = {}) {
  return api(stack, '/api/orders', { method: 'POST', body: { items: [{ sku: 'MOONCAKE-4', quantity: 2 }], channel: 'latipay' }, headers });
}

async function checkout(stack: Stack): Promise<Created> {
  const created = await latipayOrder(stack);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as Created;
}

async function orderStatus(stack: Stack, id: string) {
  return (await api(stack, `/api/orders/${id}`)).body.order.status as string;
}

/** A callback as Latipay sends it, signed with the sandbox's own HMAC code and the given key. */
function callbackBody(stack: Stack, merchantReference: string, status: string, apiKey = stack.config.latipay!.apiKey, amount = '536.00') {
  const facts = { merchant_reference: merchantReference, payment_method: 'alipay', status, currency: 'HKD', amount };
  return new URLSearchParams({ ...facts, pay_time: '2026-01-31 10:00:00', signature: signLatipayResult(facts, apiKey) }).toString();
}

async function postCallback(stack: Stack, body: string) {
  const res = await fetch(`${stack.bffUrl}/notify/latipay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

describe('Latipay mini-app payment over loopback', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('order → orderStr → wallet success → callback → signed query → SUCCEEDED → refund → REFUNDED', async () => {
    const { order, payment } = await checkout(stack);
    expect(order).toMatchObject({ channel: 'latipay', status: 'PENDING', amount: { currency: 'HKD', value: '53600' } });
    // The orderStr is Latipay's gatewaydata joined k=v&… in the order sent — not an AlipayHK envelope.
    expect(payment.type).toBe('tradePay');
    expect(payment.orderStr.startsWith('service=create_forex_trade_wap&partner=')).toBe(true);
    expect(payment.orderStr).toContain('total_fee=536.00');
    let book = await ledger(stack);
    const created = book.payments.find((p) => p.merchantReference === order.merchantTransId);
    expect(created).toMatchObject({
      status: 'pending',
      amount: '536.00',
      currency: 'HKD',
      ip: '127.0.0.1',
      callbackUrl: `${stack.config.publicUrl}/notify/latipay`,
    });
    expect(payment.orderStr).toContain(`out_trade_no=${created.orderId}`);

    expect(await stack.tradePay(payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
    await eventually(async () => (await orderStatus(stack, order.id)) === 'SUCCEEDED', 'the callback');
    await eventually(
      async () => (await ledger(stack)).callbacks.some((c) => c.merchantReference === order.merchantTransId && c.status === 'acknowledged'),
      'the "sent" acknowledgement',
    );
    book = await ledger(stack);
    // The callback was confirmed through the signed query before the order moved.
    expect(book.calls.transaction).toBeGreaterThanOrEqual(1);
    expect(await stack.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
    const stored = await stack.app.store.getOrder(order.id);
    expect(stored?.gatewayTransactionId).toBe(created.orderId);

    const refund = await stack.api(`/admin/orders/${order.id}/refunds`, {
      method: 'POST',
      body: {},
      headers: { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': `refund-${order.id}` },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(refund.body.refund).toMatchObject({ status: 'SUCCEEDED', amount: { currency: 'HKD', value: '53600' } });
    expect(refund.body.order.status).toBe('REFUNDED');
    book = await ledger(stack);
    expect(book.refunds).toEqual([
      expect.objectContaining({
        orderId: created.orderId,
        reference: refund.body.refund.merchantRefundId,
        refundAmount: '536.00',
        currency: 'HKD',
      }),
    ]);
    expect(await orderStatus(stack, order.id)).toBe('REFUNDED');
  });

  it('unknown (6004, no callback) → confirm → signed query → SUCCEEDED', async () => {
    const { order, payment } = await checkout(stack);
    expect(await stack.tradePay(payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
    const confirmed = await api(stack, `/api/orders/${order.id}/confirm`, { method: 'POST', body: { resultCode: '6004' } });
    expect(confirmed.body.order.status).toBe('SUCCEEDED');
    expect((await ledger(stack)).callbacks.filter((c) => c.merchantReference === order.merchantTransId)).toHaveLength(0);
  });

  it('cancel: the query shows it unpaid, so the order closes; a late payment of the old orderStr is refunded', async () => {
    const { order, payment } = await checkout(stack);
    const cancelled = await api(stack, `/api/orders/${order.id}/cancel`, { method: 'POST', body: {} });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.order.status).toBe('CANCELLED');
    // Latipay has no cancel call: the orderStr stays payable there, and a payment is not lost.
    expect(await stack.tradePay(payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
    await eventually(async () => (await stack.app.store.listRefunds(order.id)).length === 1, 'the late-payment refund');
    stack.advance(2 * 60_000);
    await stack.app.reconciler.runOnce();
    const [late] = await stack.app.store.listRefunds(order.id);
    expect(late).toMatchObject({ source: 'late-payment', status: 'SUCCEEDED', amount: 53600 });
    expect((await ledger(stack)).refunds.filter((r) => r.merchantReference === order.merchantTransId)).toHaveLength(1);
    expect(await orderStatus(stack, order.id)).toBe('CANCELLED');
  });

  it('rejects a callback with a bad signature (4xx) and changes nothing', async () => {
    const { order } = await checkout(stack);
    const before = (await ledger(stack)).calls.transaction ?? 0;
    const forged = callbackBody(stack, order.merchantTransId, 'paid', 'f'.repeat(64));
    const res = await postCallback(stack, forged);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('NOTIFICATION_REJECTED');
    // A tampered amount under the original signature fails too.
    const genuine = callbackBody(stack, order.merchantTransId, 'paid');
    expect((await postCallback(stack, genuine.replace('amount=536.00', 'amount=5.36'))).status).toBe(400);
    expect((await postCallback(stack, 'merchant_reference=x')).status).toBe(400);
    expect(await orderStatus(stack, order.id)).toBe('PENDING');
    // Rejected before any gateway call.
    expect((await ledger(stack)).calls.transaction ?? 0).toBe(before);
  });

  it('a validly signed "paid" callback the query denies moves nothing; the real payment still does', async () => {
    const { order, payment } = await checkout(stack);
    const claim = callbackBody(stack, order.merchantTransId, 'paid');
    const res = await postCallback(stack, claim);
    expect(res).toMatchObject({ status: 200, text: 'sent' });
    expect(await orderStatus(stack, order.id)).toBe('PENDING');
    expect(await stack.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(0);

    // The same claim, once Latipay really has the payment, is a new event and confirms it.
    expect(await stack.tradePay(payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
    expect(await postCallback(stack, claim)).toMatchObject({ status: 200, text: 'sent' });
    expect(await orderStatus(stack, order.id)).toBe('SUCCEEDED');
  });

  it('replayed callbacks: every copy acknowledged with "sent", exactly one transition', async () => {
    await control(stack, { duplicates: 2 });
    try {
      const { order, payment } = await checkout(stack);
      expect(await stack.tradePay(payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
      await eventually(
        async () => (await ledger(stack)).callbacks.find((c) => c.merchantReference === order.merchantTransId)?.status === 'acknowledged',
        'the callback round',
      );
      const job = (await ledger(stack)).callbacks.find((c) => c.merchantReference === order.merchantTransId);
      expect(job.deliveries).toHaveLength(3);
      expect(job.deliveries.every((d: any) => d.acknowledged)).toBe(true);

      const replay = callbackBody(stack, order.merchantTransId, 'paid');
      const answers = await Promise.all([postCallback(stack, replay), postCallback(stack, replay), postCallback(stack, replay)]);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.text).toBe('sent');
        expect(answer.contentType).toMatch(/^text\/plain/);
      }
      expect(await orderStatus(stack, order.id)).toBe('SUCCEEDED');
      expect(await stack.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
    } finally {
      await control(stack, { duplicates: 0 });
    }
  });

  it('Latipay error replies become clear errors from POST /api/orders, and nothing is paid', async () => {
    const before = (await ledger(stack)).payments.length;
    await control(stack, { latipayFailNext: { count: 1, code: 301 } });
    const refused = await latipayOrder(stack);
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('CHANNEL_REJECTED');
    expect(refused.body.error.message).toMatch(/Latipay refused the payment \(code 301/);

    // Code 1 ("FAIL") and HTTP 5xx are no definite answer: "try again".
    await control(stack, { latipayFailNext: { count: 1, code: 1 } });
    const vague = await latipayOrder(stack);
    expect(vague.status).toBe(502);
    expect(vague.body.error.code).toBe('GATEWAY_UNAVAILABLE');
    await control(stack, { failNext: { count: 1, mode: '5xx' } });
    expect((await latipayOrder(stack)).body.error.code).toBe('GATEWAY_UNAVAILABLE');

    const book = await ledger(stack);
    expect(book.payments).toHaveLength(before);
  });

  it('a retry with the same Idempotency-Key after a refusal finishes the same order, same merchant_reference', async () => {
    await control(stack, { latipayFailNext: { count: 1, code: 207 } });
    const key = `latipay-retry-${Date.now()}`;
    const first = await latipayOrder(stack, { 'idempotency-key': key });
    expect(first.status).toBe(502);
    const second = await latipayOrder(stack, { 'idempotency-key': key });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const third = await latipayOrder(stack, { 'idempotency-key': key });
    expect(third.body.order.id).toBe(second.body.order.id);
    const book = await ledger(stack);
    expect(book.payments.filter((p) => p.merchantReference === second.body.order.merchantTransId)).toHaveLength(1);
  });

  it('the query answer in either documented amount form (number by default, string) settles the order', async () => {
    expect(stack.sandbox.control.current.forms.latipayAmount).toBe('number');
    for (const form of ['number', 'string'] as const) {
      await control(stack, { forms: { latipayAmount: form } });
      const { order, payment } = await checkout(stack);
      expect(await stack.tradePay(payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
      const confirmed = await api(stack, `/api/orders/${order.id}/confirm`, { method: 'POST', body: { resultCode: '6004' } });
      expect(confirmed.body.order.status, form).toBe('SUCCEEDED');
    }
    await control(stack, { forms: { latipayAmount: 'number' } });
  });

  it('canceled and rejected callbacks close the order, each acknowledged with "sent"', async () => {
    for (const [status, closedAs] of [
      ['canceled', 'CANCELLED'],
      ['rejected', 'FAILED'],
    ] as const) {
      const { order, payment } = await checkout(stack);
      const res = await fetch(`${stack.sandboxUrl}/sandbox/latipay/close`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchant_reference: order.merchantTransId, status }),
      });
      expect(res.status).toBe(200);
      await eventually(async () => (await orderStatus(stack, order.id)) === closedAs, `the ${status} callback`);
      await eventually(
        async () =>
          (await ledger(stack)).callbacks.some((c) => c.merchantReference === order.merchantTransId && c.status === 'acknowledged'),
        'the "sent" acknowledgement',
      );
      expect(await stack.tradePay(payment.orderStr, 'success')).toMatchObject({ resultCode: '4000' });
    }
  });

  it('keeps I1–I6 over everything above (Latipay records included)', async () => {
    const report = await stack.invariants();
    expect(report.text).not.toContain('BROKEN');
    expect(report.ok).toBe(true);
    expect(report.results.find((r) => r.id === 'I3')!.checked).toBeGreaterThan(0);
  });
});

describe('Latipay misconfiguration', () => {
  it('a wrong api key: the sandbox answers 206, the BFF answers 502 CHANNEL_REJECTED, nothing is recorded', async () => {
    const stack = await startStack({ env: { LATIPAY_API_KEY: 'f'.repeat(64) } });
    try {
      const res = await latipayOrder(stack);
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'CHANNEL_REJECTED' });
      expect(res.body.error.message).toMatch(/code 206/);
      expect((await ledger(stack)).payments).toHaveLength(0);
    } finally {
      await stack.close();
    }
  });
});

describe('Latipay refunds: reference is a note, so an unknown outcome is never re-sent blindly', () => {
  async function paidOrder(stack: Stack) {
    const { order, payment } = await checkout(stack);
    expect(await stack.tradePay(payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
    expect((await api(stack, `/api/orders/${order.id}/confirm`, { method: 'POST', body: { resultCode: '6004' } })).body.order.status).toBe(
      'SUCCEEDED',
    );
    return order;
  }
  const refund = (stack: Stack, orderId: string) =>
    stack.api(`/admin/orders/${orderId}/refunds`, {
      method: 'POST',
      body: {},
      headers: { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': `refund-${orderId}` },
    });

  it('a refund whose answer was lost is held, and the retries never refund twice (sandbox ledger)', async () => {
    // The sandbox refunds every repeat (no de-duplication is documented); the answer is lost after the refund is made.
    const stack = await startStack({ env: { LATIPAY_TIMEOUT_MS: '1500' } });
    try {
      const order = await paidOrder(stack);
      await control(stack, { failNext: { count: 1, mode: 'lost' } });
      const first = await refund(stack, order.id);
      expect(first.status, JSON.stringify(first.body)).toBe(202);
      expect(first.body.refund.status).toBe('PENDING');
      for (let i = 0; i < 3; i++) {
        stack.advance(15 * 60_000);
        await stack.app.reconciler.runOnce();
      }
      expect((await refund(stack, order.id)).body.refund.status).toBe('PENDING');
      const book = await ledger(stack);
      expect(book.refunds.filter((r) => r.merchantReference === order.merchantTransId)).toHaveLength(1);
      expect(book.calls.refund).toBe(1);
      expect(stack.logs.some((line) => line.includes('held for reconciliation'))).toBe(true);
    } finally {
      await stack.close();
    }
  });

  it('with LATIPAY_REFUND_RESEND=resend and an account that answers 562, the re-send counts as done', async () => {
    const stack = await startStack({ env: { LATIPAY_TIMEOUT_MS: '1500', LATIPAY_REFUND_RESEND: 'resend' } });
    try {
      await control(stack, { forms: { latipayRefundRepeat: '562' } });
      const order = await paidOrder(stack);
      await control(stack, { failNext: { count: 1, mode: 'lost' } });
      const res = await refund(stack, order.id);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.refund.status).toBe('SUCCEEDED');
      expect(res.body.order.status).toBe('REFUNDED');
      const book = await ledger(stack);
      expect(book.refunds.filter((r) => r.merchantReference === order.merchantTransId)).toHaveLength(1);
      expect(book.calls.refund).toBe(2);
    } finally {
      await stack.close();
    }
  });
});
