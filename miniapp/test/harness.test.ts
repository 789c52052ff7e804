/**
 * The compiled mini program (miniapp/dist) against a fake BFF over real HTTP on loopback, on the
 * faithful `my` double (load-miniapp.ts), once for each documented shape of an HTTP error.
 * The end-to-end twin of these tests (real BFF + real sandbox) swaps `startFakeBff` + `fakeWallet`
 * for `startStack()` + `sandboxWallet`; the expectations (EXPECTED_STATES) are the same table.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBff, type FakeBff } from './harness/fake-bff';
import {
  DIST_DIR,
  HTTP_ERROR_SHAPES,
  MAX_PAGE_STACK,
  loadMiniProgram,
  type HarnessOptions,
  type HttpErrorShape,
  type MiniProgram,
} from './harness/load-miniapp';
import { CHECKOUT, openCheckout, pay } from './harness/scenarios';
import { EXPECTED_STATES, SANDBOX_OUTCOMES, fakeWallet } from './harness/wallets';

let bff: FakeBff;
const opened: MiniProgram[] = [];
let shape: HttpErrorShape = 'fail-status';

beforeEach(async () => {
  bff = await startFakeBff();
  // The real BFF always has sessions; under `fail-19` a 404 from /api/session could not even be told apart.
  bff.enableSessions('tok-harness');
});
afterEach(async () => {
  for (const mp of opened.splice(0)) {
    mp.close();
    // No platform rule was broken (a DELETE, a string `scopes`…).
    expect(mp.violations).toEqual([]);
  }
  await bff.close();
});

/** Polls run at 1/100 speed: the 1 s, 2 s, 4 s… backoff takes milliseconds. */
async function load(options: Partial<HarnessOptions> = {}): Promise<MiniProgram> {
  const mp = await loadMiniProgram({ bffUrl: bff.url, timeScale: 0.01, httpErrorShape: shape, ...options });
  opened.push(mp);
  return mp;
}

const creates = () => bff.requests.filter((r) => r.method === 'POST' && r.path === '/api/orders');

