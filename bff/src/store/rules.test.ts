import { describe, expect, it } from 'vitest';
import { AgreementNotActiveError, DailyCapExceededError, OrderNotRefundableError, RefundExceedsPaymentError } from '../payments/store';
import { checkAgreementCharge, checkRefundable, decideMarkPaid, idempotencyOutcome, statusAfterRefund } from './rules';

const order = { id: 'ord_1', merchantTransId: 'TP1', amount: 1000, currency: 'HKD' as const };

describe('store rules', () => {
  it('moves a pending order to SUCCEEDED and leaves a paid one alone', () => {
    expect(decideMarkPaid({ ...order, status: 'PENDING' })).toEqual({ kind: 'transition' });
    expect(decideMarkPaid({ ...order, status: 'SUCCEEDED' })).toEqual({ kind: 'no-op' });
    expect(decideMarkPaid({ ...order, status: 'REFUNDED' })).toEqual({ kind: 'no-op' });
  });

  it('refunds a payment that arrives after the order closed, under an id derived from the order', () => {
    for (const status of ['FAILED', 'CANCELLED'] as const) {
      expect(decideMarkPaid({ ...order, status })).toEqual({
        kind: 'late-payment',
        refund: {
          id: 'rf_late_ord_1',
          orderId: 'ord_1',
          merchantRefundId: 'LATETP1',
          amount: 1000,
          currency: 'HKD',
          reason: 'paid after the order was closed',
          source: 'late-payment',
        },
      });
    }
  });

  it('refunds only paid orders, and never more than was paid', () => {
    expect(() => checkRefundable({ status: 'PENDING', amount: 1000 }, 0, 100)).toThrow(OrderNotRefundableError);
    expect(() => checkRefundable({ status: 'SUCCEEDED', amount: 1000 }, 600, 400)).not.toThrow();
    expect(() => checkRefundable({ status: 'PARTIALLY_REFUNDED', amount: 1000 }, 600, 401)).toThrow(RefundExceedsPaymentError);
    try {
      checkRefundable({ status: 'SUCCEEDED', amount: 1000 }, 600, 401);
    } catch (error) {
      expect((error as RefundExceedsPaymentError).refundable).toBe(400);
    }
  });

  it('marks an order partially refunded until the refunds reach what was paid', () => {
    expect(statusAfterRefund({ status: 'SUCCEEDED', amount: 1000, refundedAmount: 0 }, 400)).toBe('PARTIALLY_REFUNDED');
    expect(statusAfterRefund({ status: 'PARTIALLY_REFUNDED', amount: 1000, refundedAmount: 400 }, 600)).toBe('REFUNDED');
    expect(statusAfterRefund({ status: 'SUCCEEDED', amount: 1000, refundedAmount: 0 }, 1000)).toBe('REFUNDED');
    expect(statusAfterRefund({ status: 'CANCELLED', amount: 1000, refundedAmount: 0 }, 1000)).toBe('CANCELLED');
  });

  it('charges only an active agreement of the same buyer, within the daily cap', () => {
    const args = { buyerId: 'b1', dailyCap: 1000 };
    expect(() => checkAgreementCharge(null, args, 0, 100)).toThrow(AgreementNotActiveError);
    expect(() => checkAgreementCharge({ buyerId: 'b2', status: 'ACTIVE' }, args, 0, 100)).toThrow(AgreementNotActiveError);
    expect(() => checkAgreementCharge({ buyerId: 'b1', status: 'REVOKED' }, args, 0, 100)).toThrow(AgreementNotActiveError);
    expect(() => checkAgreementCharge({ buyerId: 'b1', status: 'ACTIVE' }, args, 900, 100)).not.toThrow();
    expect(() => checkAgreementCharge({ buyerId: 'b1', status: 'ACTIVE' }, args, 901, 100)).toThrow(DailyCapExceededError);
  });

  it('answers a reused idempotency key: same body replays, a different body conflicts', () => {
    expect(idempotencyOutcome({ requestHash: 'h1', responseStatus: 201, responseBody: '{}' }, 'h1')).toEqual({
      kind: 'replay',
      status: 201,
      body: '{}',
    });
    expect(idempotencyOutcome({ requestHash: 'h1', responseStatus: null, responseBody: null }, 'h1')).toEqual({ kind: 'in-flight' });
    expect(idempotencyOutcome({ requestHash: 'h1', responseStatus: 201, responseBody: '{}' }, 'h2')).toEqual({ kind: 'conflict' });
  });
});
