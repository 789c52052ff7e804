/**
 * The Store port: everything the payment domain persists. One interface, two implementations
 * (SQLite by default; PostgreSQL when DATABASE_URL says so). Every state change is a conditional
 * update inside a transaction, so duplicate or concurrent deliveries cause at most one transition.
 */
import type { ChannelName, Currency, OrderStatus, PaymentAction } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';

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
}

export type NewOrder = Omit<OrderRecord, 'refundedAmount' | 'payment' | 'gatewayTransactionId' | 'paidAt' | 'updatedAt'>;

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

export type InsertOrderResult =
  | { inserted: true; order: OrderRecord }
  | { inserted: false; existing: IdempotencyRecord };

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
  /** This gateway event was seen before (a redelivery). */
  duplicate: boolean;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  ping(): Promise<void>;
  /** Inserts the order, and claims the idempotency key in the same transaction when given. */
  insertOrder(order: NewOrder, claim?: IdempotencyClaim): Promise<InsertOrderResult>;
  findIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores the payment action and, when given, the response that the idempotency key replays. */
  attachPayment(orderId: string, payment: PaymentAction, response?: { scope: string; key: string; status: number; body: string }): Promise<void>;
  getOrder(id: string): Promise<OrderRecord | null>;
  getOrderByMerchantTransId(merchantTransId: string): Promise<OrderRecord | null>;
  /**
   * Marks a PENDING order paid from verified evidence: stores the evidence and the transition in one
   * transaction. Terminal states never regress.
   */
  markPaid(orderId: string, evidence: PaymentEvidence, reason: string): Promise<TransitionResult>;
  /** Moves a PENDING order to FAILED or CANCELLED, conditionally. */
  closeUnpaid(orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): Promise<TransitionResult>;
  /**
   * Records a verified notification under its unique identity and, for a PAID outcome, marks the
   * order paid — one transaction, so the acknowledgement that follows is backed by a durable row.
   */
  recordNotification(notification: NotificationRecord, evidence: PaymentEvidence): Promise<RecordNotificationResult>;
  countTransitions(orderId: string, to: OrderStatus): Promise<number>;
  close(): Promise<void>;
}