describe.each(HTTP_ERROR_SHAPES)('harness over miniapp/dist, HTTP errors as %s', (httpErrorShape) => {
  beforeEach(() => {
    shape = httpErrorShape;
  });

  it('loads app.js and every page app.json names; every axml handler and binding exists', async () => {
    const mp = await load();
    expect(mp.pages).toEqual([
      'pages/checkout/index',
      'pages/result/index',
      'pages/orders/index',
      'pages/autodebit/index',
      'pages/webview/index',
    ]);
    for (const route of mp.pages) {
      const axml = await readFile(path.join(DIST_DIR, `${route}.axml`), 'utf8');
      const page = await mp.openPage(route);
      for (const [, handler] of axml.matchAll(/\son[A-Z]\w*="(\w+)"/g)) {
        expect(typeof page.options[handler as string], `${route}: ${handler}`).toBe('function');
      }
      const loopNames = new Set(['item', 'index', ...[...axml.matchAll(/a:for-(?:item|index)="(\w+)"/g)].map((m) => m[1])]);
      for (const [, expression] of axml.matchAll(/\{\{(.*?)\}\}/g)) {
        const roots = (expression as string).replace(/'[^']*'|"[^"]*"/g, '').match(/(?<![\w.$])[A-Za-z_$][\w$]*/g) ?? [];
        for (const root of roots) {
          if (loopNames.has(root) || ['true', 'false', 'null', 'undefined'].includes(root)) continue;
          expect(page.data, `${route}: {{${expression}}} reads ${root}`).toHaveProperty(root);
        }
      }
    }
  });

  describe.each(SANDBOX_OUTCOMES)('wallet outcome %s', (outcome) => {
    it(`data.state goes ${EXPECTED_STATES[outcome].join(' → ')}`, async () => {
      const mp = await load({ tradePay: fakeWallet(bff, outcome) });
      const page = await pay(await openCheckout(mp, { sku: 'TEA-001', quantity: 2 }));
      expect(page.stateHistory).toEqual(EXPECTED_STATES[outcome]);
      expect(mp.orderStrs).toEqual([expect.stringMatching(/^fake-order-str:ord_/)]);
    });
  });

  it('pays over real HTTP: deep link, contract v1 bodies, an idempotency key, then the result page', async () => {
    const mp = await load({ tradePay: fakeWallet(bff, 'success') });
    const page = await openCheckout(mp, { sku: 'CUP-002', quantity: 3 });
    expect(page.data.products.map((p: { quantity: number }) => p.quantity)).toEqual([0, 3]);
    expect(page.data.totalText).toBe('HK$361.50');
    await pay(page);

    expect(page.data.state).toBe('succeeded');
    const [create] = creates();
    expect(create?.body).toEqual({ items: [{ sku: 'CUP-002', quantity: 3 }], channel: 'alipayhk' });
    expect(create?.headers['idempotency-key']).toMatch(/^mp-/);
    expect(create?.headers.authorization).toBe('Bearer tok-harness');
    const [order] = [...bff.orders.values()];
    expect(bff.requests.find((r) => r.path.endsWith('/confirm'))?.body).toEqual({ resultCode: '9000' });

    expect(mp.navigations).toEqual([`/pages/result/index?id=${order?.id}`]);
    await mp.idle();
    const result = mp.top();
    expect(result.route).toBe('pages/result/index');
    expect(result.data).toMatchObject({ title: 'Payment successful', orderId: order?.id, amountText: 'HK$361.50', statusText: 'Paid' });

    await result.tap('onOpenOrders');
    await mp.idle();
    const orders = mp.top();
    expect(orders.route).toBe('pages/orders/index');
    expect(orders.data.rows).toEqual([expect.objectContaining({ id: order?.id, statusText: 'Paid' })]);
    // Every POST carried a JSON body under the platform's JSON content type.
    for (const post of bff.requests.filter((r) => r.method === 'POST')) {
      expect(post.headers['content-type']).toBe('application/json');
      expect(post.body).toEqual(expect.any(Object));
    }
  });

  it('signs in with my.getAuthCode (scopes as an Array) and sends the session token on every /api/orders* call', async () => {
    const mp = await load({ tradePay: fakeWallet(bff, 'success'), getAuthCode: async () => 'auth-code-from-wallet' });
    await pay(await openCheckout(mp));
    expect(bff.requests.filter((r) => r.path === '/api/session').map((r) => r.body)).toEqual([{ authCode: 'auth-code-from-wallet' }]);
    const orderCalls = bff.requests.filter((r) => r.path.startsWith('/api/orders'));
    expect(orderCalls.length).toBeGreaterThanOrEqual(2);
    expect(orderCalls.every((r) => r.headers.authorization === 'Bearer tok-harness')).toBe(true);
  });

  it('IDE build: without a wallet identity (my.getAuthCode fails) pays in a guest session', async () => {
    const mp = await load({ tradePay: fakeWallet(bff, 'success') });
    const page = await pay(await openCheckout(mp));
    expect(page.data.state).toBe('succeeded');
    expect(bff.requests.filter((r) => r.path === '/api/session').map((r) => r.body)).toEqual([{}]);
  });

  it('the fail callback goes to confirming and asks the BFF with resultCode "fail"', async () => {
    const mp = await load({
      tradePay: async (orderStr) => {
        bff.settle(orderStr.split(':')[1] as string, 'SUCCEEDED', 1);
        throw new Error('cashier crashed');
      },
    });
    const page = await pay(await openCheckout(mp));
    expect(page.stateHistory).toEqual(['idle', 'creating', 'paying', 'confirming', 'succeeded']);
    expect(bff.requests.find((r) => r.path.endsWith('/confirm'))?.body).toEqual({ resultCode: 'fail' });
  });

  it('stops polling at the limit and says "still confirming"; Check again finds the payment later', async () => {
    const mp = await load({ tradePay: async () => ({ resultCode: '8000' }) });
    const page = await pay(await openCheckout(mp));
    expect(page.data.state).toBe('confirming');
    expect(page.data.panel).toMatchObject({ title: 'Still confirming', checkAgain: true });
    expect(page.data.payDisabled).toBe(true);
    const order = [...bff.orders.values()][0];
    expect(bff.requests.filter((r) => r.method === 'GET' && r.path === `/api/orders/${order?.id}`)).toHaveLength(8);

    bff.settle(order?.id as string, 'SUCCEEDED');
    await page.tap('onCheckAgain');
    expect(page.data.state).toBe('succeeded');
  });

  it('a BFF error is a state with a retry; the retry reuses the idempotency key and succeeds', async () => {
    // Under fail-19 the status is unknown: the app signs in again once and repeats the call (same key).
    bff.inject('create', { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'db down' } } }, shape === 'fail-19' ? 2 : 1);
    const mp = await load({ tradePay: fakeWallet(bff, 'success') });
    const page = await pay(await openCheckout(mp));
    expect(page.data).toMatchObject({ state: 'failed', payLabel: 'Try again', payDisabled: false });
    expect(page.data.panel).toMatchObject({
      visible: true,
      title: "Couldn't start the payment",
      message: 'The shop had a problem. Please try again in a moment.',
    });
    expect(mp.orderStrs).toEqual([]);

    await pay(page);
    expect(page.data.state).toBe('succeeded');
    const keys = new Set(creates().map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(creates()).toHaveLength(shape === 'fail-19' ? 3 : 2);
  });

  it('a BFF that does not answer times out into a visible state with a retry', async () => {
    bff.inject('create', 'hang');
    const mp = await load({ tradePay: fakeWallet(bff, 'success') });
    const page = await openCheckout(mp);
    // Sign in first (any authenticated call does: the auto-debit page lists agreements), so only the create times out.
    await (await mp.openPage('pages/autodebit/index')).waitFor((d) => d.agreementStatus !== 'loading');
    mp.timing.requestTimeoutScale = 0.002; // the 15 s create timeout → 30 ms
    await pay(page);
    mp.timing.requestTimeoutScale = 1;
    expect(page.data.state).toBe('failed');
    expect(page.data.panel.message).toBe('The shop took too long to answer. Please try again.');
    expect(mp.requests.find((r) => r.url.endsWith('/api/orders'))?.error).toBe('timeout');
    await pay(page);
    expect(page.data.state).toBe('succeeded');
  });

  it('a catalog the BFF cannot serve shows an error with Retry, never a blank page', async () => {
    bff.inject('catalog', 'drop');
    const mp = await load();
    const page = await mp.openPage(CHECKOUT);
    expect(page.data.catalogStatus).toBe('error');
    expect(page.data.catalogError).toContain("We couldn't reach the shop");
    await page.tap('onRetryCatalog');
    expect(page.data.catalogStatus).toBe('ready');
  });

  it('does not submit twice when Pay is tapped again while a payment is in flight', async () => {
    let release: (value: { resultCode: string }) => void = () => {};
    const mp = await load({ tradePay: () => new Promise((resolve) => (release = resolve)) });
    const page = await openCheckout(mp);
    const first = page.tap('onPay');
    await page.waitFor((data) => data.state === 'paying');
    await page.tap('onPay');
    await page.tap('onPay');
    release({ resultCode: '6001' });
    await first;
    expect(creates()).toHaveLength(1);
    expect(mp.orderStrs).toHaveLength(1);
    expect(page.data.state).toBe('cancelled');
  });

  it('speaks Traditional Chinese when the system language is Chinese', async () => {
    const mp = await load({ language: 'zh-HK', tradePay: fakeWallet(bff, 'cancel') });
    const page = await pay(await openCheckout(mp));
    expect(page.data.panel.title).toBe('已取消付款');
    expect(mp.titles).toContain('結帳');
  });

  it('signs in again once after the session is refused (a 401, or under fail-19 an error without a status)', async () => {
    let codes = 0;
    const mp = await load({ tradePay: fakeWallet(bff, 'success'), getAuthCode: async () => `auth-code-${(codes += 1)}` });
    expect((await pay(await openCheckout(mp))).data.state).toBe('succeeded');
    bff.enableSessions('tok-rotated'); // the BFF no longer accepts tok-harness
    await mp.reLaunch('/pages/checkout/index');
    const again = mp.top();
    await again.waitFor((d) => d.catalogStatus === 'ready');
    await again.tap('onIncrease', { sku: 'TEA-001' });
    await pay(again);
    expect(again.data.state).toBe('succeeded');
    expect(bff.requests.filter((r) => r.path === '/api/session').map((r) => r.body)).toEqual([
      { authCode: 'auth-code-1' },
      { authCode: 'auth-code-2' },
    ]);
    const lastCreate = creates().at(-1);
    expect(lastCreate?.headers.authorization).toBe('Bearer tok-rotated');
  });

  it('a tradePay result through the fail callback (Hylid bridge) is still a result: 6001 is a cancel, and the order is closed', async () => {
    const mp = await load({ tradePay: fakeWallet(bff, 'cancel'), tradePayVia: 'fail' });
    const page = await pay(await openCheckout(mp));
    expect(page.stateHistory).toEqual(EXPECTED_STATES.cancel);
    expect(bff.requests.find((r) => r.path.endsWith('/confirm'))?.body).toEqual({ resultCode: '6001' });
    const [order] = [...bff.orders.values()];
    expect(order?.status).toBe('CANCELLED');
    expect(bff.requests.filter((r) => r.path.endsWith('/cancel'))).toEqual([expect.objectContaining({ method: 'POST', body: {} })]);
  });

  it('12 result ↔ my orders round trips never exceed the page stack, and every tap navigates', async () => {
    const mp = await load({ tradePay: fakeWallet(bff, 'success') });
    await pay(await openCheckout(mp));
    await mp.idle();
    expect(mp.top().route).toBe('pages/result/index');
    for (let trip = 0; trip < 12; trip += 1) {
      const result = mp.top();
      await result.tap('onOpenOrders');
      await mp.idle();
      const orders = mp.top();
      expect(orders.route, `trip ${trip}: result → orders`).toBe('pages/orders/index');
      await orders.waitFor((d) => d.rows.length === 1);
      await orders.tap('onOpenOrder', { id: orders.data.rows[0].id });
      await mp.idle();
      expect(mp.top().route, `trip ${trip}: orders → result`).toBe('pages/result/index');
      expect(mp.stack.length).toBeLessThanOrEqual(MAX_PAGE_STACK);
    }
    expect(mp.stack.map((p) => p.route)).toEqual(['pages/checkout/index', 'pages/result/index']);
    expect(mp.navigationLog.filter((line) => line.startsWith('ignored'))).toEqual([]);
  });

  it('with the stack full, a tap still navigates (redirect instead of a navigateTo that would do nothing)', async () => {
    const mp = await load();
    for (let i = 0; i < MAX_PAGE_STACK - 1; i += 1) await mp.openPage('pages/orders/index');
    const checkout = await mp.openPage(CHECKOUT);
    expect(mp.stack).toHaveLength(MAX_PAGE_STACK);
    await checkout.tap('onOpenAutodebit');
    await mp.idle();
    expect(mp.top().route).toBe('pages/autodebit/index');
    expect(mp.stack).toHaveLength(MAX_PAGE_STACK);
    expect(mp.navigationLog.at(-1)).toBe('redirectTo /pages/autodebit/index');
  });

  it('a Chinese phone never paints English: the first data is already Traditional Chinese, product titles too', async () => {
    const mp = await load({ language: 'zh-HK' });
    const page = await openCheckout(mp);
    expect(page.data.texts.total).toBe('總計');
    expect(page.data.products[0]).toMatchObject({ title: '烏龍茶', priceText: 'HK$48.00', increaseLabel: '增加一件烏龍茶' });
    const first = await (await load({ language: 'zh-Hant', noEnv: true, systemInfoUndefined: true })).openPage(CHECKOUT);
    // No my.env and no system info: English, not a crash.
    expect(first.data.texts.total).toBe('Total');
  });
});
