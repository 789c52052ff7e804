import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCIES, formatMoney, fromDecimalString, parseAmount, parseMoneyInput, toAmount, toDecimalString } from './money';

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

describe('parseMoneyInput (amounts as people write them)', () => {
  it('takes decimals, an optional symbol and thousands separators', () => {
    expect(parseMoneyInput('10.00', 'HKD')).toBe(1000);
    expect(parseMoneyInput('10.5', 'HKD')).toBe(1050);
    expect(parseMoneyInput(' 0.01 ', 'HKD')).toBe(1);
    expect(parseMoneyInput('HK$1,268.00', 'HKD')).toBe(126800);
    expect(parseMoneyInput('1,000,000.00', 'HKD')).toBe(100_000_000);
    expect(parseMoneyInput('500', 'JPY')).toBe(500);
  });

  it('refuses a bare integer with both written forms in the message', () => {
    expect(() => parseMoneyInput('1000', 'HKD')).toThrow(RangeError);
    expect(() => parseMoneyInput('1000', 'HKD')).toThrow('write 1000.00 for HK$1,000.00, or 10.00 for HK$10.00');
    expect(() => parseMoneyInput('5', 'USD')).toThrow('write 5.00 for US$5.00, or 0.05 for US$0.05');
  });

  it('refuses junk, extra precision, misplaced commas and other currencies’ symbols', () => {
    for (const bad of ['', '1.234', '-1.00', '1e3', 'ten', '1,00.00', '12,34', 'US$10.00', '1.', '.5']) {
      expect(() => parseMoneyInput(bad, 'HKD'), bad).toThrow(RangeError);
    }
  });

  it('reads back what formatMoney prints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.constantFrom(...CURRENCIES), (minor, currency) => {
        expect(parseMoneyInput(formatMoney(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});
