import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCIES, formatMoney, fromDecimalString, parseAmount, toAmount, toDecimalString } from './money';

describe('money', () => {
  it('formats minor units with each currency exponent', () => {
    expect(toDecimalString(12050, 'HKD')).toBe('120.50');
    expect(toDecimalString(5, 'NZD')).toBe('0.05');
    expect(toDecimalString(0, 'USD')).toBe('0.00');
    expect(toDecimalString(500, 'JPY')).toBe('500');
  });

  it('parses decimal strings and refuses extra precision or junk', () => {
    expect(fromDecimalString('120.00', 'NZD')).toBe(12000);
    expect(fromDecimalString('120.5', 'HKD')).toBe(12050);
    expect(fromDecimalString('120', 'CNY')).toBe(12000);
    expect(fromDecimalString('500', 'JPY')).toBe(500);
    for (const bad of ['1.234', '-1', '1e3', ' 1', '01', '', '1.', 'NaN']) {
      expect(() => fromDecimalString(bad, 'HKD'), bad).toThrow(RangeError);
    }
    expect(() => fromDecimalString('1.5', 'JPY')).toThrow(RangeError);
  });

  it('round-trips every amount through the decimal form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(...CURRENCIES), (minor, currency) => {
        expect(fromDecimalString(toDecimalString(minor, currency), currency)).toBe(minor);
      }),
    );
  });

  it('parses wire amounts strictly', () => {
    expect(parseAmount({ currency: 'HKD', value: '1000' })).toEqual({ minor: 1000, currency: 'HKD' });
    expect(toAmount(1000, 'HKD')).toEqual({ currency: 'HKD', value: '1000' });
    expect(() => parseAmount({ currency: 'XXX', value: '1' })).toThrow();
    expect(() => parseAmount({ currency: 'HKD', value: '10.00' })).toThrow();
    expect(() => parseAmount({ currency: 'HKD', value: '-5' })).toThrow();
    expect(() => toAmount(1.5, 'HKD')).toThrow();
  });

  it('formats amounts for people: symbol per currency, thousands grouped', () => {
    expect(formatMoney(0, 'HKD')).toBe('HK$0.00');
    expect(formatMoney(1, 'HKD')).toBe('HK$0.01');
    expect(formatMoney(126800, 'HKD')).toBe('HK$1,268.00');
    expect(formatMoney(100_000_000, 'HKD')).toBe('HK$1,000,000.00');
    expect(formatMoney(1_234_567, 'JPY')).toBe('JP¥1,234,567');
    expect(formatMoney(99_999, 'USD')).toBe('US$999.99');
    expect(formatMoney(12050, 'CNY')).toBe('CN¥120.50');
  });
});
