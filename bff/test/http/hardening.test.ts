import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestNotification } from '../../src/channels/alipayhk/testing';
import { buildTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '20' });
});
afterAll(async () => t.close());

describe('rate limits', () => {
  it('throttles one buyer on the /api routes with a 429 and a clear code', async () => {
    const session = await t.newSession();
    const codes: number[] = [];
    for (let i = 0; i < 25; i++)
      codes.push((await t.app.inject({ url: '/api/orders/ord_AAAAAAAAAAAAAAAAAAAAAAAA', headers: session })).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 404)).toBe(true);
    expect(codes.slice(20).every((c) => c === 429)).toBe(true);
    const res = await t.app.inject({ url: '/api/orders/ord_AAAAAAAAAAAAAAAAAAAAAAAA', headers: session });
    expect(res.json().error.code).toBe('RATE_LIMITED');
    // Another buyer has a budget of their own.
    const other = await t.newSession();
    expect((await t.app.inject({ url: '/api/orders/ord_AAAAAAAAAAAAAAAAAAAAAAAA', headers: other })).statusCode).toBe(404);
  });

  it('never throttles verified notifications', async () => {
    const session = await t.newSession();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: session,
      payload: { items: [{ sku: 'EGG-TART-6', quantity: 1 }] },
    });
    const order = created.json().order;
    const raw = await signTestNotification(
      { clientId: t.config.alipayhk.clientId, merchantTransId: order.merchantTransId, amount: order.amount },
      t.gatewayPrivateKey,
    );
    const codes = [];
    for (let i = 0; i < 40; i++) {
      codes.push(
        (await t.app.inject({ method: 'POST', url: '/notify/alipayhk', headers: { 'content-type': 'application/json' }, payload: raw }))
          .statusCode,
      );
    }
    expect(codes.every((c) => c === 200)).toBe(true);
  });
});

describe('admin routes', () => {
  it('need the admin token, compared exactly', async () => {
    expect((await t.app.inject({ url: '/admin/orders' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/admin/orders', headers: { authorization: 'Bearer test-admin-token-012345678' } })).statusCode).toBe(
      401,
    );
    expect((await t.app.inject({ url: '/admin/orders', headers: { authorization: `Bearer ${t.config.adminToken}` } })).statusCode).toBe(
      200,
    );
  });
});

describe('channel currencies', () => {
  it('refuses an order a channel cannot take before storing anything', async () => {
    const nzd = await buildTestApp({ LATIPAY_CURRENCY: 'NZD' });
    try {
      const before = (await nzd.app.store.listOrders({ limit: 1000 })).length;
      const res = await nzd.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: nzd.auth,
        payload: { items: [{ sku: 'EGG-TART-6', quantity: 1 }], channel: 'latipay' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('CHANNEL_UNAVAILABLE');
      expect((await nzd.app.store.listOrders({ limit: 1000 })).length).toBe(before);
    } finally {
      await nzd.close();
    }
  });
});
