import { describe, expect, it } from 'vitest';
import { TRADE_PAY_RESULTS, toTradePayResult } from './trade-pay-result';

// design.md's table, restated here so a change to the data is caught by a test.
const EXPECTED: [string | number, 'confirming' | 'failed' | 'cancelled'][] = [
  ['9000', 'confirming'],
  ['8000', 'confirming'],
  ['6004', 'confirming'],
  ['6002', 'confirming'],
  ['6005', 'confirming'],
  ['5000', 'confirming'],
  ['fail', 'confirming'],
  ['4000', 'failed'],
  ['4', 'failed'],
  ['6001', 'cancelled'],
  ['7001', 'cancelled'],
  ['99', 'cancelled'],
  ['1234', 'confirming'],
  ['', 'confirming'],
];

describe('my.tradePay result table', () => {
  it.each(EXPECTED)('code %s → %s', (code, state) => {
    expect(toTradePayResult(code).state).toBe(state);
  });

  it('treats numbers like their string form (seed 004 compares a number)', () => {
    expect(toTradePayResult(9000).code).toBe('9000');
    expect(toTradePayResult(6001).state).toBe('cancelled');
  });

  it('asks the gateway exactly when money may have moved', () => {
    for (const row of TRADE_PAY_RESULTS) expect(row.mayHavePaid, row.code).toBe(row.state === 'confirming');
    expect(toTradePayResult(undefined).mayHavePaid).toBe(true);
  });

  it('allows a retry only after a failure or a cancel', () => {
    for (const row of TRADE_PAY_RESULTS) expect(row.retryAllowed, row.code).toBe(row.state !== 'confirming');
  });
});
