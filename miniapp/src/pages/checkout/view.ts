/**
 * Pure mappers from the checkout model to the data its axml renders. No runtime, no I/O: every
 * state and every result-code row is tested here without a mini program.
 */
import { formatMoney, type Currency, type Product, type UiState } from '@tradepay/shared';
import type { ApiError } from '../../api/errors';
import type { CheckoutOutcome } from '../../flow/checkout-flow';
import { fill, type Messages } from '../../i18n';
import { describeApiError, describeApiErrorCode, productTitle } from '../format';
import { panel, runningPanel, type StatusPanel } from '../status-panel';

export type CatalogState = { status: 'loading' } | { status: 'ready'; products: Product[] } | { status: 'error'; error: ApiError };

export interface CheckoutModel {
  t: Messages;
  catalog: CatalogState;
  /** sku → quantity (0–99). */
  quantities: Record<string, number>;
  state: UiState;
  /** How the last payment ended (or stopped polling); null while one runs or before the first. */
  outcome: CheckoutOutcome | null;
  /** A deep link named a product the catalog does not have. */
  unavailableSku: string | null;
}

export interface ProductRow {
  sku: string;
  title: string;
  priceText: string;
  quantity: number;
  canDecrease: boolean;
  canIncrease: boolean;
  /** Screen-reader labels of the stepper (its − and + show no words). */
  decreaseLabel: string;
  increaseLabel: string;
  quantityLabel: string;
}

export interface CheckoutData {
  state: UiState;
  texts: {
    loading: string;
    loadError: string;
    retry: string;
    total: string;
    emptyCart: string;
    myOrders: string;
    autoDebit: string;
    checkAgain: string;
    viewOrder: string;
    newOrder: string;
  };
  catalogStatus: CatalogState['status'];
  catalogError: string;
  products: ProductRow[];
  totalText: string;
  cartEmpty: boolean;
  notice: string;
  payLabel: string;
  payDisabled: boolean;
  payLoading: boolean;
  panel: StatusPanel;
}

export const MAX_QUANTITY = 99;

/** States in which a payment is running: no second Pay, no cart edits. */
export function isInFlight(state: UiState): boolean {
  return state === 'creating' || state === 'paying' || state === 'confirming';
}

/** The cart may change (and Pay may start) only when no payment runs and none succeeded. */
export function isEditable(state: UiState): boolean {
  return state === 'idle' || state === 'failed' || state === 'cancelled';
}

/** The deep link `pages/checkout/index?sku=…&quantity=…`; null when it names no valid sku. */
export function parseCheckoutQuery(query: unknown): { sku: string; quantity: number } | null {
  if (typeof query !== 'object' || query === null) return null;
  const { sku, quantity } = query as Record<string, unknown>;
  // Same rule as the BFF's SKU_PATTERN (contract v1).
  if (typeof sku !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(sku)) return null;
  const parsed = typeof quantity === 'string' || typeof quantity === 'number' ? Number(quantity) : 1;
  const whole = Number.isInteger(parsed) ? parsed : 1;
  return { sku, quantity: Math.min(Math.max(whole, 1), MAX_QUANTITY) };
}

export function cartItems(products: readonly Product[], quantities: Record<string, number>): { sku: string; quantity: number }[] {
  return products.filter((p) => (quantities[p.sku] ?? 0) > 0).map((p) => ({ sku: p.sku, quantity: quantities[p.sku] as number }));
}

/** Display only: the BFF prices the cart. One amount per currency, joined with " + ". */
export function cartTotalText(products: readonly Product[], quantities: Record<string, number>): string {
  const sums = new Map<Currency, number>();
  for (const product of products) {
    const quantity = quantities[product.sku] ?? 0;
    const sum = sums.get(product.price.currency) ?? 0;
    sums.set(product.price.currency, sum + Number(product.price.value) * quantity);
  }
  const nonZero = [...sums].filter(([, minor]) => minor > 0);
  const shown = nonZero.length > 0 ? nonZero : [...sums].slice(0, 1);
  return shown.map(([currency, minor]) => formatMoney(minor, currency)).join(' + ');
}

