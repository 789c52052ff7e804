/**
 * Every SQL statement the stores run, written once with named parameters (`:orderId`). Each store
 * translates a statement to its dialect: `$1…` for PostgreSQL, `@orderId` for better-sqlite3. What
 * differs between the dialects (row locks, casts) is a field of the Dialect, so it stays here too.
 */
import { UNCHARGED_STATUSES } from './rows';
import type { ClaimArgs, NewOrder } from '../payments/store';

export interface Dialect {
  /** Appended to a read that the transaction goes on to change (SQLite's BEGIN IMMEDIATE already locks). */
  forUpdate: string;
  /** Appended to a claim's inner SELECT, so concurrent claimers take different rows. */
  skipLocked: string;
  /** A cast making a sum or a count come back as a number. */
  bigint: string;
  int: string;
}

export const SQLITE_DIALECT: Dialect = { forUpdate: '', skipLocked: '', bigint: '', int: '' };
export const POSTGRES_DIALECT: Dialect = {
  forUpdate: ' FOR UPDATE',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  bigint: '::bigint',
  int: '::int',
};

const ORDER_COLUMNS =
  'id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, payment, created_at, updated_at, expires_at, next_check_at';
const orderValues = (d: Dialect) =>
  `:id, :merchantTransId, :channel, :buyerId, :status, :currency, :amount${d.bigint}, :items, :payment, :createdAt, :createdAt, :expiresAt, :nextCheckAt`;
/** insertOrder's parameters, by name, field by field (no copy of the whole order is made). */
export function orderParams(order: NewOrder) {
  return {
    id: order.id,
    merchantTransId: order.merchantTransId,
    channel: order.channel,
    buyerId: order.buyerId,
    status: order.status,
    currency: order.currency,
    amount: order.amount,
    items: JSON.stringify(order.items),
    payment: order.payment ? JSON.stringify(order.payment) : null,
    createdAt: order.createdAt,
    expiresAt: order.expiresAt,
    nextCheckAt: order.nextCheckAt,
  };
}
type OrderParams = ReturnType<typeof orderParams>;
/** insertOrders' parameters: insertOrder's names, each the column of the batch's values, in the batch's order. */
export function orderColumns(orders: readonly NewOrder[]): { [K in keyof OrderParams]: OrderParams[K][] } {
  const rows = orders.map(orderParams);
  const names = Object.keys(rows[0] ?? {}) as (keyof OrderParams)[];
  return Object.fromEntries(names.map((name) => [name, rows.map((row) => row[name])])) as { [K in keyof OrderParams]: OrderParams[K][] };
}
/** The columns of PaymentFacts (rows.ts). */
const PAYMENT_FACTS = 'id, channel, merchant_trans_id, status, amount, currency';
const UNCHARGED = UNCHARGED_STATUSES.map((st) => `'${st}'`).join(', ');
const releaseClaim = `claim_until = CASE WHEN claim_owner = :owner THEN NULL ELSE claim_until END,
      claim_owner = CASE WHEN claim_owner = :owner THEN NULL ELSE claim_owner END`;

