import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { messagesFor } from '../../i18n';
import { RECENT_ORDERS_KEY, RECENT_ORDERS_LIMIT, createRecentOrders } from '../../storage/recent-orders';
import { createFakePlatform, fakePageInstance, json, makeOrder, pathOf } from '../../testing/fakes';
import { createOrdersPage } from './page';
import { toOrdersView } from './view';

const t = messagesFor('en');

describe('orders view', () => {
  it('shows each order with its server status, and errors per row', () => {
    const view = toOrdersView({
      t,
      status: 'ready',
      offsetMinutes: 0,
      entries: [
        { id: 'ord_a', order: makeOrder('SUCCEEDED', { id: 'ord_a' }) },
        { id: 'ord_b', error: new ApiError('http', 'x', 404, 'NOT_FOUND') },
        { id: 'ord_c', error: new ApiError('network', 'x') },
      ],
    });
    expect(view.rows).toEqual([
      {
        id: 'ord_a',
        statusText: 'Paid',
        tone: 'success',
        tagColor: 'success',
        amountText: 'HK$96.00',
        createdText: '2025-11-22 10:00',
        error: '',
        label: 'Order ord_a, Paid, HK$96.00',
      },
      {
        id: 'ord_b',
        statusText: '',
        tone: 'error',
        tagColor: 'danger',
        amountText: '',
        createdText: '',
        error: t.orders.notFound,
        label: `Order ord_b, ${t.orders.notFound}`,
      },
      {
        id: 'ord_c',
        statusText: '',
        tone: 'error',
        tagColor: 'danger',
        amountText: '',
        createdText: '',
        error: t.orders.loadError,
        label: `Order ord_c, ${t.orders.loadError}`,
      },
    ]);
    expect(view.canRetry).toBe(true);
    expect(view.empty).toBe(false);
  });

  it('says when there are no orders, and shows loading before', () => {
    expect(toOrdersView({ t, status: 'ready', offsetMinutes: 0, entries: [] })).toMatchObject({
      empty: true,
      loading: false,
      canRetry: false,
    });
    expect(toOrdersView({ t, status: 'loading', offsetMinutes: 0, entries: [] })).toMatchObject({ empty: false, loading: true });
  });
});

describe('recent orders storage', () => {
  it('keeps ids newest first, without duplicates, up to the limit, and survives junk', async () => {
    const platform = createFakePlatform(() => json(404, {}));
    const recent = createRecentOrders(platform.storage);
    expect(await recent.list()).toEqual([]);
    platform.store.set(RECENT_ORDERS_KEY, 'junk');
    expect(await recent.list()).toEqual([]);
    await recent.add('a');
    await recent.add('b');
    await recent.add('a');
    expect(await recent.list()).toEqual(['a', 'b']);
    for (let i = 0; i < RECENT_ORDERS_LIMIT + 5; i += 1) await recent.add(`o${i}`);
    const ids = await recent.list();
    expect(ids).toHaveLength(RECENT_ORDERS_LIMIT);
    expect(ids[0]).toBe(`o${RECENT_ORDERS_LIMIT + 4}`);
  });
});

describe('orders page', () => {
  it('fetches every stored id on show; a tap opens its result page in place of this one (result ↔ orders never grow the stack)', async () => {
    const platform = createFakePlatform((request) => {
      const id = pathOf(request).split('/').pop() ?? '';
      return id === 'ord_gone'
        ? json(404, { error: { code: 'NOT_FOUND', message: 'x' } })
        : json(200, { order: makeOrder('PENDING', { id }) });
    });
    platform.store.set(RECENT_ORDERS_KEY, ['ord_new', 'ord_gone']);
    const options = createOrdersPage(platform);
    const page = fakePageInstance(options.data);
    await Promise.all([options.onLoad.call(page), options.onShow.call(page)]);
    expect(page.data.rows.map((r) => [r.id, r.statusText, r.error])).toEqual([
      ['ord_new', 'Awaiting payment', ''],
      ['ord_gone', '', t.orders.notFound],
    ]);
    platform.stack.push('pages/orders/index');
    await options.onOpenOrder.call(page, { currentTarget: { dataset: { id: 'ord_new' } } });
    expect(platform.calls).toEqual(['redirectTo /pages/result/index?id=ord_new']);
    expect(platform.stack).toEqual(['pages/checkout/index', 'pages/result/index']);
  });

  it('shows the empty state in Chinese on a fresh device', async () => {
    const platform = createFakePlatform(() => json(500, {}), { language: 'zh-Hant' });
    const options = createOrdersPage(platform);
    const page = fakePageInstance(options.data);
    await options.onLoad.call(page);
    await options.onShow.call(page);
    expect(page.data).toMatchObject({ empty: true, texts: { empty: '此裝置尚未有訂單。' } });
    expect(platform.titles).toEqual(['我的訂單']);
  });
});
