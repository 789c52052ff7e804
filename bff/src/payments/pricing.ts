/** Server-side pricing: the client names SKUs and quantities; every amount comes from the catalog. */
import type { Currency } from '@tradepay/shared';
import type { Catalog } from '../catalog/catalog';
import { ok, type Outcome, type PricingRefusal } from './outcomes';

export interface PricedLine {
  sku: string;
  title: string;
  quantity: number;
  unitPrice: number;
}

export interface PricedCart {
  lines: PricedLine[];
  total: number;
  currency: Currency;
}

export function priceCart(catalog: Catalog, items: readonly { sku: string; quantity: number }[]): Outcome<PricedCart, PricingRefusal> {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.sku, (merged.get(item.sku) ?? 0) + item.quantity);
  let currency: Currency | undefined;
  let total = 0;
  const lines: PricedLine[] = [];
  for (const [sku, quantity] of merged) {
    const product = catalog.get(sku);
    if (!product) return { kind: 'unknown-sku', sku };
    if (currency && product.currency !== currency) return { kind: 'mixed-currencies' };
    currency = product.currency;
    total += product.price * quantity;
    lines.push({ sku, title: product.title, quantity, unitPrice: product.price });
  }
  if (!currency) return { kind: 'empty-cart' };
  if (!Number.isSafeInteger(total)) return { kind: 'amount-too-large' };
  return ok({ lines, total, currency });
}
