import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ORDER_STATUSES, UI_STATES, toTradePayResult, type Product } from '@tradepay/shared';
import { describe, expect, it } from 'vitest';
import {
  cartItems,
  cartTotal,
  H5_RETURN_RESULT_CODE,
  isFinalUiState,
  pickLocale,
  pollAction,
  POLL_DELAYS_MS,
  setQuantity,
  uiStateForOrder,
} from '../../h5/src/state';

const products: Product[] = [
  { sku: 'A', title: 'A', price: { currency: 'HKD', value: '8800' } },
  { sku: 'B', title: 'B', price: { currency: 'HKD', value: '4200' } },
];

describe('H5 page logic', () => {
  it('maps every order status the server reports onto one of the shared UI states', () => {
    const mapped = Object.fromEntries(ORDER_STATUSES.map((s) => [s, uiStateForOrder(s)]));
    expect(mapped).toEqual({
      PENDING: 'confirming',
      SUCCEEDED: 'succeeded',
      FAILED: 'failed',
      CANCELLED: 'cancelled',
      PARTIALLY_REFUNDED: 'succeeded',
      REFUNDED: 'succeeded',
    });
    for (const state of Object.values(mapped)) expect(UI_STATES).toContain(state);
    expect(UI_STATES.filter(isFinalUiState)).toEqual(['succeeded', 'failed', 'cancelled']);
  });

  it('reports a result code the BFF reads as "go and ask the gateway"', () => {
    expect(toTradePayResult(H5_RETURN_RESULT_CODE).mayHavePaid).toBe(true);
    expect(H5_RETURN_RESULT_CODE.length).toBeLessThanOrEqual(16);
  });

  it('reads first, then confirms, backing off for about a minute and a half', () => {
    expect(pollAction(0)).toBe('read');
    expect(pollAction(1)).toBe('confirm');
    expect(POLL_DELAYS_MS[0]).toBe(0);
    for (let i = 2; i < POLL_DELAYS_MS.length; i++) expect(POLL_DELAYS_MS[i]!).toBeGreaterThanOrEqual(POLL_DELAYS_MS[i - 1]!);
    const total = POLL_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(60_000);
    expect(total).toBeLessThan(180_000);
  });

  it('keeps quantities in 0..99 and sends SKUs and quantities only', () => {
    let cart = setQuantity(new Map(), 'A', 2);
    cart = setQuantity(cart, 'B', 150);
    expect(cartItems(cart)).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 99 },
    ]);
    cart = setQuantity(cart, 'B', 0);
    expect(cartItems(cart)).toEqual([{ sku: 'A', quantity: 2 }]);
    expect(cartTotal(cart, products)).toEqual({ minor: 17600, currency: 'HKD' });
    expect(cartTotal(new Map(), products)).toBeNull();
  });

  it('speaks Traditional Chinese to any zh preference and English otherwise', () => {
    expect(pickLocale(['zh-HK', 'en'])).toBe('zh-Hant');
    expect(pickLocale(['zh-TW'])).toBe('zh-Hant');
    expect(pickLocale(['en-GB', 'zh-HK'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});

describe('the browser sources type-check against the DOM library', () => {
  it('tsc -p bff/h5/tsconfig.json', () => {
    const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
    const project = fileURLToPath(new URL('../../h5/tsconfig.json', import.meta.url));
    const run = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});
