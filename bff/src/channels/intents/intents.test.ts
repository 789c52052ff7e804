import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fakeAggregator } from '../../../test/support/fake-intents';
import { AppError } from '../../errors';
import type { RefundableOrder } from '../../payments/channel';
import { createIntentsChannel } from './index';
import { webhookSignature, verifyWebhookSignature } from './signing';
import { signTestWebhook } from './testing';
import { TEST_ORDER } from '../testing';

/** Computed with `printf '%s' '<body>.<key>' | sha256sum` (coreutils), not with either implementation. */
const VECTORS = [
  {
    body: '{"notify_type":"payment_success","data":{"order_id":"C991289984923795789123","merchant_order_id":"P9297895081903"}}',
    key: '111222333',
    hex: 'f89925952f25d237a4dd84a57b668fb8b80046facb23dbf5895495464e3232f5',
  },
  {
    body: '{"notify_type":"payment_success","data":{"order_id":"C1","merchant_order_id":"TP茶"}}',
    key: 'k',
    hex: '0e60e80d63bcd55f22fbaa79a45bcad1c50ef6ccfc8e6374dcebb2852b02e4f0',
  },
];

const API_KEY = 'test-intents-api-key-0123456789abcdef';

function setup(options: { expiresIn?: number } = {}) {
  let nowMs = Date.parse('2026-03-01T10:00:00Z');
  const aggregator = fakeAggregator(options);
  const channel = createIntentsChannel(
    {
      gatewayUrl: 'https://intents.example',
      apiKey: API_KEY,
      merchantId: 'M-1',
      uid: 'UID-1',
      clientSecret: 'test-client-secret',
      notifyUrl: 'https://shop.example/notify/intents',
      returnUrl: 'https://shop.example/h5/return',
      timeoutMs: 1000,
    },
    { fetch: aggregator.fetch, now: () => new Date(nowMs) },
  );
  return { aggregator, channel, advance: (ms: number) => (nowMs += ms) };
}

const order = TEST_ORDER;

/** A signed webhook about `order` (HKD 120.50, aggregator order C9), with `extra` options. */
const webhookC9 = (extra: Partial<Parameters<typeof signTestWebhook>[0]> = {}) =>
  signTestWebhook({ merchantOrderId: order.merchantTransId, amount: '120.50', currency: 'HKD', orderId: 'C9', ...extra }, API_KEY);

describe('webhook signature', () => {
  it.each(VECTORS)('reproduces the coreutils vector $hex', ({ body, key, hex }) => {
    expect(webhookSignature(body, key)).toBe(hex);
    expect(verifyWebhookSignature(body, key, hex)).toBe(true);
  });

  it('is plain SHA-256 of body + "." + key, so neither part can move', () => {
    const { body, key, hex } = VECTORS[0]!;
    expect(verifyWebhookSignature(`${body} `, key, hex)).toBe(false);
    expect(verifyWebhookSignature(body, `${key}x`, hex)).toBe(false);
    expect(verifyWebhookSignature(body, key, hex.slice(0, 63))).toBe(false);
    expect(verifyWebhookSignature(body, key, undefined)).toBe(false);
    expect(verifyWebhookSignature(body, key, 'z'.repeat(64))).toBe(false);
  });
});