function failureMessage(outcome: Extract<CheckoutOutcome, { state: 'failed' }>, t: Messages): string {
  switch (outcome.reason) {
    case 'create-error':
      return describeApiError(outcome.error, t);
    case 'unsupported-payment':
      return t.status.unsupported;
    case 'payment-failed':
      // 4 = the mini program may not call tradePay (a setup problem, not the buyer's card).
      return outcome.resultCode === '4' ? t.status.noPermission : t.status.paymentFailed;
    case 'order-failed':
      return t.status.orderFailed;
    case 'order-refunded':
      return t.status.orderRefunded;
  }
}

/** The status panel under the cart: what is happening, and what the buyer can do next. */
export function toStatusPanel(state: UiState, outcome: CheckoutOutcome | null, t: Messages): StatusPanel {
  switch (state) {
    case 'paying':
      return panel('progress', t.status.paying, '');
    case 'succeeded':
      return panel(
        'success',
        t.status.succeededTitle,
        outcome?.state === 'succeeded' ? fill(t.status.succeeded, { id: outcome.order.id }) : '',
        {
          viewOrder: true,
          newOrder: true,
        },
      );
    case 'failed':
      if (outcome?.state !== 'failed') return panel('error', t.status.failedTitle, t.status.paymentFailed);
      return {
        ...panel(
          'error',
          outcome.reason === 'create-error' ? t.status.startFailedTitle : t.status.failedTitle,
          failureMessage(outcome, t),
          {
            viewOrder: outcome.order !== undefined,
          },
        ),
        code: outcome.reason === 'create-error' ? describeApiErrorCode(outcome.error, t) : '',
      };
    case 'cancelled':
      // Quiet: the buyer chose this; no error colour, Pay stays right there.
      return panel('muted', t.status.cancelledTitle, t.status.cancelled);
    default:
      return runningPanel(state, outcome, t.status, t);
  }
}

function payLabel(model: CheckoutModel): string {
  const { t, outcome } = model;
  if (model.state === 'failed' && outcome?.state === 'failed' && outcome.reason === 'create-error') return t.actions.retry;
  if (model.state === 'failed' || model.state === 'cancelled') return t.checkout.payAgain;
  return t.checkout.pay;
}

export function toCheckoutView(model: CheckoutModel): CheckoutData {
  const { t, catalog, quantities, state } = model;
  const products = catalog.status === 'ready' ? catalog.products : [];
  const editable = isEditable(state);
  const items = cartItems(products, quantities);
  return {
    state,
    texts: {
      loading: t.checkout.loading,
      loadError: t.checkout.loadError,
      retry: t.actions.retry,
      total: t.checkout.total,
      emptyCart: t.checkout.emptyCart,
      myOrders: t.checkout.myOrders,
      autoDebit: t.checkout.autoDebit,
      checkAgain: t.actions.checkAgain,
      viewOrder: t.actions.viewOrder,
      newOrder: t.actions.newOrder,
    },
    catalogStatus: catalog.status,
    catalogError: catalog.status === 'error' ? `${t.checkout.loadError} ${describeApiError(catalog.error, t)}` : '',
    products: products.map((p) => {
      const quantity = quantities[p.sku] ?? 0;
      const title = productTitle(p, t);
      return {
        sku: p.sku,
        title,
        priceText: formatMoney(Number(p.price.value), p.price.currency),
        quantity,
        canDecrease: editable && quantity > 0,
        canIncrease: editable && quantity < MAX_QUANTITY,
        decreaseLabel: fill(t.a11y.decrease, { title }),
        increaseLabel: fill(t.a11y.increase, { title }),
        quantityLabel: fill(t.a11y.quantity, { title, quantity }),
      };
    }),
    totalText: cartTotalText(products, quantities),
    cartEmpty: catalog.status === 'ready' && items.length === 0,
    notice: model.unavailableSku ? fill(t.checkout.unavailable, { sku: model.unavailableSku }) : '',
    payLabel: payLabel(model),
    payDisabled: catalog.status !== 'ready' || !editable || items.length === 0,
    payLoading: isInFlight(state) && !(state === 'confirming' && model.outcome?.state === 'confirming'),
    panel: toStatusPanel(state, model.outcome, t),
  };
}
