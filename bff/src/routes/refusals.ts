/**
 * The one place a service's refusal (payments/outcomes.ts) becomes its HTTP answer: the error code
 * and message of contract v1 (errors.ts), sent by the error handler as `{error:{code,message}}`.
 */
import type { Outcome, Refusal } from '../payments/outcomes';
import { AppError, type ErrorCode } from '../errors';

/** Each refusal's error code (and so its status). */
const CODES: Readonly<Record<Refusal['kind'], ErrorCode>> = {
  'unknown-sku': 'UNKNOWN_SKU',
  'mixed-currencies': 'MIXED_CURRENCIES',
  'empty-cart': 'VALIDATION_FAILED',
  'amount-too-large': 'AMOUNT_TOO_LARGE',
  'idempotency-key-reused': 'IDEMPOTENCY_KEY_REUSED',
  'idempotency-key-in-use': 'IDEMPOTENCY_KEY_IN_USE',
  'channel-unavailable': 'CHANNEL_UNAVAILABLE',
  'order-not-found': 'ORDER_NOT_FOUND',
  'order-not-cancellable': 'ORDER_NOT_CANCELLABLE',
  'order-already-paid': 'ORDER_NOT_CANCELLABLE',
  'cancel-refused': 'ORDER_NOT_CANCELLABLE',
  'gateway-unknown': 'GATEWAY_UNAVAILABLE',
  'order-not-refundable': 'ORDER_NOT_REFUNDABLE',
  'refund-exceeds-payment': 'REFUND_EXCEEDS_PAYMENT',
  'nothing-to-refund': 'REFUND_EXCEEDS_PAYMENT',
  'auto-debit-unavailable': 'AUTO_DEBIT_UNAVAILABLE',
  'wallet-sign-in-required': 'WALLET_SIGN_IN_REQUIRED',
  'agreement-not-found': 'AGREEMENT_NOT_FOUND',
  'agreement-not-active': 'AGREEMENT_NOT_ACTIVE',
  'return-rejected': 'AGREEMENT_RETURN_REJECTED',
  'wallet-refused': 'CHANNEL_REJECTED',
  'currency-not-supported': 'CURRENCY_NOT_SUPPORTED',
  'daily-cap-exceeded': 'DAILY_CAP_EXCEEDED',
};

/** The message when the refusal's facts say more than its code's default message (undefined: the default). */
function message(refusal: Refusal): string | undefined {
  switch (refusal.kind) {
    case 'unknown-sku':
      return `Unknown sku ${refusal.sku}`;
    case 'empty-cart':
      return 'An order needs at least one item';
    case 'channel-unavailable':
      if (refusal.channel === undefined) return undefined;
      return refusal.currency === undefined
        ? `Payment channel ${refusal.channel} is not configured`
        : `Channel ${refusal.channel} does not take ${refusal.currency}`;
    case 'order-not-cancellable':
      return `Order is ${refusal.status}`;
    case 'order-already-paid':
      return 'Order is already paid';
    case 'cancel-refused':
      return `The gateway refused to cancel (${refusal.code})`;
    case 'order-not-refundable':
      return refusal.detail;
    case 'refund-exceeds-payment':
      return `at most ${refusal.refundable} minor units can still be refunded`;
    case 'nothing-to-refund':
      return 'Nothing is left to refund';
    case 'agreement-not-active':
      return refusal.status === null
        ? 'The wallet no longer accepts this agreement (expired or revoked); bind the wallet again'
        : `The agreement is ${refusal.status}; bind the wallet again`;
    case 'return-rejected':
      return `Authorisation return rejected: ${refusal.why}`;
    case 'wallet-refused':
      return refusal.step === 'prepare'
        ? `AlipayHK refused to start the binding (${refusal.code})`
        : `AlipayHK refused to cancel the agreement (${refusal.code})`;
    case 'currency-not-supported':
      return `Auto-debit charges are made in ${refusal.currency} only`;
    case 'daily-cap-exceeded':
      return `This charge would exceed the agreement's daily limit (${refusal.dailyCap} ${refusal.currency} minor units; ${refusal.chargedToday} already charged today, Hong Kong time)`;
    default:
      return undefined;
  }
}

export function refusalError(refusal: Refusal): AppError {
  return new AppError(CODES[refusal.kind], message(refusal));
}

/** The success value of an outcome; a refusal leaves as its HTTP error (thrown to the error handler). */
export function answer<T>(outcome: Outcome<T>): T {
  if (outcome.kind === 'ok') return outcome.value;
  throw refusalError(outcome);
}
