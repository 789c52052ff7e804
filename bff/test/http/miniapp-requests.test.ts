/**
 * What the mini program's `my.request` sends: `content-type: application/json` on every call, even
 * without a body (https://miniprogram.alipay.com/docs/miniprogram/mpdev/api_network_request), and
 * only GET and POST. The BFF takes an empty JSON body as "nothing to say" (`{}`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app';
import { JSON_TYPE, orderOfFirstProduct, post } from './inject';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('an empty body under a JSON content type', () => {
  it('POST /api/session with no body makes a guest session', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', headers: JSON_TYPE, payload: '' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token: expect.any(String), buyer: 'guest' });
  });

  it('POST /api/orders/:id/cancel accepts it (agreement routes: test/http/agreements.test.ts)', async () => {
    const order = await orderOfFirstProduct(t);
    const cancel = await post(t, `/api/orders/${order.id}/cancel`, { ...t.auth, ...JSON_TYPE }, '');
    // Past the parser and into the order service, which asks the gateway (none answers in this app): not a 400.
    expect(cancel.statusCode).toBe(502);
    expect(cancel.json().error.code).toBe('GATEWAY_UNAVAILABLE');
  });

  it('a route whose body has required fields still refuses it (400), and broken JSON stays a 400', async () => {
    const order = await orderOfFirstProduct(t);
    const confirm = await post(t, `/api/orders/${order.id}/confirm`, { ...t.auth, ...JSON_TYPE }, '');
    expect(confirm.statusCode).toBe(400);
    const broken = await t.app.inject({ method: 'POST', url: '/api/session', headers: JSON_TYPE, payload: '{"authCode":' });
    expect(broken.statusCode).toBe(400);
    const poisoned = await t.app.inject({ method: 'POST', url: '/api/session', headers: JSON_TYPE, payload: '{"__proto__":{"x":1}}' });
    expect(poisoned.statusCode).toBe(400);
  });
});

describe('GET /api/catalog', () => {
  it('carries the Traditional Chinese title beside the English one (bff/data/catalog.json titleZh)', async () => {
    const { products } = (await t.app.inject('/api/catalog')).json();
    expect(products.find((p: { sku: string }) => p.sku === 'EGG-TART-6')).toMatchObject({
      title: 'Egg tarts, box of 6',
      titleZh: '蛋撻（六個裝）',
    });
  });
});
