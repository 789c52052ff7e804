import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import type { Refusal } from '../payments/outcomes';
import { answer, refusalError } from './refusals';

/** Every refusal's HTTP answer (contract v1: the same codes and messages as before outcomes). */
const table: Array<[Refusal, string, number, string]> = [
  [{ kind: 'unknown-sku', sku: 'x' }, 'UNKNOWN_SKU', 400, 'Unknown sku x'],
  [{ kind: 'mixed-currencies' }, 'MIXED_CURRENCIES', 400, 'All items of an order must be priced in one currency'],
  [{ kind: 'empty-cart' }, 'VALIDATION_FAILED', 400, 'An order needs at least one item'],
  [{ kind: 'amount-too-large' }, 'AMOUNT_TOO_LARGE', 400, 'The order total is larger than a payment can be'],
  [{ kind: 'idempotency-key-reused' }, 'IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was used with a different request body'],
  [{ kind: 'idempotency-key-in-use' }, 'IDEMPOTENCY_KEY_IN_USE', 409, 'A request with this Idempotency-Key is still being processed'],
  [{ kind: 'channel-unavailable' }, 'CHANNEL_UNAVAILABLE', 400, 'That payment channel is not configured'],
  [{ kind: 'channel-unavailable', channel: 'latipay' }, 'CHANNEL_UNAVAILABLE', 400, 'Payment channel latipay is not configured'],
  [{ kind: 'channel-unavailable', channel: 'h5', currency: 'JPY' }, 'CHANNEL_UNAVAILABLE', 400, 'Channel h5 does not take JPY'],
  [{ kind: 'order-not-found' }, 'ORDER_NOT_FOUND', 404, 'No such order'],
  [{ kind: 'order-not-cancellable', status: 'FAILED' }, 'ORDER_NOT_CANCELLABLE', 409, 'Order is FAILED'],
  [{ kind: 'order-already-paid' }, 'ORDER_NOT_CANCELLABLE', 409, 'Order is already paid'],
  [{ kind: 'cancel-refused', code: 'X' }, 'ORDER_NOT_CANCELLABLE', 409, 'The gateway refused to cancel (X)'],
  [{ kind: 'gateway-unknown' }, 'GATEWAY_UNAVAILABLE', 502, 'The payment gateway did not answer; try again'],
  [{ kind: 'order-not-refundable', detail: 'order is PENDING' }, 'ORDER_NOT_REFUNDABLE', 409, 'order is PENDING'],
  [{ kind: 'refund-exceeds-payment', refundable: 5 }, 'REFUND_EXCEEDS_PAYMENT', 422, 'at most 5 minor units can still be refunded'],
  [{ kind: 'nothing-to-refund' }, 'REFUND_EXCEEDS_PAYMENT', 422, 'Nothing is left to refund'],
  [{ kind: 'auto-debit-unavailable' }, 'AUTO_DEBIT_UNAVAILABLE', 400, 'Auto-debit is not configured (AGREEMENT_TOKEN_KEY)'],
  [
    { kind: 'wallet-sign-in-required' },
    'WALLET_SIGN_IN_REQUIRED',
    403,
    'Sign in with the AlipayHK wallet (my.getAuthCode) to bind it for auto-debit',
  ],
  [{ kind: 'agreement-not-found' }, 'AGREEMENT_NOT_FOUND', 404, 'No such agreement'],
  [{ kind: 'agreement-not-active', status: 'REVOKED' }, 'AGREEMENT_NOT_ACTIVE', 409, 'The agreement is REVOKED; bind the wallet again'],
  [
    { kind: 'agreement-not-active', status: null },
    'AGREEMENT_NOT_ACTIVE',
    409,
    'The wallet no longer accepts this agreement (expired or revoked); bind the wallet again',
  ],
  [{ kind: 'return-rejected', why: 'no state' }, 'AGREEMENT_RETURN_REJECTED', 400, 'Authorisation return rejected: no state'],
  [{ kind: 'wallet-refused', step: 'prepare', code: 'C' }, 'CHANNEL_REJECTED', 502, 'AlipayHK refused to start the binding (C)'],
  [{ kind: 'wallet-refused', step: 'cancel', code: 'C' }, 'CHANNEL_REJECTED', 502, 'AlipayHK refused to cancel the agreement (C)'],
  [{ kind: 'currency-not-supported', currency: 'HKD' }, 'CURRENCY_NOT_SUPPORTED', 400, 'Auto-debit charges are made in HKD only'],
  [
    { kind: 'daily-cap-exceeded', chargedToday: 100, dailyCap: 500, currency: 'HKD' },
    'DAILY_CAP_EXCEEDED',
    422,
    "This charge would exceed the agreement's daily limit (500 HKD minor units; 100 already charged today, Hong Kong time)",
  ],
];

describe('refusals map to their HTTP answer', () => {
  it.each(table)('%j → %s', (refusal, code, statusCode, message) => {
    const error = refusalError(refusal);
    expect(error).toBeInstanceOf(AppError);
    expect({ code: error.code, statusCode: error.statusCode, message: error.message }).toEqual({ code, statusCode, message });
  });

  it('answer() unwraps a success and throws a refusal', () => {
    expect(answer({ kind: 'ok', value: 42 })).toBe(42);
    expect(() => answer({ kind: 'order-not-found' })).toThrow(AppError);
  });
});
