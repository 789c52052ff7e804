/**
 * The one place a service's refusal (payments/outcomes.ts) becomes its HTTP answer: the error code
 * and message of contract v1 (errors.ts), sent by the error handler as `{error:{code,message}}`.
 */
import type { Outcome, Refusal } from '../payments/outcomes';
import { AppError } from '../errors';

export function refusalError(refusal: Refusal): AppError {
  switch (refusal.kind) {
    case 'unknown-sku':
      return new AppError('UNKNOWN_SKU', `Unknown sku ${refusal.sku}`);
    case 'mixed-currencies':
      return new AppError('MIXED_CURRENCIES');
    case 'empty-cart':
      return new AppError('VALIDATION_FAILED', 'An order needs at least one item');
    case 'amount-too-large':
      return new AppError('AMOUNT_TOO_LARGE');
    case 'idempotency-key-reused':
      return new AppError('IDEMPOTENCY_KEY_REUSED');
    case 'idempotency-key-in-use':
      return new AppError('IDEMPOTENCY_KEY_IN_USE');
    case 'channel-unavailable':
      if (refusal.channel === undefined) return new AppError('CHANNEL_UNAVAILABLE');
      return new AppError(
        'CHANNEL_UNAVAILABLE',
        refusal.currency === undefined
          ? `Payment channel ${refusal.channel} is not configured`
          : `Channel ${refusal.channel} does not take ${refusal.currency}`,
      );
    case 'order-not-found':
      return new AppError('ORDER_NOT_FOUND');
    case 'order-not-cancellable':
      return new AppError('ORDER_NOT_CANCELLABLE', `Order is ${refusal.status}`);
    case 'order-already-paid':
      return new AppError('ORDER_NOT_CANCELLABLE', 'Order is already paid');
    case 'cancel-refused':
      return new AppError('ORDER_NOT_CANCELLABLE', `The gateway refused to cancel (${refusal.code})`);
    case 'gateway-unknown':
      return new AppError('GATEWAY_UNAVAILABLE');
    case 'order-not-refundable':
      return new AppError('ORDER_NOT_REFUNDABLE', refusal.detail);
    case 'refund-exceeds-payment':
      return new AppError('REFUND_EXCEEDS_PAYMENT', `at most ${refusal.refundable} minor units can still be refunded`);
    case 'nothing-to-refund':
      return new AppError('REFUND_EXCEEDS_PAYMENT', 'Nothing is left to refund');
    case 'auto-debit-unavailable':
      return new AppError('AUTO_DEBIT_UNAVAILABLE');
    case 'wallet-sign-in-required':
      return new AppError('WALLET_SIGN_IN_REQUIRED');
    case 'agreement-not-found':
      return new AppError('AGREEMENT_NOT_FOUND');
    case 'agreement-not-active':
      return new AppError(
        'AGREEMENT_NOT_ACTIVE',
        refusal.status === null
          ? 'The wallet no longer accepts this agreement (expired or revoked); bind the wallet again'
          : `The agreement is ${refusal.status}; bind the wallet again`,
      );
    case 'return-rejected':
      return new AppError('AGREEMENT_RETURN_REJECTED', `Authorisation return rejected: ${refusal.why}`);
    case 'wallet-refused':
      return new AppError(
        'CHANNEL_REJECTED',
        refusal.step === 'prepare'
          ? `AlipayHK refused to start the binding (${refusal.code})`
          : `AlipayHK refused to cancel the agreement (${refusal.code})`,
      );
    case 'currency-not-supported':
      return new AppError('CURRENCY_NOT_SUPPORTED', `Auto-debit charges are made in ${refusal.currency} only`);
    case 'daily-cap-exceeded':
      return new AppError(
        'DAILY_CAP_EXCEEDED',
        `This charge would exceed the agreement's daily limit (${refusal.dailyCap} ${refusal.currency} minor units; ${refusal.chargedToday} already charged today, Hong Kong time)`,
      );
  }
}

/** The success value of an outcome; a refusal leaves as its HTTP error (thrown to the error handler). */
export function answer<T>(outcome: Outcome<T>): T {
  if (outcome.kind === 'ok') return outcome.value;
  throw refusalError(outcome);
}
