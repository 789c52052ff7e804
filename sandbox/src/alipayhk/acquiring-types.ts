/**
 * The acquiring domain's vocabulary (./acquiring): the orders it takes, its outcomes, and the
 * Acquiring port the wallet and the gateway routes call.
 */
import type { Amount } from '@tradepay/shared';
import type { LedgerPayment, LedgerRefund, PaymentStatus, TradePayOutcome } from '../ledger';
import { WALLET_OUTCOMES } from '../wallet/outcomes';
import type { ResultCode } from './result-codes';

/** A verified `alipay.intl.acquiring.cashier.wap.pay` order, as the wallet received it. */
export interface CashierOrder {
  merchantId: string;
  merchantTransId: string;
  orderAmount: Amount;
  orderTitle: string;
  notifyUrl: string;
  returnUrl: string | null;
  extendInfo: string | null;
}

/** A verified `alipay.intl.acquiring.agreement.pay` order, with the agreement its access token is bound to. */
export interface AgreementOrder {
  merchantId: string;
  merchantTransId: string;
  orderAmount: Amount;
  orderTitle: string;
  notifyUrl: string | null;
  extendInfo: string | null;
  merchantAgreementId: string;
}

/** `my.tradePay` result codes, from the one wallet-outcome table (../wallet/outcomes). */
export const TRADE_PAY_RESULT: Record<TradePayOutcome, string> = Object.fromEntries(
  Object.entries(WALLET_OUTCOMES).map(([outcome, row]) => [outcome, row.resultCode]),
) as Record<TradePayOutcome, string>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: ResultCode; message?: string };

export type AcquirementStatus = 'WAIT_BUYER_PAY' | 'SUCCESS' | 'CLOSED';

/** payQuery's view: a payment still settling has not been paid yet; failed and cancelled read as closed. */
export function toAcquirementStatus(status: PaymentStatus): AcquirementStatus {
  switch (status) {
    case 'WAIT_BUYER_PAY':
    case 'PROCESSING':
      return 'WAIT_BUYER_PAY';
    case 'PAID':
      return 'SUCCESS';
    case 'FAILED':
    case 'CLOSED':
      return 'CLOSED';
  }
}

export interface RefundRequest {
  acquirementId: string;
  merchantRefundId: string;
  refundAmount: Amount;
  refundReason: string | null;
}

export interface Acquiring {
  tradePay(order: CashierOrder, outcome: TradePayOutcome): { resultCode: string; memo?: string; payment?: LedgerPayment };
  find(ref: { acquirementId?: string | undefined; merchantTransId?: string | undefined }): LedgerPayment | undefined;
  cancel(ref: {
    merchantId: string;
    acquirementId?: string | undefined;
    merchantTransId?: string | undefined;
  }): Outcome<LedgerPayment | null>;
  refund(request: RefundRequest): Outcome<LedgerRefund>;
  /**
   * Debits the bound wallet synchronously. A repeat of a paid `merchantTransId` (same agreement, same
   * amount) is answered from the ledger with `repeated: true` and no second debit — before `authorize`
   * runs, so a retry after a `U` never reads as a failure of a payment that happened. Otherwise
   * `authorize` (the token checks) decides whether the debit may happen.
   */
  agreementPay(
    order: AgreementOrder,
    authorize: () => { code: ResultCode; message?: string } | null,
  ): Outcome<{ payment: LedgerPayment; repeated: boolean }>;
}
