import type { OrderStatus } from '@tradepay/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { messagesFor } from '../../i18n';
import { createFakePlatform, fakePageInstance, json, makeOrder, ORDER_ID, pathOf } from '../../testing/fakes';
import { createResultPage } from './page';
import { toResultView, type ResultData } from './view';

const t = messagesFor('en');

describe('result view: every order status says what happened and what to do next', () => {
  it.each<[OrderStatus, string, string, Partial<ResultData['actions']>]>([
    ['PENDING', 'Still confirming', 'warning', { checkAgain: true, tryAgain: false, continueShopping: false }],
    ['SUCCEEDED', 'Payment successful', 'success', { continueShopping: true, checkAgain: false, tryAgain: false }],
    ['FAILED', 'Payment failed', 'error', { tryAgain: true, checkAgain: false }],
    ['CANCELLED', 'Order cancelled', 'muted', { tryAgain: true, checkAgain: false }],
    ['PARTIALLY_REFUNDED', 'Partially refunded', 'muted', { continueShopping: true }],
    ['REFUNDED', 'Refunded', 'muted', { continueShopping: true }],
  ])('%s → %s', (status, title, tone, actions) => {
    const view = toResultView({ t, status: 'ready', order: makeOrder(status), offsetMinutes: 480, refreshing: false });
    expect(view).toMatchObject({
      title,
      tone,
      hasOrder: true,
      orderId: ORDER_ID,
      amountText: 'HK$96.00',
      statusText: t.orderStatus[status],
    });
    expect(view.actions).toMatchObject({ ...actions, myOrders: true, reload: false });
  });

  it('shows times in the device time zone and the refunded amount when there is one', () => {
    const order = makeOrder('PARTIALLY_REFUNDED', {
      paidAt: '2025-11-22T10:00:05.000Z',
      refundedAmount: { currency: 'HKD', value: '4800' },
    });
    const view = toResultView({ t, status: 'ready', order, offsetMinutes: 480, refreshing: false });
    expect(view.createdText).toBe('2025-11-22 18:00');
    expect(view.paidText).toBe('2025-11-22 18:00');
    expect(view.refundedText).toBe('HK$48.00');
    expect(toResultView({ t, status: 'ready', order: makeOrder('PENDING'), offsetMinutes: 0, refreshing: false }).paidText).toBe('');
  });

  it('a load error is a state with Retry, never a blank page', () => {
    const view = toResultView({ t, status: 'error', error: new ApiError('timeout', 'x') });
    expect(view).toMatchObject({ title: t.result.loadError, message: t.errors.timeout, hasOrder: false, tone: 'error' });
    expect(view.actions.reload).toBe(true);
  });

  it('no id: says so and offers a way on', () => {
    const view = toResultView({ t, status: 'missing' });
    expect(view.title).toBe(t.result.missingId);
    expect(view.actions.continueShopping).toBe(true);
  });
});

describe('result page', () => {
  it('loads the order named in the query; Check again asks the BFF again', async () => {
    let status: OrderStatus = 'PENDING';
    const platform = createFakePlatform((request) => json(200, { order: makeOrder(status) }));
    const options = createResultPage(platform);
    const page = fakePageInstance(options.data);
    await options.onLoad.call(page, { id: ORDER_ID });
    expect(page.data.title).toBe('Still confirming');
    expect(platform.requests.map((r) => pathOf(r))).toEqual(['/api/session', `/api/orders/${ORDER_ID}`]);

    status = 'SUCCEEDED';
    const refreshing = options.onCheckAgain.call(page);
    expect(page.data.refreshing).toBe(true);
    expect(page.data.hasOrder).toBe(true); // the order stays on screen while asking
    await refreshing;
    expect(page.data).toMatchObject({ title: 'Payment successful', refreshing: false });
  });

  it('a BFF error shows Retry, and Retry recovers', async () => {
    let down = true;
    const platform = createFakePlatform(() =>
      down ? json(503, { error: { code: 'UNAVAILABLE', message: 'x' } }) : json(200, { order: makeOrder('FAILED') }),
    );
    const options = createResultPage(platform);
    const page = fakePageInstance(options.data);
    await options.onLoad.call(page, { id: ORDER_ID });
    expect(page.data.actions.reload).toBe(true);
    down = false;
    await options.onReload.call(page);
    expect(page.data.title).toBe('Payment failed');
    await options.onTryAgain.call(page);
    expect(platform.relaunches).toEqual(['/pages/checkout/index']);
  });

  it('without an id shows the missing state and calls nobody', async () => {
    const platform = createFakePlatform(() => json(500, {}));
    const options = createResultPage(platform);
    const page = fakePageInstance(options.data);
    await options.onLoad.call(page, {});
    expect(page.data.title).toBe(t.result.missingId);
    expect(platform.requests).toHaveLength(0);
  });
});
