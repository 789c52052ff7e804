/**
 * The H5 channel over HTTP (app.inject), with a scripted aggregator behind `fetch`: order creation
 * with server-built URLs, the closed request schema, and `POST /notify/intents` — verified over the
 * raw body, checked against the order, committed once, acknowledged with HTTP 200 only after that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { webhookSignature } from '../../src/channels/intents/signing';
import { signTestWebhook } from '../../src/channels/intents/testing';
import { loadConfig } from '../../src/config';
import { captureLogs } from '../support/app';
import { fakeAggregator, type FakeAggregator } from '../support/fake-intents';
import { fixture } from '../support/fixtures';

const API_KEY = 'http-test-intents-key-0123456789abcdef';
const PUBLIC_URL = 'https://shop.example';

let app: FastifyInstance;
let aggregator: FakeAggregator;
let auth: { authorization: string };
let dataDir: string;
const logs = captureLogs();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tradepay-intents-'));
  aggregator = fakeAggregator();
  const config = loadConfig({
    DATA_DIR: dataDir,
    ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
    ALIPAYHK_GATEWAY_PUBLIC_KEY: fixture('test-merchant-public.pem'),
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    INTENTS_API_KEY: API_KEY,
    PUBLIC_URL,
    RECONCILE_INTERVAL_SECONDS: '0',
  });
  app = await buildApp(config, { logStream: logs.stream, sleep: async () => undefined, fetch: aggregator.fetch });
  await app.ready();
  const session = await app.inject({ method: 'POST', url: '/api/session', payload: {} });
  auth = { authorization: `Bearer ${session.json().token}` };
});
afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Created {
  order: { id: string; merchantTransId: string; status: string; amount: { currency: string; value: string } };
  payment: { type: string; url: string };
}

async function newOrder(extra: Record<string, unknown> = {}): Promise<Created> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/orders',
    headers: auth,
    payload: { items: [{ sku: 'TEA-OOLONG-100G', quantity: 1 }], channel: 'h5', ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

function deliver(raw: string, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/notify/intents', headers, payload: raw });
}

async function statusOf(id: string): Promise<string> {
  return (await app.inject({ url: `/api/orders/${id}`, headers: auth })).json().order.status;
}

/** Decimal major units of an order amount ("8800" minor → "88.00"). */
function decimal(order: Created['order'], deltaMinor = 0): string {
  const minor = Number(order.amount.value) + deltaMinor;
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

function webhookFor(order: Created['order'], overrides: Partial<Parameters<typeof signTestWebhook>[0]> = {}) {
  return signTestWebhook(
    {
      merchantOrderId: order.merchantTransId,
      amount: decimal(order),
      currency: order.amount.currency,
      orderId: `C${order.merchantTransId.slice(-10)}`,
      ...overrides,
    },
    API_KEY,
  );
}

describe('POST /api/orders with channel h5', () => {
  it('creates an intent with the wallet chosen, major units, and notify/return URLs built from PUBLIC_URL', async () => {
    const { order, payment } = await newOrder({ wallet: 'ALIPAYCN' });
    expect(payment).toEqual({ type: 'redirect', url: expect.stringMatching(/^https:\/\/cashier\.example\/pay\/C\d+$/) });
    const create = aggregator.requests.filter((r) => r.path.endsWith('/create')).at(-1)!;
    expect(create.body).toMatchObject({
      amount: decimal(order),
      currency: 'HKD',
      merchant_order_id: order.merchantTransId,
      notify_url: `${PUBLIC_URL}/notify/intents`,
      return_url: `${PUBLIC_URL}/h5/return?order=${order.id}`,
      payment_method: { type: 'alipayhk', alipayhk: { flow: 'mobile_web', payment_method: 'ALIPAYCN' } },
    });
    expect(order.merchantTransId).toHaveLength(30);
  });

  it.each([
    ['returnUrl', { returnUrl: 'https://evil.example/steal' }],
    ['return_url', { return_url: 'https://evil.example/steal' }],
    ['notifyUrl', { notifyUrl: 'https://evil.example/notify' }],
    ['redirectUrl', { redirectUrl: 'https://evil.example/' }],
    ['an unknown wallet', { wallet: 'WECHAT' }],
    ['an amount', { amount: '1' }],
  ])('rejects %s from the client with 400 and calls no gateway', async (_name, extra) => {
    const before = aggregator.requests.length;
    const res = await app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth,
      payload: { items: [{ sku: 'TEA-OOLONG-100G', quantity: 1 }], channel: 'h5', ...extra },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(aggregator.requests.length).toBe(before);
  });

  it('answers 502 when the aggregator cannot be reached, and a retry with the same key reuses the order', async () => {
    aggregator.override('/mch-api/v1/pa/payment_intents/create', 'network-error');
    const payload = { items: [{ sku: 'EGG-TART-6', quantity: 2 }], channel: 'h5' };
    const headers = { ...auth, 'idempotency-key': 'h5-retry-key-0001' };
    const failed = await app.inject({ method: 'POST', url: '/api/orders', headers, payload });
    expect(failed.statusCode).toBe(502);
    const retried = await app.inject({ method: 'POST', url: '/api/orders', headers, payload });
    expect(retried.statusCode).toBe(201);
    const creates = aggregator.requests.filter((r) => r.path.endsWith('/create')).slice(-2);
    expect(creates[0]!.body.merchant_order_id).toBe(creates[1]!.body.merchant_order_id);
  });
});

describe('POST /notify/intents', () => {
  it('verifies, commits, then acknowledges with HTTP 200; the order is SUCCEEDED', async () => {
    const { order } = await newOrder();
    const { raw, headers } = webhookFor(order);
    const res = await deliver(raw, headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: 0, message: 'success' });
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    expect(await app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('a replay of the same webhook is acknowledged again and changes nothing (one transition)', async () => {
    const { order } = await newOrder();
    const { raw, headers } = webhookFor(order);
    const responses = [
      await deliver(raw, headers),
      await deliver(raw, headers),
      ...(await Promise.all([deliver(raw, headers), deliver(raw, headers)])),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(await app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('rejects a bad signature (another key) and changes nothing', async () => {
    const { order } = await newOrder();
    const { raw, headers } = webhookFor(order);
    const res = await deliver(raw, { ...headers, signature: webhookSignature(raw, 'not-the-api-key-0123456789') });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('NOTIFICATION_REJECTED');
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects a missing or malformed signature header', async () => {
    const { order } = await newOrder();
    const { raw, headers } = webhookFor(order);
    const { signature, ...unsigned } = headers;
    for (const h of [
      unsigned,
      { ...unsigned, signature: '' },
      { ...unsigned, 'x-signature': '' },
      { ...unsigned, signature: signature!.toUpperCase().replace(/A/g, 'B') },
      { ...unsigned, 'x-hub-signature': signature! },
    ]) {
      expect((await deliver(raw, h)).statusCode).toBe(400);
    }
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects a body tampered with after signing (amount raised by one cent)', async () => {
    const { order } = await newOrder();
    const { raw, headers } = webhookFor(order);
    const tampered = raw.replace(`"amount":"${decimal(order)}"`, `"amount":"${decimal(order, 1)}"`);
    expect(tampered).not.toBe(raw);
    expect((await deliver(tampered, headers)).statusCode).toBe(400);
    expect((await deliver(`${raw} `, headers)).statusCode).toBe(400);
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects a correctly signed webhook whose amount or currency does not match the order', async () => {
    const { order } = await newOrder();
    for (const overrides of [
      { amount: decimal(order, -1) },
      { amount: decimal(order, 100) },
      { currency: 'CNY' },
      { amount: '88' + '.001' },
    ]) {
      const { raw, headers } = webhookFor(order, overrides);
      const res = await deliver(raw, headers);
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(res.json().error.code).toBe('NOTIFICATION_REJECTED');
    }
    expect(await statusOf(order.id)).toBe('PENDING');
    expect(await app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(0);
  });

  it('rejects a correctly signed webhook for an order we do not have', async () => {
    const { raw, headers } = signTestWebhook(
      { merchantOrderId: 'TP20260101NOSUCHORDER000000000', amount: '88.00', currency: 'HKD' },
      API_KEY,
    );
    const res = await deliver(raw, headers);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('NOTIFICATION_REJECTED');
  });

  it('rejects an AlipayHK order named through the intents webhook (wrong channel)', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth,
      payload: { items: [{ sku: 'TEA-OOLONG-100G', quantity: 1 }] },
    });
    const order = created.json().order as Created['order'];
    const { raw, headers } = webhookFor(order);
    expect((await deliver(raw, headers)).statusCode).toBe(400);
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects signed bodies that are not webhooks', async () => {
    for (const raw of [
      '',
      'null',
      '{"notify_type":"payment_success"}',
      '{"notify_type":"payment_success","data":{"order_id":1}}',
      '{"a":'.repeat(100),
    ]) {
      const res = await deliver(raw, { 'content-type': 'application/json', 'x-signature': webhookSignature(raw, API_KEY) });
      expect(res.statusCode, raw.slice(0, 40)).toBe(400);
    }
  });

  it('settles on a webhook signed in `Signature` or in `x-signature`, with amount or order_amount', async () => {
    for (const overrides of [{}, { header: 'x-signature' as const }, { orderAmountFields: true }]) {
      const { order } = await newOrder();
      const { raw, headers } = webhookFor(order, overrides);
      expect((await deliver(raw, headers)).statusCode, JSON.stringify(overrides)).toBe(200);
      expect(await statusOf(order.id)).toBe('SUCCEEDED');
    }
  });

  it('a signed PENDING webhook does not stop the later SUCCEEDED one from settling the order', async () => {
    const { order } = await newOrder();
    const pending = webhookFor(order, { status: 'PENDING' });
    expect((await deliver(pending.raw, pending.headers)).statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('PENDING');
    const paid = webhookFor(order);
    expect((await deliver(paid.raw, paid.headers)).statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    expect(await app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('a signed paid webhook without an amount for an intent still unpaid answers 503 (retry later), logged at warn', async () => {
    const { order } = await newOrder();
    const intent = aggregator.intents.get(order.merchantTransId)!;
    const bare = signTestWebhook({ merchantOrderId: order.merchantTransId, orderId: intent.order_id }, API_KEY);
    const before = logs.lines.length;
    const res = await deliver(bare.raw, bare.headers);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('NOTIFICATION_DEFERRED');
    const lines = logs.lines.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.some((l) => l.level === 40 && /deferred/.test(l.msg))).toBe(true);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(await statusOf(order.id)).toBe('PENDING');
    // The aggregator's retry, once the intent is paid, settles it.
    intent.status = 'SUCCEEDED';
    expect((await deliver(bare.raw, bare.headers)).statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
  });

  it('records another notify_type without marking the order paid', async () => {
    const { order } = await newOrder();
    const { raw, headers } = webhookFor(order, { notifyType: 'payment_cancelled', status: 'CANCELLED' });
    expect((await deliver(raw, headers)).statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('PENDING');
  });
});

describe('what the return page relies on', () => {
  it('confirm asks the aggregator: a cancelled intent makes the order CANCELLED, a paid one SUCCEEDED', async () => {
    const cancelled = await newOrder();
    aggregator.intents.get(cancelled.order.merchantTransId)!.status = 'CANCELLED';
    const a = await app.inject({
      method: 'POST',
      url: `/api/orders/${cancelled.order.id}/confirm`,
      headers: auth,
      payload: { resultCode: 'h5-return' },
    });
    expect(a.json().order.status).toBe('CANCELLED');
    const paid = await newOrder();
    aggregator.intents.get(paid.order.merchantTransId)!.status = 'SUCCEEDED';
    const b = await app.inject({
      method: 'POST',
      url: `/api/orders/${paid.order.id}/confirm`,
      headers: auth,
      payload: { resultCode: 'h5-return' },
    });
    expect(b.json().order.status).toBe('SUCCEEDED');
  });

  it('the buyer can cancel an unpaid H5 order (query, then the aggregator cancel)', async () => {
    const { order } = await newOrder();
    const res = await app.inject({ method: 'POST', url: `/api/orders/${order.id}/cancel`, headers: auth });
    expect(res.json().order.status).toBe('CANCELLED');
    expect(aggregator.intents.get(order.merchantTransId)!.status).toBe('CANCELLED');
  });
});

describe('GET /h5/ pages', () => {
  it('serves the checkout page with a strict CSP and no inline script or style', async () => {
    const res = await app.inject({ url: '/h5/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(res.body).toContain('<script src="/h5/app.js" defer></script>');
  });

  it('serves the bundled script (from @tradepay/shared, without the schema library) and the stylesheet', async () => {
    const js = await app.inject({ url: '/h5/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('confirming');
    expect(js.body).not.toMatch(/TypeBox|sinclair/);
    expect(js.body.length).toBeLessThan(60_000);
    const css = await app.inject({ url: '/h5/h5.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the return page is the same static page whatever the query says', async () => {
    const plain = await app.inject({ url: '/h5/return?order=ord_AAAAAAAAAAAAAAAAAAAA' });
    const forged = await app.inject({ url: '/h5/return?order=ord_AAAAAAAAAAAAAAAAAAAA&status=SUCCEEDED&paid=true' });
    expect(plain.statusCode).toBe(200);
    expect(forged.body).toBe(plain.body);
    expect(forged.headers['content-security-policy']).toBeDefined();
  });

  it('redirects /h5 to /h5/ and keeps the headers to its own scope', async () => {
    const res = await app.inject({ url: '/h5' });
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe('/h5/');
    const api = await app.inject({ url: '/api/catalog' });
    expect(api.headers['content-security-policy']).toBeUndefined();
  });
});

describe('configuration of the token call and the Latipay forms', () => {
  const env = () => ({
    DATA_DIR: dataDir,
    ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
    ALIPAYHK_GATEWAY_PUBLIC_KEY: fixture('test-merchant-public.pem'),
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    INTENTS_API_KEY: API_KEY,
  });

  it('INTENTS_UID is required with a live aggregator; the client secret defaults to the API key', () => {
    expect(() => loadConfig({ ...env(), INTENTS_GATEWAY_URL: 'https://api.example' })).toThrow(/INTENTS_UID/);
    const live = loadConfig({ ...env(), INTENTS_GATEWAY_URL: 'https://api.example', INTENTS_UID: 'U-1' }).intents!;
    expect(live).toMatchObject({ uid: 'U-1', clientSecret: API_KEY });
    expect(
      loadConfig({ ...env(), INTENTS_GATEWAY_URL: 'https://api.example', INTENTS_UID: 'U-1', INTENTS_CLIENT_SECRET: 'other-secret' })
        .intents!.clientSecret,
    ).toBe('other-secret');
  });

  it('LATIPAY_PAY_TIME_ZONE and LATIPAY_REFUND_RESEND take their documented values only', () => {
    expect(loadConfig(env()).latipay).toMatchObject({ payTimeZone: 'UTC', refundResend: 'hold' });
    expect(loadConfig({ ...env(), LATIPAY_PAY_TIME_ZONE: '+08:00', LATIPAY_REFUND_RESEND: 'resend' }).latipay).toMatchObject({
      payTimeZone: '+08:00',
      refundResend: 'resend',
    });
    expect(() => loadConfig({ ...env(), LATIPAY_REFUND_RESEND: 'always' })).toThrow(/LATIPAY_REFUND_RESEND/);
    expect(() => loadConfig({ ...env(), LATIPAY_PAY_TIME_ZONE: 'HKT' })).toThrow(/LATIPAY_PAY_TIME_ZONE/);
  });
});
