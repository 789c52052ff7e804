/**
 * Pure logic of the H5 pages (no DOM), unit-tested in bff/test/h5: UI states, the cart, the polling
 * schedule. The UI state names are the mini program's (`UI_STATES` in @tradepay/shared), so both
 * clients speak about a payment the same way.
 */
import { isPaidStatus, parseAmount, type Currency, type OrderStatus, type Product, type UiState } from '@tradepay/shared';

/** What the return page shows for the order status the SERVER reports (never one read from the URL). */
export function uiStateForOrder(status: OrderStatus): UiState {
  if (isPaidStatus(status)) return 'succeeded';
  if (status === 'FAILED') return 'failed';
  if (status === 'CANCELLED') return 'cancelled';
  return 'confirming';
}

export function isFinalUiState(state: UiState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

/**
 * The return page reports no wallet result code (a browser redirect carries none it could trust), so
 * it sends one the result table does not know: the BFF reads an unknown code as "money may have
 * moved: ask the gateway".
 */
export const H5_RETURN_RESULT_CODE = 'h5-return';

/**
 * Waits before each look at the order, in ms: the first read is immediate (the webhook has usually
 * arrived), then backing off. After the last one the page says "still confirming" and offers a button.
 */
export const POLL_DELAYS_MS: readonly number[] = [0, 1000, 1500, 2000, 3000, 5000, 8000, 13000, 20000, 30000];

/** The first look only reads the order; later looks ask the BFF to query the gateway (confirm). */
export function pollAction(attempt: number): 'read' | 'confirm' {
  return attempt === 0 ? 'read' : 'confirm';
}

export type Cart = ReadonlyMap<string, number>;

export const MAX_QUANTITY = 99;

export function setQuantity(cart: Cart, sku: string, quantity: number): Map<string, number> {
  const next = new Map(cart);
  const clamped = Math.max(0, Math.min(MAX_QUANTITY, Math.trunc(quantity)));
  if (clamped === 0) next.delete(sku);
  else next.set(sku, clamped);
  return next;
}

/** For display only: the server prices the order again and its total is what is charged. */
export function cartTotal(cart: Cart, products: readonly Product[]): { minor: number; currency: Currency } | null {
  let minor = 0;
  let currency: Currency | null = null;
  for (const product of products) {
    const quantity = cart.get(product.sku) ?? 0;
    if (quantity === 0) continue;
    const price = parseAmount(product.price);
    currency ??= price.currency;
    minor += price.minor * quantity;
  }
  return currency ? { minor, currency } : null;
}

/** The order request body: SKUs and quantities only, as contract v1 wants. */
export function cartItems(cart: Cart): { sku: string; quantity: number }[] {
  return [...cart.entries()].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity }));
}

export type Locale = 'en' | 'zh-Hant';

/** Traditional Chinese for any `zh*` preference (the shop serves Hong Kong), English otherwise. */
export function pickLocale(languages: readonly string[]): Locale {
  const first = (languages[0] ?? '').toLowerCase();
  return first.startsWith('zh') ? 'zh-Hant' : 'en';
}
