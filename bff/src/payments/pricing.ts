/** Server-side pricing: the client names SKUs and quantities; every amount comes from the catalog. */
import type { Currency } from '@tradepay/shared';
import { AppError } from '../errors';
import type { Catalog } from '../catalog/catalog';

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

export function priceCart(catalog: Catalog, items: readonly { sku: string; quantity: number }[]): PricedCart {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.sku, (merged.get(item.sku) ?? 0) + item.quantity);
  let currency: Currency | undefined;
  let total = 0;
  const lines: PricedLine[] = [];
  for (const [sku, quantity] of merged) {
    const product = catalog.get(sku);
    if (!product) throw new AppError('UNKNOWN_SKU', `Unknown sku ${sku}`);
    if (currency && product.currency !== currency) throw new AppError('MIXED_CURRENCIES');
    currency = product.currency;
    total += product.price * quantity;
    lines.push({ sku, title: product.title, quantity, unitPrice: product.price });
  }
  if (!currency) throw new AppError('VALIDATION_FAILED', 'An order needs at least one item');
  if (!Number.isSafeInteger(total)) throw new AppError('AMOUNT_TOO_LARGE');
  return { lines, total, currency };
}
