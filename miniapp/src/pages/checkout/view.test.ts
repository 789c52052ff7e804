import type { OrderStatus, UiState } from '@tradepay/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { createCheckoutFlow, type CheckoutOutcome } from '../../flow/checkout-flow';
import { messagesFor } from '../../i18n';
import type { TradePayOutcome } from '../../platform/types';
import { makeOrder, ORDER_ID, PRODUCTS } from '../../testing/fakes';
import { cartTotalText, parseCheckoutQuery, toCheckoutView, type CheckoutModel } from './view';

const en = messagesFor('en');
const zh = messagesFor('zh-HK');

function model(state: UiState, outcome: CheckoutOutcome | null = null, overrides: Partial<CheckoutModel> = {}): CheckoutModel {
  return {
    t: en,
    catalog: { status: 'ready', products: PRODUCTS },
    quantities: { 'TEA-001': 2 },
    state,
    outcome,
    unavailableSku: null,
    ...overrides,
  };
}

/** Runs the real flow against a BFF that answers `status` to everything, and returns its outcome. */
async function outcomeOf(tradePay: TradePayOutcome, status: OrderStatus = 'PENDING'): Promise<CheckoutOutcome> {
  let now = 0;
  const flow = createCheckoutFlow({
    api: {
      createOrder: async () => ({ order: makeOrder(), payment: { type: 'tradePay', orderStr: 's' } }),
      confirmOrder: async () => makeOrder(status),
      getOrder: async () => makeOrder(status),
      cancelOrder: async () => makeOrder(status),
    },
    tradePay: async () => tradePay,
    sleep: async (ms) => {
      now += ms;
    },
    now: () => now,
    random: () => 0.5,
  });
  const outcome = await flow.pay([{ sku: 'TEA-001', quantity: 2 }]);
  if (!outcome) throw new Error('flow was busy');
  return outcome;
}

const code = (resultCode: string): TradePayOutcome => ({ kind: 'result', resultCode });

describe('checkout view: what the buyer sees after each result code (BFF still PENDING)', () => {
  const stillConfirming = ['9000', '8000', '6004', '6002', '6005', '5000', '1234'].map((c) => ({ name: c, outcome: code(c) }));
  stillConfirming.push({ name: 'fail callback', outcome: { kind: 'fail', error: 3 } as TradePayOutcome });

  it.each(stillConfirming)('$name → "still confirming", Check again, no second Pay', async ({ outcome }) => {
    const result = await outcomeOf(outcome);
    const view = toCheckoutView(model(result.state, result));
    expect(view.state).toBe('confirming');
    expect(view.panel).toMatchObject({ visible: true, tone: 'warning', title: 'Still confirming', checkAgain: true, viewOrder: true });
    expect(view.panel.message).toContain("don't pay again");
    expect(view.payDisabled).toBe(true);
    expect(view.payLoading).toBe(false);
    expect(view.products.every((p) => !p.canIncrease && !p.canDecrease)).toBe(true);
  });

  it.each(['4000', '4'])('%s → failed, Pay again allowed', async (c) => {
    const result = await outcomeOf(code(c));
    const view = toCheckoutView(model(result.state, result));
    expect(view.state).toBe('failed');
    expect(view.panel).toMatchObject({ visible: true, tone: 'error', title: 'Payment failed', checkAgain: false, viewOrder: true });
    expect(view.panel.message).toBe(c === '4' ? en.status.noPermission : en.status.paymentFailed);
    expect(view.payDisabled).toBe(false);
    expect(view.payLabel).toBe('Pay again');
  });

  it.each(['6001', '7001', '99'])('%s → cancelled, quietly, Pay again allowed', async (c) => {
    const result = await outcomeOf(code(c));
    const view = toCheckoutView(model(result.state, result));
    expect(view.state).toBe('cancelled');
    expect(view.panel).toMatchObject({ visible: true, tone: 'muted', title: 'Payment cancelled', checkAgain: false, viewOrder: false });
    expect(view.payDisabled).toBe(false);
    expect(view.payLabel).toBe('Pay again');
    expect(view.products[0]?.canIncrease).toBe(true);
  });

  it.each(['9000', '4000', '6001'])('%s with the BFF saying SUCCEEDED → succeeded, no Pay', async (c) => {
    const result = await outcomeOf(code(c), 'SUCCEEDED');
    const view = toCheckoutView(model(result.state, result));
    expect(view.state).toBe('succeeded');
    expect(view.panel).toMatchObject({
      tone: 'success',
      title: 'Payment successful',
      message: `Order ${ORDER_ID} is paid.`,
      newOrder: true,
    });
    expect(view.payDisabled).toBe(true);
  });
});

describe('checkout view: states in flight', () => {
  it.each([
    ['creating', 'Creating your order…'],
    ['paying', 'Waiting for AlipayHK…'],
    ['confirming', 'Confirming your payment…'],
  ] as const)('%s shows progress and a busy, disabled Pay', (state, title) => {
    const view = toCheckoutView(model(state));
    expect(view.panel).toMatchObject({ visible: true, tone: 'progress', title });
    expect(view.payDisabled).toBe(true);
    expect(view.payLoading).toBe(true);
  });

  it('idle hides the panel and offers Pay', () => {
    const view = toCheckoutView(model('idle'));
    expect(view.panel.visible).toBe(false);
    expect(view.payDisabled).toBe(false);
    expect(view.payLabel).toBe('Pay with AlipayHK');
  });

  it('an empty cart cannot pay and says why', () => {
    const view = toCheckoutView(model('idle', null, { quantities: {} }));
    expect(view.payDisabled).toBe(true);
    expect(view.cartEmpty).toBe(true);
  });
});

