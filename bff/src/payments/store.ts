/**
 * The Store port: everything the payment domain persists. One interface, two implementations
 * (SQLite by default; PostgreSQL when DATABASE_URL says so). Every state change is a conditional
 * update inside a transaction, so duplicate or concurrent deliveries cause at most one transition.
 */
import type { AgreementStatus, ChannelName, Currency, OrderStatus, PaymentAction } from '@tradepay/shared';
import type { PaymentEvidence } from './channel';

export interface OrderLine {
  sku: string;
  title: string;
  quantity: number;
  unitPrice: number;
}

export interface OrderRecord {
  id: string;
  merchantTransId: string;
  channel: ChannelName;
  buyerId: string | null;
  status: OrderStatus;
  currency: Currency;
  amount: number;
  refundedAmount: number;
  items: OrderLine[];
  payment: PaymentAction | null;
  gatewayTransactionId: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  paidAt: string | null;
  /** Set on an auto-debit charge: the agreement it was charged through. */
  agreementId?: string | null;
}

export type NewOrder = Omit<OrderRecord, 'refundedAmount' | 'payment' | 'gatewayTransactionId' | 'paidAt' | 'updatedAt'> & {
  /** When the reconciler first asks the gateway about it. */
  nextCheckAt: string;
  /** Already signed: stored with the order, so the order costs one write (see insertOrder). */
  payment?: PaymentAction | null;
};

export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
}

export interface IdempotencyRecord extends IdempotencyClaim {
  orderId: string | null;
  responseStatus: number | null;
  responseBody: string | null;
}

export type InsertOrderResult = { inserted: true; order: OrderRecord } | { inserted: false; existing: IdempotencyRecord };

export interface NotificationRecord {
  channel: ChannelName;
  identity: string;
  orderId: string;
  outcome: 'PAID' | 'NOT_PAID';
  raw: string;
}

export interface TransitionResult {
  /** The order moved (false when it was already there or the move is not allowed). */
  transitioned: boolean;
  order: OrderRecord;
}

export interface RecordNotificationResult extends TransitionResult {
  latePaymentRefund: RefundRecord | null;
  /** This gateway event was seen before (a redelivery). */
  duplicate: boolean;
}

export type RefundSource = 'admin' | 'late-payment';
export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface RefundRecord {
  id: string;
  orderId: string;
  merchantRefundId: string;
  amount: number;
  currency: string;
  reason: string;
  source: RefundSource;
  status: RefundStatus;
  gatewayRefundId: string | null;
  failureCode: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewRefund = Pick<RefundRecord, 'id' | 'orderId' | 'merchantRefundId' | 'amount' | 'reason' | 'source'>;

export type CreateRefundResult =
  { created: true; refund: RefundRecord; order: OrderRecord } | { created: false; existing: IdempotencyRecord };

/** The refund would take more than was paid (refunds not failed are counted). */
export class RefundExceedsPaymentError extends Error {
  override readonly name = 'RefundExceedsPaymentError';
  constructor(readonly refundable: number) {
    super(`at most ${refundable} minor units can still be refunded`);
  }
}

/** The order is not in a state that can be refunded. */
export class OrderNotRefundableError extends Error {
  override readonly name = 'OrderNotRefundableError';
}

export interface ClaimArgs {
  /** Who claims (one id per process), so two reconcilers never work one row at once. */
  owner: string;
  now: Date;
  limit: number;
  /** How long the claim holds if its owner dies mid-work. */
  leaseMs: number;
}

export interface MarkPaidResult extends TransitionResult {
  /** Paid after we had closed the order: a refund was recorded to return the money. */
  latePaymentRefund: RefundRecord | null;
}

/**
 * An auto-debit agreement (a bound wallet). Tokens are stored only encrypted (`*Enc`, sealed by the
 * agreement service); the store never sees them in clear. `stateHash` is the SHA-256 of the
 * unguessable `state` the wallet's redirect must bring back.
 */
export interface AgreementRecord {
  id: string;
  merchantAgreementId: string;
  buyerId: string;
  stateHash: string;
  status: AgreementStatus;
  /** The wallet user who agreed (applyToken's customerId). */
  customerId: string | null;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
  /** Bumped on every token change, so two refreshes cannot overwrite each other. */
  tokenVersion: number;
  failureCode: string | null;
  /** When the gateway last confirmed the status (queryByAuthInfo). */
  statusCheckedAt: string | null;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  endedAt: string | null;
}

export type NewAgreement = Pick<AgreementRecord, 'id' | 'merchantAgreementId' | 'buyerId' | 'stateHash' | 'createdAt'>;

export interface AgreementTokens {
  accessTokenEnc: string;
  refreshTokenEnc: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
}

export interface AgreementTransitionResult {
  transitioned: boolean;
  agreement: AgreementRecord;
}

/** Statuses after which an agreement never changes again (its tokens are erased). */
export const FINAL_AGREEMENT_STATUSES: readonly AgreementStatus[] = ['DECLINED', 'FAILED', 'REVOKED', 'EXPIRED'];

export interface AgreementChargeArgs {
  agreementId: string;
  /** Only this buyer's agreement may be charged. */
  buyerId: string;
  /** Charges of the day (created in [dayStart, dayEnd), not FAILED or CANCELLED) plus this one may not exceed it. */
  dailyCap: number;
  dayStart: string;
  dayEnd: string;
}

/** The agreement is not ACTIVE (or not this buyer's): nothing was inserted. */
export class AgreementNotActiveError extends Error {
  override readonly name = 'AgreementNotActiveError';
  constructor(readonly status: AgreementStatus | null) {
    super(status === null ? 'no such agreement' : `the agreement is ${status}`);
  }
}

/** The charge would take the day's charges over the cap: nothing was inserted. */
export class DailyCapExceededError extends Error {
  override readonly name = 'DailyCapExceededError';
  constructor(
    readonly chargedToday: number,
    readonly dailyCap: number,
  ) {
    super(`charged today ${chargedToday} of ${dailyCap} minor units`);
  }
}

/** Everything the invariant checker reads, as plain rows. */
export interface AuditData {
  orders: OrderRecord[];
  transitions: { orderId: string; from: string; to: string; reason: string; at: string }[];
  evidence: { orderId: string; source: string; merchantId: string; merchantTransId: string; amount: number; currency: string }[];
  notifications: { channel: string; identity: string; orderId: string; outcome: string; deliveries: number }[];
  refunds: RefundRecord[];
  checks: { orderId: string; lastCheckedAt: string | null }[];
}

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
  getOrderByMerchantTransId(merchantTransId: string): Promise<OrderRecord | null>;
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