export function statements(d: Dialect) {
  return {
    insertOrder: `INSERT INTO orders (${ORDER_COLUMNS}) VALUES (${orderValues(d)})`,
    // PostgreSQL only: the claim and the order in one statement; the order is inserted only if the key was free.
    insertOrderClaimed: `WITH claim AS (
        INSERT INTO idempotency_keys (scope, key, request_hash, order_id, created_at, response_status, response_body)
        VALUES (:scope, :key, :requestHash, :id, :createdAt, :responseStatus${d.int}, :responseBody) ON CONFLICT (scope, key) DO NOTHING RETURNING 1)
      INSERT INTO orders (${ORDER_COLUMNS}) SELECT ${orderValues(d)} WHERE EXISTS (SELECT 1 FROM claim) RETURNING id`,
    // PostgreSQL only: many plain orders in one statement, a column array per parameter (postgres-batch.ts).
    // One text for any number of rows, so it stays prepared; the names are insertOrder's, each an array.
    insertOrders: `INSERT INTO orders (${ORDER_COLUMNS})
      SELECT id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, payment, created_at, created_at, expires_at, next_check_at
      FROM unnest(:id::text[], :merchantTransId::text[], :channel::text[], :buyerId::text[], :status::text[], :currency::text[],
        :amount::bigint[], :items::text[], :payment::text[], :createdAt::text[], :expiresAt::text[], :nextCheckAt::text[])
        AS o (id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, payment, created_at, expires_at, next_check_at)`,
    getOrder: 'SELECT * FROM orders WHERE id = :id',
    lockOrder: `SELECT * FROM orders WHERE id = :id${d.forUpdate}`,
    // A notification reads only what its decision and its answer need (not the items or the payment).
    lockPaymentFacts: `SELECT ${PAYMENT_FACTS} FROM orders WHERE id = :id${d.forUpdate}`,
    getPaymentFactsByTransId: `SELECT ${PAYMENT_FACTS} FROM orders WHERE merchant_trans_id = :merchantTransId`,
    findIdem: 'SELECT * FROM idempotency_keys WHERE scope = :scope AND key = :key',
    claimIdem: `INSERT INTO idempotency_keys (scope, key, request_hash, order_id, created_at) VALUES (:scope, :key, :requestHash, :orderId, :createdAt)
      ON CONFLICT (scope, key) DO NOTHING`,
    completeIdem: 'UPDATE idempotency_keys SET response_status = :status, response_body = :body WHERE scope = :scope AND key = :key',
    attachPayment: 'UPDATE orders SET payment = :payment WHERE id = :orderId',
    // PostgreSQL only: the payment and the stored answer in one statement.
    attachPaymentAnswer: `WITH attached AS (UPDATE orders SET payment = :payment WHERE id = :orderId)
      UPDATE idempotency_keys SET response_status = :status, response_body = :body WHERE scope = :scope AND key = :key`,
    markPaid: `UPDATE orders SET status = 'SUCCEEDED', paid_at = :paidAt, gateway_transaction_id = :gatewayTransactionId, updated_at = :at
      WHERE id = :orderId AND status = 'PENDING'`,
    closeUnpaid: `UPDATE orders SET status = :to, updated_at = :at WHERE id = :orderId AND status = 'PENDING'`,
    insertEvidence: `INSERT INTO payment_evidence (order_id, source, merchant_id, merchant_trans_id, gateway_transaction_id, amount, currency, paid_at, raw, received_at)
      VALUES (:orderId, :source, :merchantId, :merchantTransId, :gatewayTransactionId, :amount, :currency, :paidAt, :raw, :at)`,
    insertTransition:
      'INSERT INTO order_transitions (order_id, from_status, to_status, reason, at) VALUES (:orderId, :from, :to, :reason, :at)',
    insertNotification: `INSERT INTO notifications (channel, identity, order_id, outcome, raw, received_at) VALUES (:channel, :identity, :orderId, :outcome, :raw, :at)
      ON CONFLICT (channel, identity) DO NOTHING`,
    bumpNotification: 'UPDATE notifications SET deliveries = deliveries + 1 WHERE channel = :channel AND identity = :identity',
    countTransitions: `SELECT COUNT(*)${d.int} AS n FROM order_transitions WHERE order_id = :orderId AND to_status = :to`,
    setGatewayTxn:
      'UPDATE orders SET gateway_transaction_id = COALESCE(gateway_transaction_id, :gatewayTransactionId), updated_at = :at WHERE id = :orderId',
    listByStatus: 'SELECT * FROM orders WHERE status = :status ORDER BY created_at DESC LIMIT :limit',
    listByStatusAndBuyer: 'SELECT * FROM orders WHERE status = :status AND buyer_id = :buyerId ORDER BY created_at DESC LIMIT :limit',
    listByBuyer: 'SELECT * FROM orders WHERE buyer_id = :buyerId ORDER BY created_at DESC LIMIT :limit',
    listAll: 'SELECT * FROM orders ORDER BY created_at DESC LIMIT :limit',
    oldestPending: "SELECT MIN(created_at) AS at FROM orders WHERE status = 'PENDING'",
    claimOrders: `UPDATE orders SET claim_owner = :owner, claim_until = :until
      WHERE id IN (SELECT id FROM orders WHERE status = 'PENDING' AND (next_check_at IS NULL OR next_check_at <= :now)
        AND (claim_until IS NULL OR claim_until < :now) ORDER BY created_at LIMIT :limit${d.skipLocked})
      RETURNING *`,
    scheduleCheck: `UPDATE orders SET next_check_at = :nextCheckAt, check_attempts = :attempts,
      last_checked_at = COALESCE(:checkedAt, last_checked_at),
      ${releaseClaim}
      WHERE id = :id`,
    checkState: 'SELECT last_checked_at, check_attempts, next_check_at FROM orders WHERE id = :orderId',
    insertRefund: `INSERT INTO refunds (id, order_id, merchant_refund_id, amount, currency, reason, source, status, next_attempt_at, created_at, updated_at)
      VALUES (:id, :orderId, :merchantRefundId, :amount, :currency, :reason, :source, 'PENDING', :now, :now, :now)
      ON CONFLICT (merchant_refund_id) DO NOTHING`,
    getRefundByMerchantId: 'SELECT * FROM refunds WHERE merchant_refund_id = :merchantRefundId',
    refundedOrReserved: `SELECT COALESCE(SUM(amount), 0)${d.bigint} AS n FROM refunds WHERE order_id = :orderId AND status <> 'FAILED'`,
    getRefund: 'SELECT * FROM refunds WHERE id = :id',
    listRefunds: 'SELECT * FROM refunds WHERE order_id = :orderId ORDER BY created_at',
    finishRefund: `UPDATE refunds SET status = :status, gateway_refund_id = :gatewayRefundId, failure_code = :code,
      attempts = attempts + 1, next_attempt_at = NULL, claim_owner = NULL, claim_until = NULL, updated_at = :now WHERE id = :id AND status = 'PENDING'`,
    addRefunded: 'UPDATE orders SET refunded_amount = refunded_amount + :amount, status = :status, updated_at = :at WHERE id = :orderId',
    deferRefund: `UPDATE refunds SET next_attempt_at = :nextAttemptAt, attempts = :attempts, updated_at = :now,
      ${releaseClaim}
      WHERE id = :id AND status = 'PENDING'`,
    claimRefunds: `UPDATE refunds SET claim_owner = :owner, claim_until = :until
      WHERE id IN (SELECT id FROM refunds WHERE status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
        AND (claim_until IS NULL OR claim_until < :now) ORDER BY created_at LIMIT :limit${d.skipLocked})
      RETURNING *`,
    insertAgreement: `INSERT INTO agreements (id, merchant_agreement_id, buyer_id, state_hash, status, created_at, updated_at)
      VALUES (:id, :merchantAgreementId, :buyerId, :stateHash, 'PENDING', :createdAt, :createdAt)`,
    getAgreement: 'SELECT * FROM agreements WHERE id = :id',
    lockAgreement: `SELECT * FROM agreements WHERE id = :id${d.forUpdate}`,
    getAgreementByMid: 'SELECT * FROM agreements WHERE merchant_agreement_id = :merchantAgreementId',
    listAgreements: 'SELECT * FROM agreements WHERE buyer_id = :buyerId ORDER BY created_at DESC, id LIMIT :limit',
    claimReturn: `UPDATE agreements SET return_claimed_until = :until
      WHERE id = :id AND status = 'PENDING' AND (return_claimed_until IS NULL OR return_claimed_until < :now)`,
    releaseReturn: 'UPDATE agreements SET return_claimed_until = NULL WHERE id = :id',
    replaceTokens: `UPDATE agreements SET access_token_enc = :accessTokenEnc, refresh_token_enc = :refreshTokenEnc,
      access_token_expires_at = :accessTokenExpiresAt, refresh_token_expires_at = :refreshTokenExpiresAt,
      token_version = token_version + 1, updated_at = :at
      WHERE id = :id AND status = 'ACTIVE' AND token_version = :expectedVersion`,
    recordAgreementCheck: 'UPDATE agreements SET status_checked_at = :at WHERE id = :id',
    sumCharges: `SELECT COALESCE(SUM(amount), 0)${d.bigint} AS n FROM orders
      WHERE agreement_id = :agreementId AND created_at >= :dayStart AND created_at < :dayEnd AND status NOT IN (${UNCHARGED})`,
    insertCharge: `INSERT INTO orders (id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, created_at, updated_at, expires_at, next_check_at, agreement_id)
      VALUES (:id, :merchantTransId, :channel, :buyerId, :status, :currency, :amount, :items, :createdAt, :createdAt, :expiresAt, :nextCheckAt, :agreementId)`,
  } as const;
}