describe('createPayment', () => {
  it('sends major units, our 30-character id, and URLs from configuration; answers with the redirect', async () => {
    const { aggregator, channel } = setup();
    const action = await channel.createPayment(order, { clientIp: '127.0.0.1', wallet: 'ALIPAYCN' });
    expect(action).toEqual({ type: 'redirect', url: 'https://cashier.example/pay/C000000000000000000001' });
    const create = aggregator.requests.find((r) => r.path.endsWith('/create'))!;
    expect(create.authorization).toBe('Bearer tok-1');
    expect(create.body).toEqual({
      amount: '120.50',
      currency: 'HKD',
      merchant_order_id: 'TP20260301ABCDEFGHJKMNPQRSTVWX',
      description: 'Oolong tea, 100 g and 1 more',
      notify_url: 'https://shop.example/notify/intents',
      return_url: 'https://shop.example/h5/return?order=ord_AAAAAAAAAAAAAAAAAAAAAAAA',
      payment_method: { type: 'alipayhk', alipayhk: { flow: 'mobile_web', payment_method: 'ALIPAYCN' } },
    });
    expect(aggregator.requests[0]).toMatchObject({
      path: '/mch-api/v1/auth',
      method: 'GET',
      query: { grant_type: 'client_credentials', uid: 'UID-1', client_secret: 'test-client-secret' },
      body: undefined,
      authorization: null,
    });
  });

  it('defaults to the AlipayHK wallet', async () => {
    const { aggregator, channel } = setup();
    await channel.createPayment(order, { clientIp: '127.0.0.1' });
    expect(aggregator.requests.at(-1)!.body.payment_method.alipayhk.payment_method).toBe('ALIPAYHK');
  });

  it('refuses a redirect that is not http(s), a refusal, and an outage, as GATEWAY_UNAVAILABLE', async () => {
    const { aggregator, channel } = setup();
    aggregator.override('/mch-api/v1/pa/payment_intents/create', {
      status: 200,
      body: {
        code: 0,
        data: { merchant_order_id: order.merchantTransId, order_id: 'C1', next_action: { type: 'redirect', url: 'javascript:alert(1)' } },
      },
    });
    await expect(channel.createPayment(order, { clientIp: '::1' })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
    aggregator.override('/mch-api/v1/pa/payment_intents/create', { status: 400, body: { code: 40002, message: 'currency' } });
    await expect(channel.createPayment(order, { clientIp: '::1' })).rejects.toBeInstanceOf(AppError);
    aggregator.override('/mch-api/v1/pa/payment_intents/create', 'network-error');
    await expect(channel.createPayment(order, { clientIp: '::1' })).rejects.toMatchObject({ statusCode: 502 });
  });
});

describe('access token', () => {
  it('is fetched once, reused, and refreshed 60 s before it expires', async () => {
    const { aggregator, channel, advance } = setup({ expiresIn: 3600 });
    await Promise.all([channel.queryPayment(order), channel.queryPayment(order), channel.queryPayment(order)]);
    expect(aggregator.tokensIssued).toBe(1);
    advance(3600_000 - 61_000);
    await channel.queryPayment(order);
    expect(aggregator.tokensIssued).toBe(1);
    advance(2_000);
    await channel.queryPayment(order);
    expect(aggregator.tokensIssued).toBe(2);
    expect(aggregator.requests.at(-1)!.authorization).toBe('Bearer tok-2');
  });

  it('is fetched again once when the gateway says it is no longer valid', async () => {
    const { aggregator, channel } = setup();
    await channel.queryPayment(order);
    aggregator.revokeTokens();
    expect(await channel.queryPayment(order)).toEqual({ status: 'PENDING' });
    expect(aggregator.tokensIssued).toBe(2);
  });

  it('a refused token request makes the outcome unknown, never a failure', async () => {
    const { aggregator, channel } = setup();
    aggregator.override('/mch-api/v1/auth', { status: 401, body: { code: 40100, message: 'unknown api_key' } }, false);
    expect(await channel.queryPayment(order)).toMatchObject({ status: 'UNKNOWN' });
    expect(await channel.cancelPayment(order)).toMatchObject({ status: 'UNKNOWN' });
  });
});

describe('queryPayment', () => {
  it('maps SUCCEEDED to paid evidence in minor units, CANCELLED to CANCELLED, PENDING and never-created to PENDING', async () => {
    const { aggregator, channel } = setup();
    expect(await channel.queryPayment(order)).toEqual({ status: 'PENDING' });
    await channel.createPayment(order, { clientIp: '::1' });
    expect(await channel.queryPayment(order)).toEqual({ status: 'PENDING' });
    aggregator.intents.get(order.merchantTransId)!.status = 'SUCCEEDED';
    const paid = await channel.queryPayment(order);
    expect(paid).toMatchObject({
      status: 'PAID',
      evidence: {
        source: 'query',
        merchantId: 'M-1',
        merchantTransId: order.merchantTransId,
        gatewayTransactionId: 'C000000000000000000001',
        amount: 12050,
        currency: 'HKD',
      },
    });
    aggregator.intents.get(order.merchantTransId)!.status = 'CANCELLED';
    expect(await channel.queryPayment(order)).toMatchObject({ status: 'CLOSED', closedAs: 'CANCELLED' });
  });

  it('is UNKNOWN for an answer about another order, an unmapped status, or an outage', async () => {
    const { aggregator, channel } = setup();
    const path = '/mch-api/v1/pa/payment_intents/query';
    aggregator.override(path, {
      status: 200,
      body: { code: 0, data: { merchant_order_id: 'OTHER', status: 'SUCCEEDED', amount: '120.50', currency: 'HKD' } },
    });
    expect(await channel.queryPayment(order)).toMatchObject({ status: 'UNKNOWN' });
    aggregator.override(path, { status: 200, body: { code: 0, data: { merchant_order_id: order.merchantTransId, status: 'REFUNDING' } } });
    expect(await channel.queryPayment(order)).toMatchObject({ status: 'UNKNOWN' });
    aggregator.override(path, { status: 503, body: { code: 50000 } });
    expect(await channel.queryPayment(order)).toMatchObject({ status: 'UNKNOWN' });
    aggregator.override(path, 'network-error');
    expect(await channel.queryPayment(order)).toMatchObject({ status: 'UNKNOWN' });
  });
});

describe('cancelPayment and refund', () => {
  it('cancels an open intent, refuses a paid one, and treats a missing cancel endpoint as close-locally', async () => {
    const { aggregator, channel } = setup();
    await channel.createPayment(order, { clientIp: '::1' });
    expect(await channel.cancelPayment(order)).toEqual({ status: 'CANCELLED' });
    aggregator.intents.get(order.merchantTransId)!.status = 'SUCCEEDED';
    expect(await channel.cancelPayment(order)).toEqual({ status: 'REFUSED', code: '40901' });
    aggregator.override('/mch-api/v1/pa/payment_intents/cancel', { status: 404, body: { error: 'NOT_FOUND' } });
    expect(await channel.cancelPayment(order)).toEqual({ status: 'CANCELLED' });
    aggregator.override('/mch-api/v1/pa/payment_intents/cancel', { status: 502, body: 'bad gateway' });
    expect(await channel.cancelPayment(order)).toMatchObject({ status: 'UNKNOWN' });
  });

  it('refunds in major units under our merchant_refund_id', async () => {
    const { aggregator, channel } = setup();
    await channel.createPayment(order, { clientIp: '::1' });
    const paid: RefundableOrder = { ...order, gatewayTransactionId: 'C000000000000000000001' };
    expect(await channel.refund(paid, { merchantRefundId: 'RF-1', amount: 5, reason: 'x', resend: false })).toEqual({
      status: 'SUCCEEDED',
      gatewayRefundId: 'RRF-1',
    });
    expect(aggregator.requests.at(-1)).toMatchObject({
      path: '/mch-api/v1/acq/wechat/create_refund',
      body: { merchant_payment_order_id: order.merchantTransId, merchant_refund_id: 'RF-1', refund_amount: '0.05', reason: 'x' },
    });
    aggregator.override('/mch-api/v1/acq/wechat/create_refund', { status: 422, body: { code: 42201, message: 'exceeds' } });
    expect(await channel.refund(paid, { merchantRefundId: 'RF-2', amount: 5, reason: 'x', resend: false })).toEqual({
      status: 'FAILED',
      code: '42201',
    });
    aggregator.override('/mch-api/v1/acq/wechat/create_refund', 'network-error');
    expect(await channel.refund(paid, { merchantRefundId: 'RF-2', amount: 5, reason: 'x', resend: false })).toMatchObject({
      status: 'UNKNOWN',
    });
  });
});

describe('parseNotification', () => {
  it('verifies the header signature over the raw body and reads the facts', async () => {
    const { channel } = setup();
    const { raw, headers } = webhookC9();
    const n = await channel.parseNotification(raw, headers);
    expect(n).toMatchObject({
      channel: 'h5',
      identity: 'C9:payment_success:SUCCEEDED',
      outcome: 'PAID',
      evidence: { source: 'notification', amount: 12050, currency: 'HKD', gatewayTransactionId: 'C9' },
    });
    expect(Object.keys(headers)).toContain('signature');
    await expect(channel.parseNotification(raw, { ...headers, signature: webhookSignature(raw, 'another-key') })).rejects.toMatchObject({
      reason: 'signature',
    });
    await expect(channel.parseNotification(raw, {})).rejects.toMatchObject({ reason: 'signature' });
    await expect(channel.parseNotification(raw, { signature: [headers.signature!, headers.signature!] })).rejects.toMatchObject({
      reason: 'signature',
    });
  });

  it('takes the signature from `Signature` or `x-signature`, and the money from amount or order_amount', async () => {
    const { channel } = setup();
    const viaX = webhookC9({ header: 'x-signature' });
    expect(viaX.headers['x-signature']).toBeDefined();
    expect((await channel.parseNotification(viaX.raw, viaX.headers)).outcome).toBe('PAID');
    await expect(channel.parseNotification(viaX.raw, { 'x-signature': webhookSignature(viaX.raw, 'another-key') })).rejects.toMatchObject({
      reason: 'signature',
    });
    const twin = webhookC9({ orderAmountFields: true });
    expect(twin.raw).toContain('"order_amount":"120.50"');
    expect((await channel.parseNotification(twin.raw, twin.headers)).evidence).toMatchObject({
      source: 'notification',
      amount: 12050,
      currency: 'HKD',
    });
  });

  it('a PENDING webhook and the later SUCCEEDED one are two events, not one', async () => {
    const { channel } = setup();
    const pending = webhookC9({ status: 'PENDING' });
    const paid = webhookC9();
    const first = await channel.parseNotification(pending.raw, pending.headers);
    const second = await channel.parseNotification(paid.raw, paid.headers);
    expect(first.outcome).toBe('NOT_PAID');
    expect(second.outcome).toBe('PAID');
    expect(second.identity).not.toBe(first.identity);
  });

  it('the documented example webhook (fixture) verifies byte for byte under the documented vector', () => {
    const raw = readFileSync(new URL('../../../test/fixtures/intents/webhook.json', import.meta.url), 'utf8');
    expect(raw).toBe(VECTORS[0]!.body);
    expect(verifyWebhookSignature(raw, '111222333', VECTORS[0]!.hex)).toBe(true);
    expect(verifyWebhookSignature(`${raw}\n`, '111222333', VECTORS[0]!.hex)).toBe(false);
  });

  it('reads the redirect from next_action.url (the documented create answer) or next_action.redirect_url', async () => {
    const documentedAnswer = JSON.parse(
      readFileSync(new URL('../../../test/fixtures/intents/create-answer.json', import.meta.url), 'utf8'),
    );
    const documentedOrder = { ...order, merchantTransId: 'P9297895081903' };
    const { aggregator, channel } = setup();
    aggregator.override('/mch-api/v1/pa/payment_intents/create', { status: 200, body: documentedAnswer });
    expect(await channel.createPayment(documentedOrder, { clientIp: '::1' })).toEqual({
      type: 'redirect',
      url: documentedAnswer.data.next_action.url,
    });
    const { url, ...rest } = documentedAnswer.data.next_action;
    aggregator.override('/mch-api/v1/pa/payment_intents/create', {
      status: 200,
      body: { ...documentedAnswer, data: { ...documentedAnswer.data, next_action: { ...rest, redirect_url: url } } },
    });
    expect(await channel.createPayment(documentedOrder, { clientIp: '::1' })).toEqual({ type: 'redirect', url });
  });

  it('reads an unreadable amount as -1 (refused later) and other notify types as not paid', async () => {
    const { channel } = setup();
    const odd = signTestWebhook({ merchantOrderId: order.merchantTransId, amount: '120.505', currency: 'HKD' }, API_KEY);
    expect((await channel.parseNotification(odd.raw, odd.headers)).evidence.amount).toBe(-1);
    const other = signTestWebhook(
      { merchantOrderId: order.merchantTransId, amount: '120.50', currency: 'HKD', notifyType: 'payment_cancelled', status: 'CANCELLED' },
      API_KEY,
    );
    expect((await channel.parseNotification(other.raw, other.headers)).outcome).toBe('NOT_PAID');
  });

  it('takes the facts from a query when the webhook names the order only (as seed 001 shows)', async () => {
    const { aggregator, channel } = setup();
    await channel.createPayment(order, { clientIp: '::1' });
    const bare = signTestWebhook({ merchantOrderId: order.merchantTransId, orderId: 'C000000000000000000001' }, API_KEY);
    await expect(channel.parseNotification(bare.raw, bare.headers)).rejects.toThrow(/query says PENDING/);
    aggregator.intents.get(order.merchantTransId)!.status = 'SUCCEEDED';
    expect((await channel.parseNotification(bare.raw, bare.headers)).evidence).toMatchObject({ source: 'query', amount: 12050 });
  });
});
