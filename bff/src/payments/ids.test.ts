import { describe, expect, it } from 'vitest';
import { newAgreementId, newMerchantAgreementId, newMerchantTransId, newOrderId, randomSlice } from './ids';

describe('ids', () => {
  it('keep their formats', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(newOrderId(now)).toMatch(/^ord_[0-9A-HJKMNP-TV-Z]{9}[A-Za-z0-9_-]{15}$/);
    expect(newAgreementId()).toMatch(/^agr_[A-Za-z0-9_-]{24}$/);
    expect(newMerchantTransId(now)).toMatch(/^TP20261201[0-9A-HJKMNP-TV-Z]{20}$/);
    expect(newMerchantAgreementId(now)).toMatch(/^TPA20261201[0-9A-HJKMNP-TV-Z]{20}$/);
  });

  it('date each business id with its own UTC day, also when the day changes back and forth', () => {
    expect(newMerchantTransId(new Date('2026-12-01T23:59:59.999Z'))).toMatch(/^TP20261201[0-9A-HJKMNP-TV-Z]{20}$/);
    expect(newMerchantTransId(new Date('2026-12-02T00:00:00.000Z'))).toMatch(/^TP20261202[0-9A-HJKMNP-TV-Z]{20}$/);
    expect(newMerchantTransId(new Date('2026-12-01T00:00:00.000Z'))).toMatch(/^TP20261201[0-9A-HJKMNP-TV-Z]{20}$/);
    expect(newMerchantAgreementId(new Date('1969-12-31T23:59:59.000Z'))).toMatch(/^TPA19691231[0-9A-HJKMNP-TV-Z]{20}$/);
  });

  it('sort as their creation times do (so they are written at the end of their indexes), within a day and across days', () => {
    const times = [
      '1970-01-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-01T00:00:00.001Z',
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T23:59:59.999Z',
      '2026-12-02T00:00:00.000Z',
      '2999-01-01T00:00:00.000Z',
    ].map((t) => new Date(t));
    for (const make of [newOrderId, newMerchantTransId]) {
      const ids = times.map((t) => make(t));
      expect([...ids].sort()).toEqual(ids);
    }
    // The time part is the creation time: milliseconds since 1970 (orders), of the UTC day (merchantTransId).
    expect(newOrderId(new Date(0)).slice(4, 13)).toBe('000000000');
    expect(newOrderId(new Date(31)).slice(4, 13)).toBe('00000000Z');
    expect(newOrderId(new Date(32)).slice(4, 13)).toBe('000000010');
    expect(newMerchantTransId(new Date('2026-12-01T00:00:00.033Z')).slice(10, 16)).toBe('000011');
    expect(newMerchantTransId(new Date('1969-12-31T23:59:59.999Z'))).toMatch(/^TP196912312JCPZZ[0-9A-HJKMNP-TV-Z]{14}$/);
  });

  it('never repeat, across many refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newOrderId(new Date('2026-12-01T10:00:00Z')));
    expect(seen.size).toBe(5000);
  });

  it('hand out every pooled byte once: consecutive slices are different bytes, and a refill is fresh', () => {
    const first = Buffer.from(randomSlice(4000));
    const second = Buffer.from(randomSlice(4000)); // does not fit what is left: a refill
    expect(first.equals(second)).toBe(false);
    const a = Buffer.from(randomSlice(32));
    const b = Buffer.from(randomSlice(32));
    expect(a.equals(b)).toBe(false);
    expect(() => randomSlice(4097)).toThrow(RangeError);
  });
});
