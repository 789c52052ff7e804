/**
 * What the mini program does with the `resultCode` that `my.tradePay` resolves with.
 * The code is advice, never proof: only the BFF (a verified notification or a signed query)
 * marks an order paid. Every code that might mean money moved leads to `confirming`.
 */

export const UI_STATES = ['idle', 'creating', 'paying', 'confirming', 'succeeded', 'failed', 'cancelled'] as const;
export type UiState = (typeof UI_STATES)[number];

export interface TradePayResultRow {
  /** `my.tradePay` result code (a string on the wire), or `fail` for the fail callback. */
  code: string;
  meaning: string;
  state: 'confirming' | 'failed' | 'cancelled';
  /** Whether the BFF should query the gateway: true when money may have moved. */
  mayHavePaid: boolean;
  retryAllowed: boolean;
}

export const TRADE_PAY_RESULTS: readonly TradePayResultRow[] = [
  { code: '9000', meaning: 'payment succeeded (confirm with the BFF)', state: 'confirming', mayHavePaid: true, retryAllowed: false },
  { code: '8000', meaning: 'processing, result unknown', state: 'confirming', mayHavePaid: true, retryAllowed: false },
  { code: '6004', meaning: 'result unknown, may have succeeded', state: 'confirming', mayHavePaid: true, retryAllowed: false },
  { code: '6002', meaning: 'network error, the money may have moved', state: 'confirming', mayHavePaid: true, retryAllowed: false },
  { code: '6005', meaning: 'exception in the client', state: 'confirming', mayHavePaid: true, retryAllowed: false },
  { code: '5000', meaning: 'duplicate payment request', state: 'confirming', mayHavePaid: true, retryAllowed: false },
  { code: '4000', meaning: 'payment failed', state: 'failed', mayHavePaid: false, retryAllowed: true },
  { code: '4', meaning: 'no permission to call the API', state: 'failed', mayHavePaid: false, retryAllowed: true },
  { code: '6001', meaning: 'cancelled by the user', state: 'cancelled', mayHavePaid: false, retryAllowed: true },
  { code: '7001', meaning: 'payment stopped from the client end', state: 'cancelled', mayHavePaid: false, retryAllowed: true },
  { code: '99', meaning: 'user left through "forgot password" (iOS)', state: 'cancelled', mayHavePaid: false, retryAllowed: true },
  { code: 'fail', meaning: 'the fail callback of my.tradePay', state: 'confirming', mayHavePaid: true, retryAllowed: false },
];

/** Any code not in the table: we cannot know, so we ask the BFF. */
export const UNKNOWN_TRADE_PAY_RESULT: TradePayResultRow = {
  code: '*',
  meaning: 'unknown result code',
  state: 'confirming',
  mayHavePaid: true,
  retryAllowed: false,
};

const BY_CODE = new Map(TRADE_PAY_RESULTS.map((row) => [row.code, row]));

/** Looks a code up as a string: seed 004 compares a number, which never matches. */
export function toTradePayResult(resultCode: string | number | undefined | null): TradePayResultRow {
  if (resultCode === undefined || resultCode === null) return UNKNOWN_TRADE_PAY_RESULT;
  return BY_CODE.get(String(resultCode).trim()) ?? UNKNOWN_TRADE_PAY_RESULT;
}
