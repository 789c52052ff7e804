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

type Entry = readonly [code: string, meaning: string];

/** Money may have moved: the BFF queries the gateway, and the buyer must not pay again. */
const MAY_HAVE_PAID: readonly Entry[] = [
  ['9000', 'payment succeeded (confirm with the BFF)'],
  ['8000', 'processing, result unknown'],
  ['6004', 'result unknown, may have succeeded'],
  ['6002', 'network error, the money may have moved'],
  ['6005', 'exception in the client'],
  ['5000', 'duplicate payment request'],
];
/** Nothing was paid: the buyer may try again. */
const FAILED: readonly Entry[] = [
  ['4000', 'payment failed'],
  ['4', 'no permission to call the API'],
];
const CANCELLED: readonly Entry[] = [
  ['6001', 'cancelled by the user'],
  ['7001', 'payment stopped from the client end'],
  ['99', 'user left through "forgot password" (iOS)'],
];

/** Whether money may have moved, and so whether a retry is allowed, follows from the state. */
function rows(state: TradePayResultRow['state'], entries: readonly Entry[]): TradePayResultRow[] {
  return entries.map(([code, meaning]) => ({
    code,
    meaning,
    state,
    mayHavePaid: state === 'confirming',
    retryAllowed: state !== 'confirming',
  }));
}

export const TRADE_PAY_RESULTS: readonly TradePayResultRow[] = [
  ...rows('confirming', MAY_HAVE_PAID),
  ...rows('failed', FAILED),
  ...rows('cancelled', CANCELLED),
  ...rows('confirming', [['fail', 'the fail callback of my.tradePay']]),
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
