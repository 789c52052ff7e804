/**
 * Everything the sandbox gateway believes happened, in memory. `GET /sandbox/ledger` returns a copy;
 * tests diff it against the BFF's store (reliability.md I3/I4). Times are ISO 8601 UTC strings.
 */
import type { Amount } from '@tradepay/shared';
import { createLatipayLedger, type LatipayLedger, type LatipaySnapshot } from './latipay/ledger';
import { createIntentsLedger, type IntentsLedger, type IntentsLedgerSnapshot } from './intents/ledger';
import { callCounter, recordList, twoKeyTable } from './ledger-tables';

/**
 * Internal payment states. On the wire (payQuery) PROCESSING reads as WAIT_BUYER_PAY and FAILED as
 * CLOSED; see `toAcquirementStatus`.
 */
export type PaymentStatus = 'WAIT_BUYER_PAY' | 'PROCESSING' | 'PAID' | 'FAILED' | 'CLOSED';

export type TradePayOutcome = 'success' | 'fail' | 'cancel' | 'processing' | 'unknown' | 'network';

export type CloseReason = 'FAILED' | 'CANCELLED' | 'NEVER_CREATED';

export interface LedgerPayment {
  acquirementId: string;
  merchantTransId: string;
  merchantId: string;
  /** null only for a payCancel of a transaction the gateway never saw (recorded to refuse it later). */
  orderAmount: Amount | null;
  orderTitle: string | null;
  notifyUrl: string | null;
  returnUrl: string | null;
  extendInfo: string | null;
  status: PaymentStatus;
  /** The wallet outcome of the last tradePay attempt. */
  outcome: TradePayOutcome | null;
  createdAt: string;
  paidAt: string | null;
  closedAt: string | null;
  closeReason: CloseReason | null;
  /** Sum of refunds, minor units (payCancel of a paid payment refunds it fully). */
  refundedMinor: number;
  /** Set for an auto-debit (`agreement.pay`) payment; null for the wallet's cashier payments. */
  merchantAgreementId: string | null;
}

export interface LedgerRefund {
  refundId: string;
  /** null for the refund a payCancel makes of a paid payment. */
  merchantRefundId: string | null;
  acquirementId: string;
  merchantTransId: string;
  refundAmount: Amount;
  refundReason: string | null;
  refundTime: string;
  source: 'refund' | 'payCancel';
}

export interface LedgerDelivery {
  /** 1..8: the delivery round of AlipayHK's schedule. */
  attempt: number;
  /** 0 for the original, 1.. for the `duplicates` copies sent alongside. */
  copy: number;
  reqMsgId: string;
  at: string;
  durationMs: number;
  httpStatus: number | null;
  acknowledged: boolean;
  error: string | null;
}

export type NotificationStatus = 'scheduled' | 'acknowledged' | 'exhausted' | 'dropped' | 'stopped';

export interface LedgerNotification {
  id: string;
  acquirementId: string;
  merchantTransId: string;
  notifyUrl: string;
  status: NotificationStatus;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveries: LedgerDelivery[];
}

export type AgreementStatus = 'ACTIVE' | 'REVOKED';

/**
 * An auto-debit agreement: created when `applyToken` redeems an authCode from the auth page, revoked
 * by `cancelByAuthInfo`. Token values never appear here, only their expiries.
 */
export interface LedgerAgreement {
  merchantAgreementId: string;
  authMerchantId: string;
  customerId: string;
  status: AgreementStatus;
  createdAt: string;
  revokedAt: string | null;
  /** Expiries of the current token pair (a refresh replaces both). */
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  /** Token pairs issued for it: 1 + the number of refreshes. */
  tokensIssued: number;
}

/** What happened to authCodes: issued (wallet + auth page), redeemed, refused as expired or invalid. */
export interface LedgerAuthCodeCounts {
  issued: number;
  redeemed: number;
  expired: number;
  invalid: number;
}