describe('checkout view: BFF errors are states with a retry', () => {
  const failed = (error: ApiError): CheckoutOutcome => ({ state: 'failed', reason: 'create-error', error });

  it.each([
    [new ApiError('network', 'x'), en.errors.network],
    [new ApiError('timeout', 'x'), en.errors.timeout],
    [new ApiError('http', 'x', 503), en.errors.server, 'Code: 503'],
    [new ApiError('http', 'x', 400, 'SOMETHING_NEW'), "The shop couldn't accept this request.", 'Code: SOMETHING_NEW'],
    [
      new ApiError('http', 'x', 400, 'UNKNOWN_SKU'),
      'A product in your cart is no longer sold. Please check your cart.',
      'Code: UNKNOWN_SKU',
    ],
    [new ApiError('http', 'x', 429, 'RATE_LIMITED'), 'Too many attempts. Please wait a moment and try again.', 'Code: RATE_LIMITED'],
    // my.request fail {error: 19} without a status: the shop answered with a problem, not "no network".
    [new ApiError('http-unknown', 'x'), en.errors.server],
    [new ApiError('sign-in', 'x'), en.errors.signIn],
    [new ApiError('bad-response', 'x'), en.errors.badResponse],
  ])('%s', (error, message, code = '') => {
    const view = toCheckoutView(model('failed', failed(error)));
    // A plain text; the code only in small print.
    expect(view.panel).toMatchObject({
      visible: true,
      tone: 'error',
      title: "Couldn't start the payment",
      message,
      code,
      viewOrder: false,
    });
    expect(view.panel.message).not.toContain(error.code ?? '§');
    expect(view.payDisabled).toBe(false);
    expect(view.payLabel).toBe('Try again');
  });

  it('"still confirming" says when the shop is unreachable', () => {
    const view = toCheckoutView(
      model('confirming', { state: 'confirming', orderId: ORDER_ID, resultCode: '9000', error: new ApiError('timeout', 'x') }),
    );
    expect(view.panel.message).toContain(en.status.unreachable);
  });

  it('a catalog that failed to load shows the reason', () => {
    const view = toCheckoutView(model('idle', null, { catalog: { status: 'error', error: new ApiError('network', 'x') } }));
    expect(view.catalogStatus).toBe('error');
    expect(view.catalogError).toBe(`${en.checkout.loadError} ${en.errors.network}`);
    expect(view.payDisabled).toBe(true);
  });
});

describe('checkout view: cart and texts', () => {
  it('formats prices and the display total in minor units', () => {
    const view = toCheckoutView(model('idle', null, { quantities: { 'TEA-001': 2, 'CUP-002': 1 } }));
    expect(view.products.map((p) => [p.title, p.priceText, p.quantity])).toEqual([
      ['Oolong tea', 'HK$48.00', 2],
      ['Tea cup', 'HK$120.50', 1],
    ]);
    expect(view.totalText).toBe('HK$216.50');
  });

  it('shows a zero total before anything is chosen, and sums per currency', () => {
    expect(cartTotalText(PRODUCTS, {})).toBe('HK$0.00');
    const mixed = [...PRODUCTS, { sku: 'JP-1', title: 'Sencha', price: { currency: 'JPY' as const, value: '500' } }];
    expect(cartTotalText(mixed, { 'TEA-001': 1, 'JP-1': 2 })).toBe('HK$48.00 + JP¥1,000');
  });

  it('limits quantities to 0–99', () => {
    const view = toCheckoutView(model('idle', null, { quantities: { 'TEA-001': 99 } }));
    expect(view.products[0]).toMatchObject({ canIncrease: false, canDecrease: true });
    expect(view.products[1]).toMatchObject({ canIncrease: true, canDecrease: false });
  });

  it('renders Traditional Chinese', () => {
    const view = toCheckoutView(model('cancelled', { state: 'cancelled', resultCode: '6001' }, { t: zh }));
    expect(view.panel.title).toBe('已取消付款');
    expect(view.payLabel).toBe('再次付款');
    expect(view.texts.total).toBe('總計');
  });

  it('names an unavailable deep-linked product', () => {
    expect(toCheckoutView(model('idle', null, { unavailableSku: 'GONE-1' })).notice).toBe('The linked product (GONE-1) is not available.');
  });
});

describe('parseCheckoutQuery (the deep link)', () => {
  it.each([
    [
      { sku: 'TEA-001', quantity: '3' },
      { sku: 'TEA-001', quantity: 3 },
    ],
    [{ sku: 'TEA-001' }, { sku: 'TEA-001', quantity: 1 }],
    [
      { sku: 'TEA-001', quantity: '0' },
      { sku: 'TEA-001', quantity: 1 },
    ],
    [
      { sku: 'TEA-001', quantity: '500' },
      { sku: 'TEA-001', quantity: 99 },
    ],
    [
      { sku: 'TEA-001', quantity: 'two' },
      { sku: 'TEA-001', quantity: 1 },
    ],
    [
      { sku: 'TEA-001', quantity: '1.5' },
      { sku: 'TEA-001', quantity: 1 },
    ],
    [{ sku: '../etc' }, null],
    [{ sku: '' }, null],
    [{}, null],
    [undefined, null],
  ])('%j → %j', (query, expected) => {
    expect(parseCheckoutQuery(query)).toEqual(expected);
  });
});
