/**
 * The Store port: everything the payment domain persists. One interface, two implementations
 * (SQLite by default; PostgreSQL when DATABASE_URL says so). Every state change is a conditional
 * update inside a transaction, so duplicate or concurrent deliveries cause at most one transition.
 */
import type { AgreementStatus, OrderStatus, PaymentAction } from '@tradepay/shared';
import type { PaymentEvidence } from './channel';
import type { AgreementChargeArgs, AgreementRecord, AgreementTokens, AgreementTransitionResult, NewAgreement } from './store-agreements';
import type {
  AuditData,
  ClaimArgs,
  CreateRefundResult,
  IdempotencyClaim,
  IdempotencyRecord,
  InsertOrderResult,
  MarkPaidResult,
  NewOrder,
  NewRefund,
  NotificationRecord,
  OrderRecord,
  PaymentFacts,
  RecordNotificationResult,
  RefundRecord,
  TransitionResult,
} from './store-records';

export * from './store-agreements';
export * from './store-records';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  ping(): Promise<void>;
  /**
   * Inserts the order, and claims the idempotency key in the same transaction when given. An order
   * that carries its payment may carry the answer the key replays too (`response`): one write.
   */
  insertOrder(order: NewOrder, claim?: IdempotencyClaim, response?: { status: number; body: string }): Promise<InsertOrderResult>;
  findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores the payment action and, when given, the response that the idempotency key replays. */
  attachPayment(
    orderId: string,
    payment: PaymentAction,
    response?: { scope: string; key: string; status: number; body: string },
  ): Promise<void>;
  getOrder(id: string): Promise<OrderRecord | null>;
  /** The order a gateway's evidence names, as far as checking the evidence needs (a narrow read). */
  getPaymentFactsByMerchantTransId(merchantTransId: string): Promise<PaymentFacts | null>;
  /**
   * Marks a PENDING order paid from verified evidence: stores the evidence and the transition in one
   * transaction. Terminal states never regress.
   */
  markPaid(orderId: string, evidence: PaymentEvidence, reason: string): Promise<MarkPaidResult>;
  /** Moves a PENDING order to FAILED or CANCELLED, conditionally. */
  closeUnpaid(orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): Promise<TransitionResult>;
  /**
   * Records a verified notification under its unique identity and, for a PAID outcome, marks the
   * order paid — one transaction, so the acknowledgement that follows is backed by a durable row.
   */
  recordNotification(notification: NotificationRecord, evidence: PaymentEvidence): Promise<RecordNotificationResult>;
  countTransitions(orderId: string, to: OrderStatus): Promise<number>;
  listOrders(filter: { status?: OrderStatus | undefined; buyerId?: string | undefined; limit: number }): Promise<OrderRecord[]>;

  /** Claims unfinished orders whose next check is due, oldest first, for one reconciler. */
  claimDueOrders(args: ClaimArgs): Promise<OrderRecord[]>;
  /** Records a check and when the next is due; releases the caller's claim. */
  scheduleNextCheck(
    orderId: string,
    args: { owner: string | null; checkedAt: string | null; nextCheckAt: string; attempts: number },
  ): Promise<void>;
  /** The last time the gateway was asked about this order, and how often. */
  getCheckState(orderId: string): Promise<{ lastCheckedAt: string | null; attempts: number; nextCheckAt: string | null }>;

  /**
   * Records a refund (status PENDING) before any gateway call, checking in the same transaction that
   * the refunds not failed stay within the paid amount. With a claim, the idempotency key is taken
   * and pointed at the refund (status 0, body `{refundId}`) in that same transaction.
   */
  createRefund(refund: NewRefund, claim?: IdempotencyClaim): Promise<CreateRefundResult>;
  /** Applies the gateway's final answer to a PENDING refund and the order's refunded amount. */
  completeRefund(
    refundId: string,
    result: { status: 'SUCCEEDED'; gatewayRefundId: string | null } | { status: 'FAILED'; code: string },
  ): Promise<{ refund: RefundRecord; order: OrderRecord }>;
  deferRefund(refundId: string, args: { owner: string | null; nextAttemptAt: string; attempts: number }): Promise<void>;
  claimDueRefunds(args: ClaimArgs): Promise<RefundRecord[]>;
  getRefund(id: string): Promise<RefundRecord | null>;
  listRefunds(orderId: string): Promise<RefundRecord[]>;
  completeIdempotency(scope: string, key: string, status: number, body: string): Promise<void>;
  insertAgreement(agreement: NewAgreement): Promise<AgreementRecord>;
  getAgreement(id: string): Promise<AgreementRecord | null>;
  getAgreementByMerchantAgreementId(merchantAgreementId: string): Promise<AgreementRecord | null>;
  /** A buyer's agreements, newest first. */
  listAgreements(buyerId: string, limit: number): Promise<AgreementRecord[]>;
  /**
   * Takes the right to finish a PENDING agreement's authorisation (one wallet return at a time, for
   * `leaseMs`). False when the agreement is not PENDING or another return holds it.
   */
  claimAgreementReturn(id: string, args: { now: Date; leaseMs: number }): Promise<boolean>;
  releaseAgreementReturn(id: string): Promise<void>;
  /**
   * Moves an agreement from one of `from` to `to`, conditionally (one winner among concurrent calls).
   * ACTIVE stores the tokens given; a final status erases every token.
   */
  transitionAgreement(
    id: string,
    from: readonly AgreementStatus[],
    to: AgreementStatus,
    args: { at: string; tokens?: AgreementTokens; customerId?: string | null; failureCode?: string | null },
  ): Promise<AgreementTransitionResult>;
  /** Stores refreshed tokens of an ACTIVE agreement unless someone changed them since `expectedVersion`. */
  replaceAgreementTokens(
    id: string,
    expectedVersion: number,
    tokens: AgreementTokens,
    at: string,
  ): Promise<{ replaced: boolean; agreement: AgreementRecord }>;
  /** The gateway confirmed the agreement's status at `at`. */
  recordAgreementCheck(id: string, at: string): Promise<void>;
  /**
   * Inserts an auto-debit charge (an order linked to the agreement) after checking, in the same
   * transaction, that the agreement is the buyer's and ACTIVE and that the day's charges stay within
   * the cap. Throws AgreementNotActiveError or DailyCapExceededError (nothing inserted, no key claimed).
   */
  insertAgreementCharge(order: NewOrder, args: AgreementChargeArgs, claim?: IdempotencyClaim): Promise<InsertOrderResult>;
  /** Sum of the agreement's charges created in [dayStart, dayEnd) that are not FAILED or CANCELLED. */
  sumAgreementCharges(agreementId: string, dayStart: string, dayEnd: string): Promise<number>;

  /** When the oldest PENDING order was created (null when none): the metrics' backlog age. */
  oldestPendingOrderAt(): Promise<string | null>;
  /** Group-commit figures (SQLite): transactions committed and writes they carried. */
  writeStats?(): { commits: number; writes: number };
  /** A full read for the invariant checker (tests, chaos runs, operators' audits). */
  audit(): Promise<AuditData>;
  close(): Promise<void>;
}
