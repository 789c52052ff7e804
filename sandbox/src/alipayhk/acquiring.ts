/**
 * The sandbox's acquiring domain: what happens to payments and refunds, framework-free. The wallet
 * and the gateway routes translate wire messages into these calls.
 */
import type { Amount } from '@tradepay/shared';
import { parseAmount } from '@tradepay/shared';
import type { Clock } from '../clock';
import { isWithinCancelWindow } from '../clock';
import type { ControlStore } from '../control';
import { newAcquirementId, newRefundId } from '../ids';
import type { Ledger, LedgerPayment, TradePayOutcome } from '../ledger';
import type { Timers } from '../timers';
import { applyWalletOutcome } from '../wallet/outcomes';
import type { Notifier } from './notifier';
import type { AgreementOrder, Acquiring } from './acquiring-types';
import { TRADE_PAY_RESULT, toAcquirementStatus } from './acquiring-types';

export * from './acquiring-types';

export interface AcquiringDeps {
  ledger: Ledger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  notifier: Notifier;
}

function minor(amount: Amount): number {
  return parseAmount(amount).minor;
}

export function createAcquiring(deps: AcquiringDeps): Acquiring {
  const { ledger, control, clock, timers, notifier } = deps;
  const iso = (): string => new Date(clock.now()).toISOString();

  function uniqueAcquirementId(): string {
    let id = newAcquirementId(clock.now());
    while (ledger.hasAcquirementId(id)) id = newAcquirementId(clock.now());
    return id;
  }

  function uniqueRefundId(): string {
    let id = newRefundId(clock.now());
    while (ledger.hasRefundId(id)) id = newRefundId(clock.now());
    return id;
  }

  function markPaid(payment: LedgerPayment): void {
    payment.status = 'PAID';
    payment.paidAt = iso();
  }

  function close(payment: LedgerPayment, reason: 'FAILED' | 'CANCELLED'): void {
    payment.status = reason === 'FAILED' ? 'FAILED' : 'CLOSED';
    payment.closedAt = iso();
    payment.closeReason = reason;
  }

  /**
   * Records a new payment for an order: a cashier order starts unpaid, an agreement.pay order (one
   * that names its agreement) is paid when it is created.
   */
  function addPayment(
    order: Omit<AgreementOrder, 'merchantAgreementId'>,
    { returnUrl, merchantAgreementId }: Pick<LedgerPayment, 'returnUrl' | 'merchantAgreementId'>,
  ): LedgerPayment {
    const paid = merchantAgreementId !== null;
    const createdAt = iso();
    return ledger.addPayment({
      acquirementId: uniqueAcquirementId(),
      merchantTransId: order.merchantTransId,
      merchantId: order.merchantId,
      orderAmount: { currency: order.orderAmount.currency, value: order.orderAmount.value },
      orderTitle: order.orderTitle,
      notifyUrl: order.notifyUrl,
      returnUrl,
      extendInfo: order.extendInfo,
      status: paid ? 'PAID' : 'WAIT_BUYER_PAY',
      outcome: null,
      createdAt,
      paidAt: paid ? createdAt : null,
      closedAt: null,
      closeReason: null,
      refundedMinor: 0,
      merchantAgreementId,
    });
  }

  function applyOutcome(payment: LedgerPayment, outcome: TradePayOutcome): void {
    payment.outcome = outcome;
    applyWalletOutcome(
      outcome,
      {
        setStatus: ({ alipayhk }) => {
          if (alipayhk === 'FAILED') close(payment, 'FAILED');
          else if (alipayhk !== null) payment.status = alipayhk;
        },
        markPaid: () => markPaid(payment),
        stillSettling: () => payment.status === 'PROCESSING',
        notify: (delayMs) => notifier.schedule(payment, delayMs),
      },
      control,
      timers,
    );
  }

  return {
    tradePay(order, outcome) {
      const existing = ledger.findPayment({ merchantTransId: order.merchantTransId });
      if (existing) {
        if (existing.status === 'PAID' || existing.status === 'PROCESSING') {
          return { resultCode: '5000', memo: 'duplicate payment request: this merchantTransId is already paid or being paid' };
        }
        if (existing.status === 'FAILED' || existing.status === 'CLOSED') {
          return { resultCode: '4000', memo: 'this merchantTransId is closed' };
        }
        const same =
          existing.orderAmount !== null &&
          existing.orderAmount.currency === order.orderAmount.currency &&
          existing.orderAmount.value === order.orderAmount.value;
        if (!same) return { resultCode: '4000', memo: 'the order differs from the open transaction with this merchantTransId' };
      }
      const payment = existing ?? addPayment(order, { returnUrl: order.returnUrl, merchantAgreementId: null });
      applyOutcome(payment, outcome);
      return { resultCode: TRADE_PAY_RESULT[outcome], payment };
    },

    find: (ref) => ledger.findPayment(ref),

    cancel({ merchantId, acquirementId, merchantTransId }) {
      const payment = ledger.findPayment({ acquirementId, merchantTransId });
      if (!payment) {
        // Never created: still SUCCESS, and remembered as closed so a late tradePay is refused.
        if (merchantTransId !== undefined && !ledger.findPayment({ merchantTransId })) {
          const now = iso();
          const stub = ledger.addPayment({
            acquirementId: uniqueAcquirementId(),
            merchantTransId,
            merchantId,
            orderAmount: null,
            orderTitle: null,
            notifyUrl: null,
            returnUrl: null,
            extendInfo: null,
            status: 'CLOSED',
            outcome: null,
            createdAt: now,
            paidAt: null,
            closedAt: now,
            closeReason: 'NEVER_CREATED',
            refundedMinor: 0,
            merchantAgreementId: null,
          });
          return { ok: true, value: stub };
        }
        return { ok: true, value: null };
      }
      if (payment.status === 'CLOSED' || payment.status === 'FAILED') return { ok: true, value: payment };
      if (!isWithinCancelWindow(Date.parse(payment.createdAt), clock.now())) {
        return {
          ok: false,
          code: 'CANCEL_WINDOW_EXCEED',
          message: 'payCancel works on the day of the payment only (Beijing time): refund it instead',
        };
      }
      if (payment.status === 'PAID' && payment.orderAmount !== null) {
        const remaining = minor(payment.orderAmount) - payment.refundedMinor;
        if (remaining > 0) {
          ledger.addRefund({
            refundId: uniqueRefundId(),
            merchantRefundId: null,
            acquirementId: payment.acquirementId,
            merchantTransId: payment.merchantTransId,
            refundAmount: { currency: payment.orderAmount.currency, value: String(remaining) },
            refundReason: 'payCancel',
            refundTime: iso(),
            source: 'payCancel',
          });
          payment.refundedMinor += remaining;
        }
      }
      close(payment, 'CANCELLED');
      return { ok: true, value: payment };
    },

    agreementPay(order, authorize) {
      const existing = ledger.findPayment({ merchantTransId: order.merchantTransId });
      if (existing) {
        if (existing.merchantAgreementId === null && existing.closeReason === 'NEVER_CREATED') {
          return { ok: false, code: 'ORDER_STATUS_INVALID', message: 'this merchantTransId was closed by payCancel before it was paid' };
        }
        const same =
          existing.merchantAgreementId === order.merchantAgreementId &&
          existing.orderAmount !== null &&
          existing.orderAmount.currency === order.orderAmount.currency &&
          existing.orderAmount.value === order.orderAmount.value;
        if (!same) {
          return {
            ok: false,
            code: 'REPEAT_REQ_INCONSISTENT',
            message: 'this merchantTransId was used for a different payment (amount, currency or agreement)',
          };
        }
        return { ok: true, value: { payment: existing, repeated: true } };
      }
      const refused = authorize();
      if (refused) return { ok: false, ...refused };
      const payment = addPayment(order, { returnUrl: null, merchantAgreementId: order.merchantAgreementId });
      if (payment.notifyUrl !== null) notifier.schedule(payment, control.current.notifyDelayMs);
      return { ok: true, value: { payment, repeated: false } };
    },

    refund(request) {
      const previous = ledger.findRefund(request.merchantRefundId);
      if (previous) {
        // Idempotent by merchantRefundId: the same request gets the same refund, with no second effect.
        const same =
          previous.acquirementId === request.acquirementId &&
          previous.refundAmount.currency === request.refundAmount.currency &&
          previous.refundAmount.value === request.refundAmount.value;
        return same ? { ok: true, value: previous } : { ok: false, code: 'REPEAT_REQ_INCONSISTENT' };
      }
      const payment = ledger.findPayment({ acquirementId: request.acquirementId });
      if (!payment || payment.orderAmount === null) return { ok: false, code: 'ORDER_NOT_EXIST' };
      if (payment.status !== 'PAID')
        return { ok: false, code: 'ORDER_STATUS_INVALID', message: `the payment is ${toAcquirementStatus(payment.status)}, not SUCCESS` };
      if (request.refundAmount.currency !== payment.orderAmount.currency) return { ok: false, code: 'CURRENCY_NOT_MATCH' };
      const amount = minor(request.refundAmount);
      if (amount <= 0) return { ok: false, code: 'PARAM_ILLEGAL', message: 'refundAmount must be greater than zero' };
      const paid = minor(payment.orderAmount);
      if (payment.refundedMinor + amount > paid) {
        return {
          ok: false,
          code: 'REFUND_AMOUNT_EXCEED',
          message: `refunded ${payment.refundedMinor} of ${paid}; ${amount} more would exceed it`,
        };
      }
      payment.refundedMinor += amount;
      const refund = ledger.addRefund({
        refundId: uniqueRefundId(),
        merchantRefundId: request.merchantRefundId,
        acquirementId: payment.acquirementId,
        merchantTransId: payment.merchantTransId,
        refundAmount: { currency: request.refundAmount.currency, value: String(amount) },
        refundReason: request.refundReason,
        refundTime: iso(),
        source: 'refund',
      });
      return { ok: true, value: refund };
    },
  };
}
