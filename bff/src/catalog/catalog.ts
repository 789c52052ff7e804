/**
 * The product catalog: the only source of prices. Loaded once from a JSON file (the demo file by
 * default, `CATALOG_FILE` to replace it) and validated, so a bad price fails at boot, not at checkout.
 */
import { readFileSync } from 'node:fs';
import { parseAmount, type Currency, type Product } from '@tradepay/shared';

export interface CatalogProduct {
  sku: string;
  title: string;
  titleZh?: string;
  price: number;
  currency: Currency;
}

export interface Catalog {
  list(): readonly CatalogProduct[];
  get(sku: string): CatalogProduct | undefined;
  toProducts(): Product[];
}

export function parseCatalog(json: unknown): Catalog {
  const products = (json as { products?: unknown })?.products;
  if (!Array.isArray(products) || products.length === 0) throw new Error('catalog: "products" must be a non-empty array');
  const bySku = new Map<string, CatalogProduct>();
  for (const [index, entry] of products.entries()) {
    const p = entry as { sku?: unknown; title?: unknown; titleZh?: unknown; price?: { currency: string; value: string } };
    if (typeof p.sku !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(p.sku)) throw new Error(`catalog: product ${index} has a bad sku`);
    if (typeof p.title !== 'string' || p.title.length === 0) throw new Error(`catalog: ${p.sku} has no title`);
    if (bySku.has(p.sku)) throw new Error(`catalog: duplicate sku ${p.sku}`);
    const { minor, currency } = parseAmount(p.price ?? { currency: '', value: '' });
    if (minor <= 0) throw new Error(`catalog: ${p.sku} must have a positive price`);
    bySku.set(p.sku, {
      sku: p.sku,
      title: p.title,
      ...(typeof p.titleZh === 'string' ? { titleZh: p.titleZh } : {}),
      price: minor,
      currency,
    });
  }
  const list = [...bySku.values()];
  const asProducts = list.map((p) => ({
    sku: p.sku,
    title: p.title,
    ...(p.titleZh !== undefined ? { titleZh: p.titleZh } : {}),
    price: { currency: p.currency, value: String(p.price) },
  }));
  return {
    list: () => list,
    get: (sku) => bySku.get(sku),
    toProducts: () => asProducts,
  };
}

export function loadCatalog(file: string): Catalog {
  return parseCatalog(JSON.parse(readFileSync(file, 'utf8')));
}
