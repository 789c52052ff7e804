/**
 * The decisions both stores make, as pure functions (no I/O): each store reads what a rule needs
 * under its own locks, asks the rule, and writes what the rule decided.
 */
import type { OrderStatus } from '@tradepay/shared';
import { canTransition, isPaidStatus } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';
import {
  AgreementNotActiveError,
  DailyCapExceededError,
  OrderNotRefundableError,
  RefundExceedsPaymentError,
  type AgreementRecord,
  type IdempotencyRecord,
  type NewRefund,
  type OrderRecord,
  type RecordNotificationResult,
  type RefundRecord,
} from '../payments/store';

/** What a payment does to an order: move it to SUCCEEDED, refund a payment that came after it closed, or nothing. */
export type MarkPaidDecision =
  { kind: 'transition' } | { kind: 'late-payment'; refund: NewRefund & { currency: string } } | { kind: 'no-op' };

export function decideMarkPaid(order: Pick<OrderRecord, 'id' | 'status' | 'merchantTransId' | 'amount' | 'currency'>): MarkPaidDecision {
  if (order.status === 'FAILED' || order.status === 'CANCELLED') {
    // Paid after we closed the order: never dropped. Keep the evidence and return the money; the
    // refund id is derived from the transaction, so a redelivery cannot refund twice.
    return {
      kind: 'late-payment',
      refund: {
        id: `rf_late_${order.id}`,
        orderId: order.id,
        merchantRefundId: `LATE${order.merchantTransId}`,
        amount: order.amount,
        currency: order.currency,
        reason: 'paid after the order was closed',
        source: 'late-payment',
      },
    };
  }
  return canTransition(order.status, 'SUCCEEDED') ? { kind: 'transition' } : { kind: 'no-op' };
}

/** The columns a payment sets when it moves an order to SUCCEEDED (the markPaid statement's values). */
export function paidColumns(evidence: Pick<PaymentEvidence, 'paidAt' | 'gatewayTransactionId'>, at: string) {
  return {
    status: 'SUCCEEDED' as const,
    paidAt: evidence.paidAt ?? at,
    gatewayTransactionId: evidence.gatewayTransactionId,
    updatedAt: at,
  };
}

/** What applying a payment did (each store's applyPayment). */
export type AppliedPayment =
  | { kind: 'paid'; paid: ReturnType<typeof paidColumns> }
  | { kind: 'unchanged' }
  | { kind: 'late'; refund: RefundRecord }
  | { kind: 'raced' };

/** A notification's answer: whether it was new, the order as read, and what its payment did (none for a redelivery or NOT_PAID). */
export function notificationAnswer(
  fresh: boolean,
  order: Pick<OrderRecord, 'id' | 'status'>,
  applied?: AppliedPayment,
): RecordNotificationResult {
  return {
    duplicate: !fresh,
    transitioned: applied?.kind === 'paid',
    order: { id: order.id, status: applied?.kind === 'paid' ? 'SUCCEEDED' : order.status },
    latePaymentRefund: applied?.kind === 'late' ? applied.refund : null,
  };
}

/** Throws unless `amount` more can be refunded: the order is paid and refunds (taken or reserved) stay within what was paid. */
export function checkRefundable(order: Pick<OrderRecord, 'status' | 'amount'>, taken: number, amount: number): void {
  if (!isPaidStatus(order.status)) throw new OrderNotRefundableError(`order is ${order.status}; only paid orders can be refunded`);
  if (taken + amount > order.amount) throw new RefundExceedsPaymentError(order.amount - taken);
}

/** The order's status once a refund of `amount` succeeds; a late payment's refund leaves a closed order as it is. */
export function statusAfterRefund(order: Pick<OrderRecord, 'status' | 'amount' | 'refundedAmount'>, amount: number): OrderStatus {
  if (!isPaidStatus(order.status)) return order.status;
  return order.refundedAmount + amount >= order.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}

/** Throws unless the buyer's agreement is active and the charge keeps the day's total within the cap. */
export function checkAgreementCharge(
  agreement: Pick<AgreementRecord, 'buyerId' | 'status'> | null,
  args: { buyerId: string; dailyCap: number },
  chargedToday: number,
  amount: number,
): void {
  if (!agreement || agreement.buyerId !== args.buyerId) throw new AgreementNotActiveError(null);
  if (agreement.status !== 'ACTIVE') throw new AgreementNotActiveError(agreement.status);
  if (chargedToday + amount > args.dailyCap) throw new DailyCapExceededError(chargedToday, args.dailyCap);
}

/**
 * What a request finds when its idempotency key is taken: a different body is a conflict; the same
 * body gets the stored answer, or waits while the first request is still in flight.
 */
export type IdempotencyOutcome = { kind: 'conflict' } | { kind: 'replay'; status: number; body: string | null } | { kind: 'in-flight' };

export function idempotencyOutcome(
  existing: Pick<IdempotencyRecord, 'requestHash' | 'responseStatus' | 'responseBody'>,
  requestHash: string,
): IdempotencyOutcome {
  if (existing.requestHash !== requestHash) return { kind: 'conflict' };
  if (existing.responseStatus === null) return { kind: 'in-flight' };
  return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
}
