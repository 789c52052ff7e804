/**
 * What a Hong Kong shopper reads: amounts as `HK$1,268.00` (shared's formatMoney, through the pages'
 * amountText), product titles in Traditional Chinese on a Chinese phone, plain error texts with the
 * code in small print only.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { messagesFor, pickLocale } from '../i18n';
import { amountText, describeApiError, describeApiErrorCode, productTitle } from './format';

describe('amounts in HK$', () => {
  it.each([
    ['0', 'HK$0.00'],
    ['1', 'HK$0.01'],
    ['126800', 'HK$1,268.00'],
    ['100000000', 'HK$1,000,000.00'],
  ])('%s cents → %s', (value, text) => {
    expect(amountText({ currency: 'HKD', value })).toBe(text);
  });
});

describe('product titles by locale', () => {
  const product = { sku: 'EGG-TART-6', title: 'Egg tarts, box of 6', titleZh: '蛋撻（六個裝）' };
  it.each([
    ['zh-HK', '蛋撻（六個裝）'],
    ['zh-Hant', '蛋撻（六個裝）'],
    ['zh-Hans', '蛋撻（六個裝）'],
    ['zh_HK', '蛋撻（六個裝）'],
    ['en', 'Egg tarts, box of 6'],
    ['', 'Egg tarts, box of 6'],
  ])('%s → %s', (language, title) => {
    expect(productTitle(product, messagesFor(pickLocale(language)))).toBe(title);
  });

  it('falls back to the English title when the catalog has no Chinese one', () => {
    expect(productTitle({ title: 'Card sleeve' }, messagesFor('zh-HK'))).toBe('Card sleeve');
  });
});

describe('error texts', () => {
  const en = messagesFor('en');
  const zh = messagesFor('zh-HK');

  it('a known BFF code gets a plain text in each language; the code shows only in small print', () => {
    const error = new ApiError('http', 'An item names a product that is not in the catalog', 400, 'UNKNOWN_SKU');
    expect(describeApiError(error, en)).toBe('A product in your cart is no longer sold. Please check your cart.');
    expect(describeApiError(error, zh)).toBe('購物車內有產品已停售，請檢查購物車。');
    expect(describeApiError(error, en)).not.toContain('UNKNOWN_SKU');
    expect(describeApiErrorCode(error, en)).toBe('Code: UNKNOWN_SKU');
    expect(describeApiErrorCode(error, zh)).toBe('代碼：UNKNOWN_SKU');
  });

  it('an unknown code, a 5xx, an HTTP error without a status, a network failure', () => {
    expect(describeApiError(new ApiError('http', 'x', 409, 'SOMETHING_NEW'), en)).toBe(en.errors.rejected);
    expect(describeApiError(new ApiError('http', 'x', 502), zh)).toBe('商店出現問題，請稍後再試。');
    expect(describeApiErrorCode(new ApiError('http', 'x', 502), en)).toBe('Code: 502');
    expect(describeApiError(new ApiError('http-unknown', 'my.request failed: 19'), en)).toBe(
      'The shop had a problem. Please try again in a moment.',
    );
    expect(describeApiErrorCode(new ApiError('http-unknown', 'x'), en)).toBe('');
    expect(describeApiError(new ApiError('network', 'x'), en)).toBe(en.errors.network);
    expect(describeApiErrorCode(new ApiError('network', 'x'), en)).toBe('');
  });

  it('every code text exists in both languages', () => {
    expect(Object.keys(zh.codes).sort()).toEqual(Object.keys(en.codes).sort());
  });
});
