import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutSignedParts } from '../../src/channels/alipayhk/sign-content';
import { createRsaVerifier } from '../../src/channels/alipayhk/signing';
import { buildTestApp, type TestApp } from '../support/app';
import { post } from './inject';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

function createOrder(body: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/orders', payload: body as object, headers: { ...t.auth, ...headers } });
}

describe('GET /healthz and /api/catalog', () => {
  it('reports the store healthy', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'ok' });
  });

  it('lists products with server prices in minor units', async () => {
    const res = await t.app.inject('/api/catalog');
    expect(res.statusCode).toBe(200);
    const { products } = res.json();
    expect(products.length).toBeGreaterThan(0);
    expect(products[0]).toMatchObject({
      sku: expect.any(String),
      price: { currency: 'HKD', value: expect.stringMatching(/^[1-9][0-9]*$/) },
    });
  });

  it('serves OpenAPI at /docs', async () => {
    const res = await t.app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(expect.arrayContaining(['/api/orders', '/api/orders/{id}/confirm', '/notify/{channel}']));
  });
});

describe('POST /api/orders', () => {
  it('prices the cart on the server and returns a signed orderStr', async () => {
    const catalog = (await t.app.inject('/api/catalog')).json().products;
    const [a, b] = catalog;
    const res = await createOrder({
      items: [
        { sku: a.sku, quantity: 2 },
        { sku: b.sku, quantity: 1 },
      ],
    });
    expect(res.statusCode).toBe(201);
    const { order, payment } = res.json();
    expect(order.status).toBe('PENDING');
    expect(order.channel).toBe('alipayhk');
    expect(order.amount).toEqual({ currency: 'HKD', value: String(2 * Number(a.price.value) + Number(b.price.value)) });
    expect(order.id).toMatch(/^ord_[A-Za-z0-9_-]{24}$/);
    expect(payment.type).toBe('tradePay');
    // The orderStr is the signed envelope: the merchant key verifies exactly its request text.
    const parts = cutSignedParts(payment.orderStr, 'request');
    expect(() => createRsaVerifier(t.merchantPublicKey, 'RSA2').verify(parts.content, parts.signature)).not.toThrow();
    const request = JSON.parse(parts.content);
    expect(request.head).toMatchObject({ version: '2.0.0', function: 'alipay.intl.acquiring.cashier.wap.pay', reserve: '{}' });
    expect(request.head.reqTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(request.head.reqMsgId).toMatch(/^[0-9a-f]{32}$/);
    expect(request.body).toMatchObject({
      productCode: 'AGREEMENT_OR_CASHIER_PAY',
      merchantTransId: order.merchantTransId,
      order: { orderAmount: order.amount },
      notifyUrl: `${t.config.publicUrl}/notify/alipayhk`,
    });
    const read = await t.app.inject({ url: `/api/orders/${order.id}`, headers: t.auth });
    expect(read.json().order).toEqual(order);
  });

  it('gives every order its own reqMsgId and merchantTransId', async () => {
    const [one, two] = await Promise.all([1, 2].map(() => createOrder({ items: [{ sku: 'EGG-TART-6', quantity: 1 }] })));
    const ids = [one!, two!].map((r) => JSON.parse(cutSignedParts(r.json().payment.orderStr, 'request').content));
    expect(ids[0].head.reqMsgId).not.toBe(ids[1].head.reqMsgId);
    expect(ids[0].body.merchantTransId).not.toBe(ids[1].body.merchantTransId);
  });

  const rejected: [string, unknown][] = [
    ['client amount', { items: [{ sku: 'EGG-TART-6', quantity: 1 }], amount: { currency: 'HKD', value: '1' } }],
    ['client price on an item', { items: [{ sku: 'EGG-TART-6', quantity: 1, price: '1' }] }],
    ['client currency', { items: [{ sku: 'EGG-TART-6', quantity: 1 }], currency: 'JPY' }],
    ['client notifyUrl', { items: [{ sku: 'EGG-TART-6', quantity: 1 }], notifyUrl: 'https://evil.example/' }],
    ['quantity 0', { items: [{ sku: 'EGG-TART-6', quantity: 0 }] }],
    ['quantity -1', { items: [{ sku: 'EGG-TART-6', quantity: -1 }] }],
    ['quantity 1.5', { items: [{ sku: 'EGG-TART-6', quantity: 1.5 }] }],
    ['quantity 1e9', { items: [{ sku: 'EGG-TART-6', quantity: 1e9 }] }],
    ['quantity "1"', { items: [{ sku: 'EGG-TART-6', quantity: '1' }] }],
    ['no items', { items: [] }],
    ['51 lines', { items: Array.from({ length: 51 }, () => ({ sku: 'EGG-TART-6', quantity: 1 })) }],
    ['unknown channel', { items: [{ sku: 'EGG-TART-6', quantity: 1 }], channel: 'paypal' }],
    ['unknown sku', { items: [{ sku: 'NOPE', quantity: 1 }] }],
    ['not an object', [1, 2, 3]],
  ];
  it.each(rejected)('rejects %s with 400 and stores nothing', async (_name, body) => {
    const before = await t.app.inject('/healthz');
    expect(before.statusCode).toBe(200);
    const res = await createOrder(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toMatch(/^(VALIDATION_FAILED|UNKNOWN_SKU)$/);
    expect(res.json()).not.toHaveProperty('order');
  });

  it('rejects a 2 MB body with 413 before reading it all', async () => {
    const res = await createOrder({ items: [{ sku: 'EGG-TART-6', quantity: 1 }], pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('rejects prototype pollution and wrong content types', async () => {
    const send = (contentType: string, payload: string) => post(t, '/api/orders', { ...t.auth, 'content-type': contentType }, payload);
    const proto = await send('application/json', '{"items":[{"sku":"EGG-TART-6","quantity":1}],"__proto__":{"admin":true}}');
    expect(proto.statusCode).toBe(400);
    const text = await send('text/plain', 'items');
    expect(text.statusCode).toBe(415);
    const malformed = await send('application/json', '{"items":');
    expect(malformed.statusCode).toBe(400);
  });

  it('replays the stored response for the same Idempotency-Key and body', async () => {
    const body = { items: [{ sku: 'MOONCAKE-4', quantity: 3 }] };
    const headers = { 'idempotency-key': 'key-same-body-0001' };
    const first = await createOrder(body, headers);
    const second = await createOrder(body, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
  });

  it('refuses the same Idempotency-Key with another body (422)', async () => {
    const headers = { 'idempotency-key': 'key-other-body-0001' };
    expect((await createOrder({ items: [{ sku: 'MOONCAKE-4', quantity: 1 }] }, headers)).statusCode).toBe(201);
    const res = await createOrder({ items: [{ sku: 'MOONCAKE-4', quantity: 2 }] }, headers);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('an AlipayHK order is one write: the order, its signed payment and the answer its key replays', async () => {
    const before = t.app.store.writeStats!();
    const res = await createOrder({ items: [{ sku: 'EGG-TART-6', quantity: 1 }] }, { 'idempotency-key': 'key-one-write-0001' });
    const after = t.app.store.writeStats!();
    expect(res.statusCode).toBe(201);
    expect(after.writes - before.writes).toBe(1);
    const { order, payment } = res.json();
    expect((await t.app.store.getOrder(order.id))?.payment).toEqual(payment);
    // What a later read says is what the creation answered.
    const read = await t.app.inject({ url: `/api/orders/${order.id}`, headers: t.auth });
    expect(read.json().order).toEqual(order);
    const stored = await t.app.store.findIdempotency(
      `create-order:${JSON.parse(Buffer.from(t.auth.authorization.split('.')[1]!, 'base64url').toString()).sub}`,
      'key-one-write-0001',
    );
    expect(stored).toMatchObject({ orderId: order.id, responseStatus: 201 });
    expect(JSON.parse(stored!.responseBody!)).toEqual(res.json());
  });

  it('makes one order for concurrent requests with one Idempotency-Key', async () => {
    const body = { items: [{ sku: 'TEA-OOLONG-100G', quantity: 1 }] };
    const headers = { 'idempotency-key': 'key-concurrent-0001' };
    const results = await Promise.all(Array.from({ length: 10 }, () => createOrder(body, headers)));
    const ids = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().order.id));
    expect(ids.size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.statusCode);
  });
});

describe('GET /api/orders/:id and confirm', () => {
  it('404s for unknown or malformed ids', async () => {
    expect((await t.app.inject({ url: '/api/orders/ord_AAAAAAAAAAAAAAAAAAAAAAAA', headers: t.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/orders/1', headers: t.auth })).statusCode).toBe(400);
  });

  it('never marks an order paid because the client says 9000', async () => {
    const { order } = (await createOrder({ items: [{ sku: 'EGG-TART-6', quantity: 1 }] })).json();
    // No gateway is listening in this test: the query fails, and the order must stay PENDING.
    const res = await post(t, `/api/orders/${order.id}/confirm`, t.auth, { resultCode: '9000' });
    expect(res.statusCode).toBe(200);
    expect(res.json().order.status).toBe('PENDING');
  });

  it('does not query for a cancel code, and rejects extra fields', async () => {
    const { order } = (await createOrder({ items: [{ sku: 'EGG-TART-6', quantity: 1 }] })).json();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/orders/${order.id}/confirm`,
      headers: t.auth,
      payload: { resultCode: '6001' },
    });
    expect(res.json().order.status).toBe('PENDING');
    const extra = await t.app.inject({
      method: 'POST',
      url: `/api/orders/${order.id}/confirm`,
      headers: t.auth,
      payload: { resultCode: '9000', status: 'SUCCEEDED' },
    });
    expect(extra.statusCode).toBe(400);
  });
});
