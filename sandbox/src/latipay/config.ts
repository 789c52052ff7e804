/**
 * The sandbox's Latipay account. These constants are the sandbox's own: the BFF defines its own
 * copies for sandbox mode, so a typo on either side shows up as a refused call (205/450).
 */
export const SANDBOX_LATIPAY_USER_ID = 'U000000001';
export const SANDBOX_LATIPAY_WALLET_ID = 'W000000001';
/** The sandbox wallet settles in the catalog's currency (a real Latipay wallet is NZD, AUD, …). */
export const SANDBOX_LATIPAY_CURRENCY = 'HKD';
/** The only payment method a mini-app (`/v2/minialipay`) payment has. */
export const LATIPAY_PAYMENT_METHOD = 'alipay';

/** Latipay re-sends a callback about every 30 s until it gets HTTP 200 + `sent` (× retryScale here). */
export const LATIPAY_CALLBACK_INTERVAL_MS = 30_000;
/** Latipay retries without end; the sandbox stops after this many deliveries to stay bounded. */
export const LATIPAY_MAX_CALLBACK_ATTEMPTS = 50;

/** Latipay's documented error codes and messages (docs.latipay.net/v2, "Error Code"). */
export const LATIPAY_ERRORS = {
  1: 'FAIL',
  201: 'order not exist',
  204: 'Some fields from input are null',
  205: 'Cannot find out corresponding key for the user code or user is disabled or user is not activity',
  206: 'Signature from Merchant request is wrong',
  207: 'Param is wrong',
  300: 'Gateway not exist',
  301: 'Wrong account info or currency info',
  302: 'Paycompany not exist',
  303: 'Wrong pay type from merchant',
  304: 'Wallet does not support this payment method',
  305: 'No margin plan for the merchant',
  450: 'Wallet not assign to user',
  // The refund API's codes (Latipay/latipay.github.io src/v2/error-code.md).
  550: 'Refund parameters wrong',
  551: 'Refund related order is not exist',
  556: 'Create refund order fail',
  558: 'Refund order is not exist',
  559: 'Insufficient amount in your wallet',
  562: 'This refund request has been done',
} as const satisfies Record<number, string>;

export type LatipayErrorCode = keyof typeof LATIPAY_ERRORS;

export const LATIPAY_ERROR_CODES = Object.keys(LATIPAY_ERRORS).map(Number) as LatipayErrorCode[];

export function isLatipayErrorCode(code: number): code is LatipayErrorCode {
  return Object.hasOwn(LATIPAY_ERRORS, code);
}