export interface LedgerSnapshot {
  payments: LedgerPayment[];
  refunds: LedgerRefund[];
  notifications: LedgerNotification[];
  /** Calls received per AlipayHK function, including refused and scripted-failure calls. */
  calls: Record<string, number>;
  agreements: LedgerAgreement[];
  authCodes: LedgerAuthCodeCounts;
  /** The sandbox's Latipay: its payments, refunds, callbacks and calls, apart from AlipayHK's. */
  latipay: LatipaySnapshot;
  /** The sandbox's payment-intents aggregator (H5): intents, refunds, webhooks, tokens and calls. */
  intents: IntentsLedgerSnapshot;
}

export interface Ledger {
  findPayment(ref: { acquirementId?: string | undefined; merchantTransId?: string | undefined }): LedgerPayment | undefined;
  hasAcquirementId(id: string): boolean;
  addPayment(payment: LedgerPayment): LedgerPayment;
  findRefund(merchantRefundId: string): LedgerRefund | undefined;
  hasRefundId(id: string): boolean;
  addRefund(refund: LedgerRefund): LedgerRefund;
  addNotification(notification: LedgerNotification): LedgerNotification;
  findAgreement(merchantAgreementId: string): LedgerAgreement | undefined;
  addAgreement(agreement: LedgerAgreement): LedgerAgreement;
  countAuthCode(event: keyof LedgerAuthCodeCounts): void;
  countCall(fn: string): void;
  snapshot(): LedgerSnapshot;
  reset(): void;
  /** The Latipay section (reset and snapshotted with the rest). */
  readonly latipay: LatipayLedger;
  /** The payment-intents section (reset and snapshotted with the rest). */
  readonly intents: IntentsLedger;
}

export function createLedger(): Ledger {
  const latipay = createLatipayLedger();
  const intents = createIntentsLedger();
  const payments = twoKeyTable<LedgerPayment>(
    { key: 'acquirementId', name: 'acquirementId' },
    { key: 'merchantTransId', name: 'merchantTransId' },
  );
  let refunds: LedgerRefund[] = [];
  let refundsByMerchantId = new Map<string, LedgerRefund>();
  let refundIds = new Set<string>();
  const notifications = recordList<LedgerNotification>();
  const calls = callCounter<string>();
  let agreements = new Map<string, LedgerAgreement>();
  let authCodes: LedgerAuthCodeCounts = { issued: 0, redeemed: 0, expired: 0, invalid: 0 };

  return {
    findPayment({ acquirementId, merchantTransId }) {
      // AlipayHK favours acquirementId when both are given.
      return payments.find(acquirementId, merchantTransId);
    },
    hasAcquirementId: (id) => payments.byFirst(id) !== undefined,
    addPayment: (payment) => payments.add(payment),
    findRefund: (merchantRefundId) => refundsByMerchantId.get(merchantRefundId),
    hasRefundId: (id) => refundIds.has(id),
    addRefund(refund) {
      if (refund.merchantRefundId !== null) {
        if (refundsByMerchantId.has(refund.merchantRefundId)) throw new Error(`duplicate merchantRefundId ${refund.merchantRefundId}`);
        refundsByMerchantId.set(refund.merchantRefundId, refund);
      }
      refundIds.add(refund.refundId);
      refunds.push(refund);
      return refund;
    },
    addNotification: (notification) => notifications.add(notification),
    findAgreement: (merchantAgreementId) => agreements.get(merchantAgreementId),
    addAgreement(agreement) {
      if (agreements.has(agreement.merchantAgreementId)) throw new Error(`duplicate merchantAgreementId ${agreement.merchantAgreementId}`);
      agreements.set(agreement.merchantAgreementId, agreement);
      return agreement;
    },
    countAuthCode(event) {
      authCodes[event] += 1;
    },
    countCall: (fn) => calls.count(fn),
    snapshot() {
      return structuredClone({
        payments: payments.values(),
        refunds,
        notifications: notifications.values(),
        calls: calls.counts(),
        agreements: [...agreements.values()],
        authCodes,
        latipay: latipay.snapshot(),
        intents: intents.snapshot(),
      });
    },
    reset() {
      payments.clear();
      refunds = [];
      refundsByMerchantId = new Map();
      refundIds = new Set();
      notifications.clear();
      calls.clear();
      agreements = new Map();
      authCodes = { issued: 0, redeemed: 0, expired: 0, invalid: 0 };
      latipay.reset();
      intents.reset();
    },
    latipay,
    intents,
  };
}
