/** Row shapes shared by the SQL stores, and their mapping to domain records. */
import type { AgreementStatus, OrderStatus, PaymentAction } from '@tradepay/shared';
import type { AgreementRecord, AuditData, IdempotencyRecord, NewOrder, OrderRecord, PaymentFacts, RefundRecord } from '../payments/store';

export type { PaymentFacts };

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
  agreement_id?: string | null;
}

/** The record a new order reads back as once stored (nothing paid, refunded or updated yet). */
export function toNewOrderRecord(order: NewOrder): OrderRecord {
  // Field by field, like toOrder: an object rest and a spread cost several µs an order.
  return {
    id: order.id,
    merchantTransId: order.merchantTransId,
    channel: order.channel,
    buyerId: order.buyerId,
    status: order.status,
    currency: order.currency,
    amount: order.amount,
    refundedAmount: 0,
    items: order.items,
    payment: order.payment ?? null,
    gatewayTransactionId: null,
    createdAt: order.createdAt,
    updatedAt: order.createdAt,
    expiresAt: order.expiresAt,
    paidAt: null,
    agreementId: order.agreementId ?? null,
  };
}

/** The columns a payment's decision reads (decideMarkPaid), and a notification's answer. */
export interface PaymentFactsRow {
  id: string;
  channel: string;
  merchant_trans_id: string;
  status: string;
  amount: number;
  currency: string;
}

export function toPaymentFacts(row: PaymentFactsRow): PaymentFacts {
  return {
    id: row.id,
    channel: row.channel as OrderRecord['channel'],
    merchantTransId: row.merchant_trans_id,
    status: row.status as OrderStatus,
    amount: Number(row.amount),
    currency: row.currency as OrderRecord['currency'],
  };
}

/**
 * The record an order reads back as once a conditional status update has changed it (markPaid,
 * closeUnpaid): the row read under the lock before, with the columns the update set.
 */
export function afterUpdate(
  before: OrderRecord,
  set: Pick<OrderRecord, 'status' | 'updatedAt'> & Partial<Pick<OrderRecord, 'paidAt' | 'gatewayTransactionId'>>,
): OrderRecord {
  return { ...before, ...set };
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
    agreementId: row.agreement_id ?? null,
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

export interface AgreementRow {
  id: string;
  merchant_agreement_id: string;
  buyer_id: string;
  state_hash: string;
  status: string;
  customer_id: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_token_expires_at: string | null;
  refresh_token_expires_at: string | null;
  token_version: number;
  failure_code: string | null;
  status_checked_at: string | null;
  created_at: string;
  updated_at: string;
  activated_at: string | null;
  ended_at: string | null;
}

export function toAgreement(row: AgreementRow): AgreementRecord {
  return {
    id: row.id,
    merchantAgreementId: row.merchant_agreement_id,
    buyerId: row.buyer_id,
    stateHash: row.state_hash,
    status: row.status as AgreementStatus,
    customerId: row.customer_id,
    accessTokenEnc: row.access_token_enc,
    refreshTokenEnc: row.refresh_token_enc,
    accessTokenExpiresAt: row.access_token_expires_at,
    refreshTokenExpiresAt: row.refresh_token_expires_at,
    tokenVersion: Number(row.token_version),
    failureCode: row.failure_code,
    statusCheckedAt: row.status_checked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    activatedAt: row.activated_at,
    endedAt: row.ended_at,
  };
}

/** Order statuses that do not count against an agreement's daily cap: nothing was (or will be) taken. */
export const UNCHARGED_STATUSES = ['FAILED', 'CANCELLED'] as const;

/**
 * The SET clause of an agreement transition, shared by both stores: ACTIVE stores tokens (when
 * given); a final status erases them. Parameters are named; each store maps them to its placeholders.
 */
export function agreementTransitionPatch(
  to: AgreementStatus,
  args: {
    at: string;
    tokens?: { accessTokenEnc: string; refreshTokenEnc: string; accessTokenExpiresAt: string; refreshTokenExpiresAt: string };
    customerId?: string | null;
    failureCode?: string | null;
  },
  final: boolean,
): Record<string, string | number | null> {
  const patch: Record<string, string | number | null> = { status: to, updated_at: args.at, return_claimed_until: null };
  if (args.tokens) {
    patch.access_token_enc = args.tokens.accessTokenEnc;
    patch.refresh_token_enc = args.tokens.refreshTokenEnc;
    patch.access_token_expires_at = args.tokens.accessTokenExpiresAt;
    patch.refresh_token_expires_at = args.tokens.refreshTokenExpiresAt;
  }
  if (to === 'ACTIVE') {
    patch.activated_at = args.at;
    patch.status_checked_at = args.at;
  }
  if (args.customerId !== undefined) patch.customer_id = args.customerId;
  if (args.failureCode !== undefined) patch.failure_code = args.failureCode;
  if (final) {
    patch.access_token_enc = null;
    patch.refresh_token_enc = null;
    patch.ended_at = args.at;
  }
  return patch;
}

/** The invariant checker's reads, in SQL both stores speak. */
export const AUDIT_QUERIES = {
  orders: 'SELECT * FROM orders ORDER BY created_at',
  transitions: 'SELECT order_id AS "orderId", from_status AS "from", to_status AS "to", reason, at FROM order_transitions ORDER BY at',
  evidence:
    'SELECT order_id AS "orderId", source, merchant_id AS "merchantId", merchant_trans_id AS "merchantTransId", amount, currency FROM payment_evidence',
  notifications: 'SELECT channel, identity, order_id AS "orderId", outcome, deliveries FROM notifications',
  refunds: 'SELECT * FROM refunds ORDER BY created_at',
  checks: 'SELECT id AS "orderId", last_checked_at AS "lastCheckedAt" FROM orders',
} as const;

/** The audit reads' raw rows, by part. */
export type AuditRows = Record<keyof typeof AUDIT_QUERIES, any[]>;

/** The audit reads' rows as the invariant checker takes them. */
export function toAudit(rows: AuditRows): AuditData {
  return {
    orders: (rows.orders as OrderRow[]).map(toOrder),
    transitions: rows.transitions,
    evidence: rows.evidence.map((e) => ({ ...e, amount: Number(e.amount) })),
    notifications: rows.notifications,
    refunds: (rows.refunds as RefundRow[]).map(toRefund),
    checks: rows.checks,
  };
}
