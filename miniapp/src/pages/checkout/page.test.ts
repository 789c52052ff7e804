import { describe, expect, it } from 'vitest';
import type { TradePayOutcome } from '../../platform/types';
import { createFakePlatform, json, type BffHandler, makeOrder, ORDER_ID, pathOf, scriptedBff } from '../../testing/fakes';
import { RECENT_ORDERS_KEY } from '../../storage/recent-orders';
import { createCheckoutPage } from './page';
import type { CheckoutData } from './view';

/** A page instance driven like the runtime drives it: data, setData, handlers called with `this`. */
function mount(platform: ReturnType<typeof createFakePlatform>) {
  const options = createCheckoutPage(platform);
  const states: string[] = [options.data.state];
  const page = {
    data: options.data as CheckoutData,
    setData(patch: Partial<CheckoutData>) {
      page.data = { ...page.data, ...patch };
      if (states[states.length - 1] !== page.data.state) states.push(page.data.state);
    },
  };
  const call = <K extends keyof typeof options>(name: K, ...args: unknown[]) =>
    (options[name] as (...a: unknown[]) => unknown).apply(page, args);
  return { page, states, call, options };
}

describe('checkout page', () => {
  it('loads the catalog and preselects the deep-linked sku and quantity', async () => {
    const platform = createFakePlatform(scriptedBff({}));
    const { page, call } = mount(platform);
    await call('onLoad', { sku: 'CUP-002', quantity: '3' });
    expect(page.data.catalogStatus).toBe('ready');
    expect(page.data.products.map((p) => p.quantity)).toEqual([0, 3]);
    expect(page.data.totalText).toBe('HK$361.50');
    expect(page.data.payDisabled).toBe(false);
    expect(platform.titles).toEqual(['Checkout']);
  });

  it('names a deep-linked sku the catalog does not have, and preselects nothing', async () => {
    const { page, call } = mount(createFakePlatform(scriptedBff({})));
    await call('onLoad', { sku: 'GONE-1', quantity: '1' });
    expect(page.data.notice).toContain('GONE-1');
    expect(page.data.products.every((p) => p.quantity === 0)).toBe(true);
  });

  it('steps quantities with the + and − buttons (data-sku)', async () => {
    const { page, call } = mount(createFakePlatform(scriptedBff({})));
    await call('onLoad', {});
    call('onIncrease', { currentTarget: { dataset: { sku: 'TEA-001' } } });
    call('onIncrease', { currentTarget: { dataset: { sku: 'TEA-001' } } });
    call('onDecrease', { currentTarget: { dataset: { sku: 'TEA-001' } } });
    call('onIncrease', { currentTarget: { dataset: { sku: 'NOPE' } } });
    expect(page.data.products.map((p) => p.quantity)).toEqual([1, 0]);
  });

  it('pays: creating → paying → confirming → succeeded, stores the order id, opens the result page', async () => {
    const bff = scriptedBff({ confirm: 'SUCCEEDED' });
    const platform = createFakePlatform(bff);
    const { page, states, call } = mount(platform);
    await call('onLoad', { sku: 'TEA-001', quantity: '2' });
    await call('onPay');
    expect(states).toEqual(['idle', 'creating', 'paying', 'confirming', 'succeeded']);
    expect(page.data.state).toBe('succeeded');
    expect(platform.store.get(RECENT_ORDERS_KEY)).toEqual([ORDER_ID]);
    expect(platform.navigations).toEqual([`/pages/result/index?id=${ORDER_ID}`]);
    const create = platform.requests.find((r) => pathOf(r) === '/api/orders');
    expect(create?.body).toEqual({ items: [{ sku: 'TEA-001', quantity: 2 }], channel: 'alipayhk' });
    expect(create?.headers?.['idempotency-key']).toMatch(/^mp-/);
  });

  it('ignores a second tap on Pay while a payment is in flight', async () => {
    let release: (outcome: TradePayOutcome) => void = () => {};
    const platform = createFakePlatform(scriptedBff({ confirm: 'SUCCEEDED' }), {
      tradePay: () => new Promise((resolve) => (release = resolve)),
    });
    const { page, call } = mount(platform);
    await call('onLoad', { sku: 'TEA-001' });
    const first = call('onPay') as Promise<void>;
    await Promise.resolve();
    await new Promise<void>((resolve) => setTimeout(() => resolve(), 0));
    expect(page.data.state).toBe('paying');
    await call('onPay');
    await call('onPay');
    release({ kind: 'result', resultCode: '9000' });
    await first;
    expect(platform.requests.filter((r) => pathOf(r) === '/api/orders')).toHaveLength(1);
    expect(page.data.state).toBe('succeeded');
  });

  it('a BFF error on create is a visible failed state; Try again pays with a fresh attempt', async () => {
    let fail = true;
    const bff = scriptedBff({ confirm: 'SUCCEEDED' });
    const platform = createFakePlatform((request) => {
      if (pathOf(request) === '/api/orders' && fail) {
        fail = false;
        return json(503, { error: { code: 'UNAVAILABLE', message: 'down' } });
      }
      return bff(request);
    });
    const { page, call } = mount(platform);
    await call('onLoad', { sku: 'TEA-001' });
    await call('onPay');
    expect(page.data.state).toBe('failed');
    expect(page.data.panel.message).toBe('The shop had a problem. Please try again in a moment.');
    expect(page.data.payLabel).toBe('Try again');
    await call('onPay');
    expect(page.data.state).toBe('succeeded');
  });

  it('after the polling limit offers Check again, which can still end in succeeded', async () => {
    let bff: BffHandler = scriptedBff({ confirm: 'PENDING', gets: ['PENDING'] });
    const platform = createFakePlatform((request) => bff(request), {
      tradePay: async () => ({ kind: 'result', resultCode: '8000' }),
    });
    const { page, call } = mount(platform);
    await call('onLoad', { sku: 'TEA-001' });
    await call('onPay');
    expect(page.data.state).toBe('confirming');
    expect(page.data.panel).toMatchObject({ title: 'Still confirming', checkAgain: true });
    expect(page.data.payDisabled).toBe(true);

    // The gateway settles meanwhile.
    bff = (request) => (pathOf(request).startsWith('/api/orders/') ? json(200, { order: makeOrder('SUCCEEDED') }) : json(404, {}));
    await call('onCheckAgain');
    expect(page.data.state).toBe('succeeded');
  });

  it('a cancel keeps the cart and lets the buyer pay again; New order clears it after success', async () => {
    let resultCode = '6001';
    let bff: BffHandler = scriptedBff({ confirm: 'PENDING' });
    const platform = createFakePlatform((request) => bff(request), { tradePay: async () => ({ kind: 'result', resultCode }) });
    const { page, call } = mount(platform);
    await call('onLoad', { sku: 'TEA-001', quantity: '2' });
    await call('onPay');
    expect(page.data.state).toBe('cancelled');
    expect(page.data.products[0]?.quantity).toBe(2);
    expect(page.data.payDisabled).toBe(false);

    resultCode = '9000';
    bff = (request) => {
      const path = pathOf(request);
      if (path === '/api/orders') return json(201, { order: makeOrder(), payment: { type: 'tradePay', orderStr: 's' } });
      return json(200, { order: makeOrder('SUCCEEDED') });
    };
    await call('onPay');
    expect(page.data.state).toBe('succeeded');
    call('onNewOrder');
    expect(page.data.state).toBe('idle');
    expect(page.data.products.every((p) => p.quantity === 0)).toBe(true);
  });

  it('a catalog failure shows a retry that reloads it', async () => {
    let down = true;
    const bff = scriptedBff({});
    const { page, call } = mount(createFakePlatform((request) => (down ? json(502, 'Bad gateway') : bff(request))));
    await call('onLoad', {});
    expect(page.data.catalogStatus).toBe('error');
    expect(page.data.catalogError).toContain('The shop had a problem');
    down = false;
    await call('onRetryCatalog');
    expect(page.data.catalogStatus).toBe('ready');
  });

  it('speaks Traditional Chinese when the system language is Chinese', async () => {
    const platform = createFakePlatform(scriptedBff({}), { language: 'zh-HK' });
    const { page, call } = mount(platform);
    await call('onLoad', {});
    expect(page.data.texts.total).toBe('總計');
    expect(page.data.payLabel).toBe('使用 AlipayHK 付款');
    expect(platform.titles).toEqual(['結帳']);
  });

  it('keeps each page instance separate', async () => {
    const platform = createFakePlatform(scriptedBff({}));
    const options = createCheckoutPage(platform);
    const make = () => {
      const page = {
        data: options.data,
        setData(patch: Partial<CheckoutData>) {
          page.data = { ...page.data, ...patch };
        },
      };
      return page;
    };
    const a = make();
    const b = make();
    await options.onLoad.call(a, { sku: 'TEA-001', quantity: '5' });
    await options.onLoad.call(b, {});
    options.onIncrease.call(b, { currentTarget: { dataset: { sku: 'CUP-002' } } });
    expect(a.data.products.map((p) => p.quantity)).toEqual([5, 0]);
    expect(b.data.products.map((p) => p.quantity)).toEqual([0, 1]);
  });
});
