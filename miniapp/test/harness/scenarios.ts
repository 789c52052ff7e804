/** The steps every checkout test repeats, so a test reads as: open, pay, assert. */
import type { MiniProgram, PageHandle } from './load-miniapp';

export const CHECKOUT = 'pages/checkout/index';

/**
 * Opens the checkout (through the deep link when a sku is given, else by tapping + on the first
 * product) and waits until the catalog is there.
 */
export async function openCheckout(mp: MiniProgram, cart: { sku?: string; quantity?: number } = {}): Promise<PageHandle> {
  const query: Record<string, string> = cart.sku ? { sku: cart.sku, quantity: String(cart.quantity ?? 1) } : {};
  const page = await mp.openPage(CHECKOUT, query);
  await page.waitFor((data) => data.catalogStatus !== 'loading');
  if (page.data.catalogStatus !== 'ready') throw new Error(`catalog did not load: ${page.data.catalogError}`);
  if (!cart.sku) {
    const first = page.data.products[0] as { sku: string } | undefined;
    if (!first) throw new Error('the catalog is empty');
    await page.tap('onIncrease', { sku: first.sku });
  }
  return page;
}

/** Taps Pay and resolves when the payment flow has finished (the handler's promise). */
export async function pay(page: PageHandle): Promise<PageHandle> {
  await page.tap('onPay');
  return page;
}
