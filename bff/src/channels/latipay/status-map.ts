/**
 * Latipay states and result codes → our normalised results. Codes are compared as strings, because
 * a JSON number and a string must mean the same thing here (seed 004's sample compares a number
 * with `===` and never matches).
 */
import { lookUpStatus, type NormalisedPaymentStatus, type StatusTable } from '../status-table';

export type { NormalisedPaymentStatus } from '../status-table';

/**
 * Transaction and callback `status` values: pending/paid/failed, plus `canceled` and `rejected`
 * (callbacks, mainly PayID; they close the order), https://doc.latipay.net/v2/latipay-hosted-online.html.
 * Anything else is UNKNOWN: ask again later.
 */
const STATUS: StatusTable = { paid: 'PAID', pending: 'PENDING', failed: 'CLOSED', canceled: 'CLOSED', rejected: 'CLOSED' };

/** What a closing status makes of our order: a cancel by the payer or Latipay is CANCELLED. */
export function toClosedAs(status: string): 'FAILED' | 'CANCELLED' {
  return status === 'canceled' ? 'CANCELLED' : 'FAILED';
}

export function toNormalisedPaymentStatus(status: unknown): NormalisedPaymentStatus {
  return lookUpStatus(STATUS, status);
}

export const SUCCESS_CODE = '0';
/** "order not exist": a query for a merchant_reference Latipay has never seen. */
export const ORDER_NOT_EXIST_CODE = '201';

/**
 * Latipay's documented error codes (docs.latipay.net/v2 "Error Code"). Each is a definite refusal:
 * nothing was created or refunded. Code `1` ("FAIL") says nothing about what happened, so it is
 * not in this table and is treated as an unknown outcome.
 */
export const LATIPAY_ERROR_CODES: Readonly<Record<string, string>> = {
  '201': 'order not exist',
  '204': 'some fields from input are null',
  '205': 'no key for this user_id, or the user is disabled or not active',
  '206': 'the signature of the merchant request is wrong',
  '207': 'a parameter is wrong',
  '300': 'gateway not exist',
  '301': 'wrong account info or currency info',
  '302': 'pay company not exist',
  '303': 'wrong pay type from merchant',
  '304': 'wallet does not support this payment method',
  '305': 'no margin plan for the merchant',
  '450': 'wallet not assigned to user',
};

/**
 * The refund API's own codes (Latipay/latipay.github.io src/v2/error-code.md). Each is a definite
 * refusal, except `562` "This refund request has been done": the refund exists, so it is done.
 */
export const LATIPAY_REFUND_FAILURE_CODES: Readonly<Record<string, string>> = {
  '550': 'Refund parameters wrong',
  '551': 'Refund related order is not exist',
  '556': 'Create refund order fail',
  '558': 'Refund order is not exist',
  '559': 'Insufficient amount in your wallet',
};
export const REFUND_ALREADY_DONE_CODE = '562';

export function codeOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}

export function isDocumentedError(code: string): boolean {
  return Object.hasOwn(LATIPAY_ERROR_CODES, code);
}
