/** Row shapes shared by the SQL stores, and their mapping to domain records. */
import type { OrderStatus, PaymentAction } from '@tradepay/shared';
import type { IdempotencyRecord, OrderRecord, RefundRecord } from './store';

export interface OrderRow {
  id: string;
  merchant_trans_id: string;
  channel: string;
  buyer_id: string | null;
  status: string;
  currency: string;
  amount: number;
  refunded_amount: number;
  items: string;
  payment: string | null;
  gateway_transaction_id: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
  paid_at: string | null;
}

export function toOrder(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    merchantTransId: row.merchant_trans_id,
    channel: row.channel as OrderRecord['channel'],
    buyerId: row.buyer_id,
    status: row.status as OrderStatus,
    currency: row.currency as OrderRecord['currency'],
    amount: Number(row.amount),
    refundedAmount: Number(row.refunded_amount),
    items: JSON.parse(row.items) as OrderRecord['items'],
    payment: row.payment ? (JSON.parse(row.payment) as PaymentAction) : null,
    gatewayTransactionId: row.gateway_transaction_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    paidAt: row.paid_at,
  };
}

export interface RefundRow {
  id: string;
  order_id: string;
  merchant_refund_id: string;
  amount: number;
  currency: string;
  reason: string;
  source: string;
  status: string;
  gateway_refund_id: string | null;
  failure_code: string | null;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toRefund(row: RefundRow): RefundRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    merchantRefundId: row.merchant_refund_id,
    amount: Number(row.amount),
    currency: row.currency,
    reason: row.reason,
    source: row.source as RefundRecord['source'],
    status: row.status as RefundRecord['status'],
    gatewayRefundId: row.gateway_refund_id,
    failureCode: row.failure_code,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface IdemRow {
  scope: string;
  key: string;
  request_hash: string;
  order_id: string | null;
  response_status: number | null;
  response_body: string | null;
}

export function toIdem(row: IdemRow): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    requestHash: row.request_hash,
    orderId: row.order_id,
    responseStatus: row.response_status,
    responseBody: row.response_body,
  };
}


/** The invariant checker's reads, in SQL both stores speak. */
export const AUDIT_QUERIES = {
  orders: 'SELECT * FROM orders ORDER BY created_at',
  transitions: 'SELECT order_id AS "orderId", from_status AS "from", to_status AS "to", reason, at FROM order_transitions ORDER BY at',
  evidence: 'SELECT order_id AS "orderId", source, merchant_id AS "merchantId", merchant_trans_id AS "merchantTransId", amount, currency FROM payment_evidence',
  notifications: 'SELECT channel, identity, order_id AS "orderId", outcome, deliveries FROM notifications',
  refunds: 'SELECT * FROM refunds ORDER BY created_at',
  checks: 'SELECT id AS "orderId", last_checked_at AS "lastCheckedAt" FROM orders',
} as const;
