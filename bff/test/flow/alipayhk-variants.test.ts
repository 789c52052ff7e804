/**
 * The BFF against each gateway variant AlipayHK's pages leave open (docs/protocols/alipayhk.md#settled-and-unsettled), over loopback:
 * every signing pair `RSA`/`RSA2` × `base64`/`url` — pay, notify, ack, query, refund, bind, charge,
 * unbind — and the sandbox's other variants (nested payQuery, lower-case and `grefund` paths,
 * applyToken without a user id, SYSTEM_ERROR answered with `F`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutSignedParts } from '../../src/channels/alipayhk/sign-content';
import { decideOnConsentPage } from '../support/consent';
import { eventually, startStack, type Stack, type StackOptions } from '../support/stack';

const BUYER = '2188000000000321';
const TART = { sku: 'EGG-TART-6', quantity: 1 };

async function start(options: StackOptions): Promise<{ stack: Stack; token: string }> {
  const stack = await startStack({ ...options, sandbox: { walletCustomerId: BUYER, ...options.sandbox } });
  return { stack, token: await stack.session(BUYER) };
}

async function order(stack: Stack, token: string) {
  const created = await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 2 }] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { order: { id: string; merchantTransId: string; amount: { value: string } }; payment: { orderStr: string } };
}

async function status(stack: Stack, token: string, id: string): Promise<string> {
  return (await stack.api(`/api/orders/${id}`, { token })).body.order.status;
}

async function bind(stack: Stack, token: string): Promise<{ id: string; merchantAgreementId: string }> {
  const created = await stack.api('/api/agreements', { method: 'POST', token });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const location = await decideOnConsentPage(created.body.authUrl, 'agree');
  const back = await fetch(location, { redirect: 'manual' });
  expect(back.status, await back.clone().text()).toBe(200);
  const agreement = (await stack.api(`/api/agreements/${created.body.agreement.id}`, { token })).body.agreement;
  expect(agreement.status).toBe('ACTIVE');
  return agreement;
}

function refund(stack: Stack, id: string, amount: string) {
  const headers = { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': `refund-${id}-${amount}` };
  return stack.api(`/admin/orders/${id}/refunds`, { method: 'POST', body: { amount }, headers });
}

describe.each([
  ['RSA', 'base64'],
  ['RSA', 'url'],
  ['RSA2', 'base64'],
  ['RSA2', 'url'],
] as const)('AlipayHK %s signatures, %s encoding, both sides', (signAlgorithm, signatureEncoding) => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    ({ stack, token } = await start({ signAlgorithm, signatureEncoding }));
  });
  afterAll(async () => stack?.close());

  it('pay → notify → signed ack; unknown → query; refund', async () => {
    const { order: paid, payment } = await order(stack, token);
    const signature = JSON.parse(payment.orderStr).signature as string;
    // url: encodeURIComponent of the base64 (a 344-character base64 holds / or + nearly always).
    if (signatureEncoding === 'url') expect(signature).toMatch(/%2[BF]/);
    else expect(signature).toMatch(/^[A-Za-z0-9+/]{342}==$|^[A-Za-z0-9+/]{343}=$|^[A-Za-z0-9+/]{344}$/);
    expect(await stack.tradePay(payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
    await eventually(async () => (await status(stack, token, paid.id)) === 'SUCCEEDED', 'the notification');
    await eventually(
      async () =>
        stack.sandbox.ledger
          .snapshot()
          .notifications.some((n) => n.merchantTransId === paid.merchantTransId && n.status === 'acknowledged'),
      'the acknowledgement, verified by the sandbox',
    );

    const { order: unknown, payment: second } = await order(stack, token);
    expect(await stack.tradePay(second.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
    const confirmed = await stack.api(`/api/orders/${unknown.id}/confirm`, { method: 'POST', token, body: { resultCode: '6004' } });
    expect(confirmed.body.order.status).toBe('SUCCEEDED');

    const refunded = await refund(stack, paid.id, '1000');
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(201);
    expect(refunded.body.refund.status).toBe('SUCCEEDED');
    expect(
      stack.sandbox.ledger.snapshot().refunds.filter((r) => r.merchantRefundId === refunded.body.refund.merchantRefundId),
    ).toHaveLength(1);
  });

  it('bind → charge → unbind in the wallet (notify.cancel, signed ack)', async () => {
    const agreement = await bind(stack, token);
    const charged = await stack.api(`/api/agreements/${agreement.id}/charges`, { method: 'POST', token, body: { items: [TART] } });
    expect(charged.status, JSON.stringify(charged.body)).toBe(201);
    expect(charged.body.order.status).toBe('SUCCEEDED');
    const unbound = await fetch(`${stack.sandboxUrl}/sandbox/wallet/agreements/${agreement.merchantAgreementId}/unbind`, {
      method: 'POST',
    });
    expect(unbound.status).toBe(200);
    await eventually(
      async () =>
        stack.sandbox.cancelNotifications().find((n) => n.merchantAgreementId === agreement.merchantAgreementId)?.status === 'acknowledged',
      'the acknowledged notify.cancel',
    );
    expect((await stack.api(`/api/agreements/${agreement.id}`, { token })).body.agreement.status).toBe('REVOKED');
    expect((await stack.api(`/api/agreements/${agreement.id}/charges`, { method: 'POST', token, body: { items: [TART] } })).status).toBe(
      409,
    );
  });
});

describe('a url-encoding gateway form-decodes what it receives', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    // The BFF sends raw base64; the gateway expects encoded signatures.
    stack = await startStack({ signAlgorithm: 'RSA', signatureEncoding: 'url', env: { ALIPAYHK_SIGNATURE_ENCODING: 'base64' } });
    token = await stack.session();
  });
  afterAll(async () => stack?.close());

  it('so a raw base64 signature holding "+" is refused there', async () => {
    // Try orders until one signature holds a "+" (nearly every one does).
    for (let i = 0; i < 5; i += 1) {
      const { payment } = await order(stack, token);
      if (!cutSignedParts(payment.orderStr, 'request').signature.includes('+')) continue;
      const res = await fetch(`${stack.sandboxUrl}/sandbox/wallet/tradePay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderStr: payment.orderStr }),
      });
      expect(res.status).toBe(400);
      return;
    }
    throw new Error('no signature with "+" in five orders');
  });
});

describe('other gateway variants', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    ({ stack, token } = await start({
      signAlgorithm: 'RSA',
      sandbox: { queryShape: 'nested', pathCase: 'lower', refundPath: 'grefund', applyTokenUserId: false },
      env: {
        ALIPAYHK_PATHS: JSON.stringify({
          'alipay.intl.acquiring.common.payQuery': '/api/alipay/intl/acquiring/common/payquery.htm',
          'alipay.intl.acquiring.common.payCancel': '/api/alipay/intl/acquiring/common/paycancel.htm',
          'alipay.intl.acquiring.common.refund': '/api/alipay/intl/acquiring/common/grefund.htm',
        }),
      },
    }));
  });
  afterAll(async () => stack?.close());

  it('the default paths are not served by this gateway (the override is what reaches it)', async () => {
    const res = await fetch(`${stack.sandboxUrl}/api/alipay/intl/acquiring/common/payQuery.htm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('nested payQuery (statusDetail.acquirementStatus) → SUCCEEDED; refund on grefund.htm', async () => {
    const { order: paid, payment } = await order(stack, token);
    expect(await stack.tradePay(payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
    const confirmed = await stack.api(`/api/orders/${paid.id}/confirm`, { method: 'POST', token, body: { resultCode: '6004' } });
    expect(confirmed.body.order.status).toBe('SUCCEEDED');
    const refunded = await refund(stack, paid.id, '500');
    expect(refunded.body.refund.status).toBe('SUCCEEDED');
  });

  it('sign-in and binding name the wallet user through getUserInfo when applyToken does not', async () => {
    expect(stack.sandbox.ledger.snapshot().calls['alipay.intl.user.query.getUserInfo']).toBeGreaterThanOrEqual(1);
    await bind(stack, token);
  });

  it('SYSTEM_ERROR with F on a refund → PENDING, then the retry with the same merchantRefundId settles it', async () => {
    const { order: paid, payment } = await order(stack, token);
    await stack.tradePay(payment.orderStr, 'success');
    await eventually(async () => (await status(stack, token, paid.id)) === 'SUCCEEDED', 'the notification');
    // Every in-request attempt (3) is answered F / SYSTEM_ERROR; the first one did refund.
    stack.sandbox.control.update({ failNext: { count: 3, mode: 'SYSTEM_ERROR' } });
    const first = await refund(stack, paid.id, '700');
    expect(first.status).toBe(202);
    expect(first.body.refund.status).toBe('PENDING');
    stack.advance(10 * 60_000);
    await stack.app.reconciler.runOnce();
    const after = await stack.api(`/admin/orders/${paid.id}`, { headers: { authorization: `Bearer ${stack.config.adminToken}` } });
    expect(after.body.refunds.find((r: { id: string }) => r.id === first.body.refund.id).status).toBe('SUCCEEDED');
    // One refund at the gateway: the retry reused the merchantRefundId.
    expect(stack.sandbox.ledger.snapshot().refunds.filter((r) => r.merchantRefundId === first.body.refund.merchantRefundId)).toHaveLength(
      1,
    );
  });

  it('SYSTEM_ERROR with F on agreement.pay → PENDING (never FAILED), then settled by payQuery', async () => {
    const agreement = await bind(stack, token);
    stack.sandbox.control.update({ failNext: { count: 1, mode: 'SYSTEM_ERROR' } });
    // The debit happened; its notification is lost, so only the query can tell.
    stack.sandbox.control.update({ dropRate: 1 });
    const charged = await stack.api(`/api/agreements/${agreement.id}/charges`, { method: 'POST', token, body: { items: [TART] } });
    stack.sandbox.control.update({ dropRate: 0 });
    expect(charged.status).toBe(202);
    expect(charged.body.order.status).toBe('PENDING');
    const confirmed = await stack.api(`/api/orders/${charged.body.order.id}/confirm`, {
      method: 'POST',
      token,
      body: { resultCode: '6004' },
    });
    expect(confirmed.body.order.status).toBe('SUCCEEDED');
  });
});

describe('payCancel of a paid same-day payment is the refund', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    ({ stack, token } = await start({ signAlgorithm: 'RSA' }));
  });
  afterAll(async () => stack?.close());

  it('the late payment is recorded refunded and no second refund reaches the gateway', async () => {
    const { order: paid, payment } = await order(stack, token);
    // The buyer pays; the notification is still on its way when the order is closed at the gateway.
    stack.sandbox.control.update({ notifyDelayMs: 1500 });
    expect(await stack.tradePay(payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
    stack.sandbox.control.update({ notifyDelayMs: 0 });
    const channel = stack.app.channels.get('alipayhk')!;
    const cancel = await channel.cancelPayment({ merchantTransId: paid.merchantTransId } as never);
    expect(cancel.status).toBe('CANCELLED');
    await stack.app.store.closeUnpaid(paid.id, 'CANCELLED', 'expired: closed at the gateway');
    // The notification arrives after the close: a late payment, to be refunded…
    await eventually(async () => (await stack.app.store.listRefunds(paid.id)).length > 0, 'the late-payment refund record');
    stack.advance(10 * 60_000);
    await stack.app.reconciler.runOnce();
    const refunds = await stack.app.store.listRefunds(paid.id);
    expect(refunds.map((r) => r.status)).toEqual(['SUCCEEDED']);
    // …by the payCancel itself: the gateway holds that one refund only.
    const atGateway = stack.sandbox.ledger.snapshot().refunds.filter((r) => r.merchantTransId === paid.merchantTransId);
    expect(atGateway.map((r) => r.source)).toEqual(['payCancel']);
  });
});