export type StatementName = keyof ReturnType<typeof statements>;
/** A statement's parameters by name; properties the statement does not name are ignored. */
export type Params = object;

/** The values for `names`, in order (missing ones bind as NULL). */
export function valuesFor(names: readonly string[], params: Params): unknown[] {
  return names.map((name) => (params as Record<string, unknown>)[name] ?? null);
}

const NAMED = /(?<![:\w]):([A-Za-z_]\w*)/g;

/** `:name` → `@name`, better-sqlite3's named parameters. */
export function toSqlite(sql: string): string {
  return sql.replace(NAMED, '@$1');
}

/** `:name` → `$n` (a name used twice is one parameter), with the names in `$n` order. */
export function toPostgres(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(NAMED, (_match, name: string) => {
    const at = names.indexOf(name);
    return `$${at >= 0 ? at + 1 : names.push(name)}`;
  });
  return { text, names };
}

/** The SET clause of an agreement transition, from its patch (see rows.ts), with named parameters. */
export function agreementTransitionSql(patch: Record<string, unknown>, bumpVersion: boolean): string {
  const sets = Object.keys(patch).map((column) => `${column} = :${column}`);
  if (bumpVersion) sets.push('token_version = token_version + 1');
  return `UPDATE agreements SET ${sets.join(', ')} WHERE id = :__id AND status = :__from`;
}

/** Statements only PostgreSQL speaks (a data-changing CTE, array parameters); SQLite does the same work in a transaction. */
export const POSTGRES_ONLY: ReadonlySet<StatementName> = new Set<StatementName>([
  'insertOrderClaimed',
  'insertOrders',
  'attachPaymentAnswer',
]);

/** A lease ending `leaseMs` after `now`. */
export const leaseUntil = (args: { now: Date; leaseMs: number }): string => new Date(args.now.getTime() + args.leaseMs).toISOString();

/** The parameters of claimOrders and claimRefunds. */
export const claimParams = (args: ClaimArgs) => ({
  owner: args.owner,
  now: args.now.toISOString(),
  until: leaseUntil(args),
  limit: args.limit,
});
