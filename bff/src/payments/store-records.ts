/**
 * The records the Store port (store.ts) takes and gives for orders, payments, notifications,
 * refunds and idempotency keys, the refund refusals it throws, and the invariant checker's read.
 */
import type { ChannelName, Currency, OrderStatus, PaymentAction } from '@tradepay/shared';

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

/** What a payment's evidence is checked against, and a payment's decision reads: no items, no payment. */
export type PaymentFacts = Pick<OrderRecord, 'id' | 'channel' | 'merchantTransId' | 'status' | 'amount' | 'currency'>;

/** What a notification's answer says of its order: which one, and its status once committed. */
export type NotifiedOrder = Pick<OrderRecord, 'id' | 'status'>;

export interface RecordNotificationResult {
  /** The order moved (false when it was already there or the move is not allowed). */
  transitioned: boolean;
  order: NotifiedOrder;
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

/** Everything the invariant checker reads, as plain rows. */
export interface AuditData {
  orders: OrderRecord[];
  transitions: { orderId: string; from: string; to: string; reason: string; at: string }[];
  evidence: { orderId: string; source: string; merchantId: string; merchantTransId: string; amount: number; currency: string }[];
  notifications: { channel: string; identity: string; orderId: string; outcome: string; deliveries: number }[];
  refunds: RefundRecord[];
  checks: { orderId: string; lastCheckedAt: string | null }[];
}
