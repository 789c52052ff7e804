/** Requests the HTTP tests send again and again, over `app.inject()`. */
import type { TestApp } from '../support/app';

export const JSON_TYPE = { 'content-type': 'application/json' };

/** POST to `url`; a string payload is sent byte for byte, anything else as JSON. */
export function post(t: TestApp, url: string, headers: Record<string, string>, payload: unknown) {
  return t.app.inject({ method: 'POST', url, headers, payload: payload as string });
}

/** A PENDING order of one unit of the catalog's first product, for the app's guest; answers the order as the API shows it. */
export async function orderOfFirstProduct(t: TestApp): Promise<{ id: string; status: string }> {
  const product = (await t.app.inject('/api/catalog')).json().products[0];
  const res = await post(t, '/api/orders', t.auth, { items: [{ sku: product.sku, quantity: 1 }] });
  return res.json().order;
}

/** Delivers a raw AlipayHK notification as the gateway sends it. */
export function deliverAlipayHk(t: TestApp, raw: string) {
  return post(t, '/notify/alipayhk', { 'content-type': 'application/json; charset=UTF-8' }, raw);
}
