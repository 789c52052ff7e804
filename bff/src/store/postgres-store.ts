/**
 * The PostgreSQL store, for several BFF instances on one database. Same contract as the SQLite
 * store: every change that depends on an order's state first locks that order's row
 * (`SELECT … FOR UPDATE`), so concurrent deliveries across instances still cause one transition;
 * background work claims rows with `FOR UPDATE SKIP LOCKED`. Commits are synchronous (the default),
 * so an acknowledgement always follows a durable write.
 */
import pg from 'pg';
import { canTransition, type PaymentAction } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';
import { MIGRATIONS } from './migrations';
import { AUDIT_QUERIES, UNCHARGED_STATUSES, agreementTransitionPatch, toAgreement, toIdem, toOrder, toRefund, type AgreementRow, type IdemRow, type OrderRow, type RefundRow } from './rows';
import { checkAgreementCharge, checkRefundable, decideMarkPaid, statusAfterRefund } from './rules';
import {
  FINAL_AGREEMENT_STATUSES,
  type AgreementRecord,
  type ClaimArgs,
  type CreateRefundResult,
  type IdempotencyClaim,
  type InsertOrderResult,
  type MarkPaidResult,
  type NewOrder,
  type NewRefund,
  type NotificationRecord,
  type OrderRecord,
  type RecordNotificationResult,
  type RefundRecord,
  type Store,
  type TransitionResult,
} from './store';

type Db = pg.PoolClient;

const ORDER_INSERT_COLUMNS = 'id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, payment, created_at, updated_at, expires_at, next_check_at';
const ORDER_INSERT_VALUES = '$1, $2, $3, $4, $5, $6, $7::bigint, $8, $9, $10, $10, $11, $12';

// BIGINT comes back as a string by default; our amounts are safe integers.
pg.types.setTypeParser(20, (value) => Number(value));

export interface PostgresStoreOptions {
  connectionString: string;
  now?: () => Date;
  max?: number;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const now = options.now ?? (() => new Date());
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  pool.on('error', () => undefined); // an idle client's error must not crash the process; the next query reports it
  await migrate(pool);

  async function tx<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const db = await pool.connect();
    try {
      await db.query('BEGIN');
      const result = await work(db);
      await db.query('COMMIT');
      return result;
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      db.release();
    }
  }

  async function lockOrder(db: Db, id: string): Promise<OrderRecord> {
    const { rows } = await db.query<OrderRow>('SELECT * FROM orders WHERE id = $1 FOR UPDATE', [id]);
    if (!rows[0]) throw new Error(`order ${id} vanished`);
    return toOrder(rows[0]);
  }

  async function getOrderIn(db: Db | pg.Pool, id: string): Promise<OrderRecord> {
    const { rows } = await db.query<OrderRow>('SELECT * FROM orders WHERE id = $1', [id]);
    if (!rows[0]) throw new Error(`order ${id} vanished`);
    return toOrder(rows[0]);
  }

  async function insertRefundRow(db: Db, refund: NewRefund & { currency: string }): Promise<RefundRecord> {
    const at = now().toISOString();
    await db.query(
      `INSERT INTO refunds (id, order_id, merchant_refund_id, amount, currency, reason, source, status, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $8, $8) ON CONFLICT (merchant_refund_id) DO NOTHING`,
      [refund.id, refund.orderId, refund.merchantRefundId, refund.amount, refund.currency, refund.reason, refund.source, at],
    );
    const { rows } = await db.query<RefundRow>('SELECT * FROM refunds WHERE merchant_refund_id = $1', [refund.merchantRefundId]);
    return toRefund(rows[0]!);
  }

  async function markPaidIn(db: Db, orderId: string, evidence: PaymentEvidence, reason: string): Promise<MarkPaidResult> {
    const at = now().toISOString();
    const before = await lockOrder(db, orderId);
    await db.query(
      `INSERT INTO payment_evidence (order_id, source, merchant_id, merchant_trans_id, gateway_transaction_id, amount, currency, paid_at, raw, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [orderId, evidence.source, evidence.merchantId, evidence.merchantTransId, evidence.gatewayTransactionId, evidence.amount, evidence.currency, evidence.paidAt, evidence.raw, at],
    );
    const decision = decideMarkPaid(before);
    if (decision.kind === 'late-payment') {
      await db.query('UPDATE orders SET gateway_transaction_id = COALESCE(gateway_transaction_id, $1), updated_at = $2 WHERE id = $3', [evidence.gatewayTransactionId, at, orderId]);
      const refund = await insertRefundRow(db, decision.refund);
      return { transitioned: false, order: await getOrderIn(db, orderId), latePaymentRefund: refund };
    }
    if (decision.kind === 'no-op') return { transitioned: false, order: before, latePaymentRefund: null };
    const { rowCount } = await db.query(
      `UPDATE orders SET status = 'SUCCEEDED', paid_at = $1, gateway_transaction_id = $2, updated_at = $3 WHERE id = $4 AND status = 'PENDING'`,
      [evidence.paidAt ?? at, evidence.gatewayTransactionId, at, orderId],
    );
    if (rowCount === 1) {
      await db.query('INSERT INTO order_transitions (order_id, from_status, to_status, reason, at) VALUES ($1, $2, $3, $4, $5)', [orderId, before.status, 'SUCCEEDED', reason, at]);
    }
    return { transitioned: rowCount === 1, order: await getOrderIn(db, orderId), latePaymentRefund: null };
  }

  async function claimIdem(db: Db, claim: IdempotencyClaim, orderId: string): Promise<IdemRow | null> {
    const { rowCount } = await db.query(
      'INSERT INTO idempotency_keys (scope, key, request_hash, order_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, key) DO NOTHING',
      [claim.scope, claim.key, claim.requestHash, orderId, now().toISOString()],
    );
    if (rowCount === 1) return null;
    const { rows } = await db.query<IdemRow>('SELECT * FROM idempotency_keys WHERE scope = $1 AND key = $2', [claim.scope, claim.key]);
    return rows[0]!;
  }

  async function getAgreementIn(db: Db | pg.Pool, id: string): Promise<AgreementRecord> {
    const { rows } = await db.query<AgreementRow>('SELECT * FROM agreements WHERE id = $1', [id]);
    if (!rows[0]) throw new Error(`agreement ${id} vanished`);
    return toAgreement(rows[0]);
  }

  const UNCHARGED = UNCHARGED_STATUSES.map((st) => `'${st}'`).join(', ');
  async function sumCharges(db: Db | pg.Pool, agreementId: string, dayStart: string, dayEnd: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT COALESCE(SUM(amount), 0)::bigint AS n FROM orders WHERE agreement_id = $1 AND created_at >= $2 AND created_at < $3 AND status NOT IN (${UNCHARGED})`,
      [agreementId, dayStart, dayEnd],
    );
    return Number(rows[0]!.n);
  }

  return {
    kind: 'postgres',
    async ping() {
      await pool.query('SELECT 1');
    },
    // One statement per call, so each is one round trip and its own transaction (autocommit); the
    // hot statements are named, so PostgreSQL parses and plans them once per connection.
    async insertOrder(order: NewOrder, claim?: IdempotencyClaim, response?: { status: number; body: string }): Promise<InsertOrderResult> {
      const values: unknown[] = [
        order.id, order.merchantTransId, order.channel, order.buyerId, order.status, order.currency, order.amount, JSON.stringify(order.items),
        order.payment ? JSON.stringify(order.payment) : null, order.createdAt, order.expiresAt, order.nextCheckAt,
      ];
      if (!claim) {
        const { rows } = await pool.query<OrderRow>({ name: 'insert-order', text: `INSERT INTO orders (${ORDER_INSERT_COLUMNS}) VALUES (${ORDER_INSERT_VALUES}) RETURNING *`, values });
        return { inserted: true, order: toOrder(rows[0]!) };
      }
      // The claim and the order in one statement: the order is inserted only if the key was free.
      const { rows } = await pool.query<OrderRow>({
        name: 'insert-order-claimed',
        text: `WITH claim AS (
            INSERT INTO idempotency_keys (scope, key, request_hash, order_id, created_at, response_status, response_body)
            VALUES ($13, $14, $15, $1, $10, $16::integer, $17) ON CONFLICT (scope, key) DO NOTHING RETURNING 1)
          INSERT INTO orders (${ORDER_INSERT_COLUMNS}) SELECT ${ORDER_INSERT_VALUES} WHERE EXISTS (SELECT 1 FROM claim) RETURNING *`,
        values: [...values, claim.scope, claim.key, claim.requestHash, response?.status ?? null, response?.body ?? null],
      });
      if (rows[0]) return { inserted: true, order: toOrder(rows[0]) };
      const existing = await pool.query<IdemRow>('SELECT * FROM idempotency_keys WHERE scope = $1 AND key = $2', [claim.scope, claim.key]);
      return { inserted: false, existing: toIdem(existing.rows[0]!) };
    },
    async findIdempotency(scope, key) {
      const { rows } = await pool.query<IdemRow>('SELECT * FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
      return rows[0] ? toIdem(rows[0]) : null;
    },
    async attachPayment(orderId: string, payment: PaymentAction, response?: { scope: string; key: string; status: number; body: string }) {
      if (!response) {
        await pool.query({ name: 'attach-payment', text: 'UPDATE orders SET payment = $1 WHERE id = $2', values: [JSON.stringify(payment), orderId] });
        return;
      }
      await pool.query({
        name: 'attach-payment-answer',
        text: `WITH attached AS (UPDATE orders SET payment = $1 WHERE id = $2)
          UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE scope = $5 AND key = $6`,
        values: [JSON.stringify(payment), orderId, response.status, response.body, response.scope, response.key],
      });
    },
    async getOrder(id) {
      const { rows } = await pool.query<OrderRow>({ name: 'get-order', text: 'SELECT * FROM orders WHERE id = $1', values: [id] });
      return rows[0] ? toOrder(rows[0]) : null;
    },
    async getOrderByMerchantTransId(merchantTransId) {
      const { rows } = await pool.query<OrderRow>({ name: 'get-order-by-trans-id', text: 'SELECT * FROM orders WHERE merchant_trans_id = $1', values: [merchantTransId] });
      return rows[0] ? toOrder(rows[0]) : null;
    },
    markPaid: (orderId, evidence, reason) => tx((db) => markPaidIn(db, orderId, evidence, reason)),
    closeUnpaid: (orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): Promise<TransitionResult> =>
      tx(async (db) => {
        const at = now().toISOString();
        const before = await lockOrder(db, orderId);
        if (!canTransition(before.status, to)) return { transitioned: false, order: before };
        const { rowCount } = await db.query(`UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'PENDING'`, [to, at, orderId]);
        if (rowCount === 1) await db.query('INSERT INTO order_transitions (order_id, from_status, to_status, reason, at) VALUES ($1, $2, $3, $4, $5)', [orderId, before.status, to, reason, at]);
        return { transitioned: rowCount === 1, order: await getOrderIn(db, orderId) };
      }),
    recordNotification: (n: NotificationRecord, evidence: PaymentEvidence): Promise<RecordNotificationResult> =>
      tx(async (db) => {
        const { rowCount } = await db.query(
          'INSERT INTO notifications (channel, identity, order_id, outcome, raw, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, identity) DO NOTHING',
          [n.channel, n.identity, n.orderId, n.outcome, n.raw, now().toISOString()],
        );
        if (rowCount !== 1) {
          await db.query('UPDATE notifications SET deliveries = deliveries + 1 WHERE channel = $1 AND identity = $2', [n.channel, n.identity]);
          return { duplicate: true, transitioned: false, order: await getOrderIn(db, n.orderId), latePaymentRefund: null };
        }
        if (n.outcome !== 'PAID') return { duplicate: false, transitioned: false, order: await getOrderIn(db, n.orderId), latePaymentRefund: null };
        return { duplicate: false, ...(await markPaidIn(db, n.orderId, evidence, `notification ${n.identity}`)) };
      }),
    async insertAgreement(agreement) {
      await pool.query(
        `INSERT INTO agreements (id, merchant_agreement_id, buyer_id, state_hash, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'PENDING', $5, $5)`,
        [agreement.id, agreement.merchantAgreementId, agreement.buyerId, agreement.stateHash, agreement.createdAt],
      );
      return getAgreementIn(pool, agreement.id);
    },
    async getAgreement(id) {
      const { rows } = await pool.query<AgreementRow>('SELECT * FROM agreements WHERE id = $1', [id]);
      return rows[0] ? toAgreement(rows[0]) : null;
    },
    async getAgreementByMerchantAgreementId(merchantAgreementId) {
      const { rows } = await pool.query<AgreementRow>('SELECT * FROM agreements WHERE merchant_agreement_id = $1', [merchantAgreementId]);
      return rows[0] ? toAgreement(rows[0]) : null;
    },
    async listAgreements(buyerId, limit) {
      const { rows } = await pool.query<AgreementRow>('SELECT * FROM agreements WHERE buyer_id = $1 ORDER BY created_at DESC, id LIMIT $2', [buyerId, limit]);
      return rows.map(toAgreement);
    },
    async claimAgreementReturn(id, args) {
      const { rowCount } = await pool.query(
        `UPDATE agreements SET return_claimed_until = $1 WHERE id = $2 AND status = 'PENDING' AND (return_claimed_until IS NULL OR return_claimed_until < $3)`,
        [new Date(args.now.getTime() + args.leaseMs).toISOString(), id, args.now.toISOString()],
      );
      return rowCount === 1;
    },
    async releaseAgreementReturn(id) {
      await pool.query('UPDATE agreements SET return_claimed_until = NULL WHERE id = $1', [id]);
    },
    transitionAgreement: (id, from, to, args) =>
      tx(async (db) => {
        const { rows } = await db.query<AgreementRow>('SELECT * FROM agreements WHERE id = $1 FOR UPDATE', [id]);
        if (!rows[0]) throw new Error(`agreement ${id} vanished`);
        const before = toAgreement(rows[0]);
        if (!from.includes(before.status)) return { transitioned: false, agreement: before };
        const final = FINAL_AGREEMENT_STATUSES.includes(to);
        const patch = agreementTransitionPatch(to, args, final);
        const params: unknown[] = [];
        const sets = Object.entries(patch).map(([column, value]) => `${column} = $${params.push(value)}`);
        if (args.tokens || final) sets.push('token_version = token_version + 1');
        const { rowCount } = await db.query(`UPDATE agreements SET ${sets.join(', ')} WHERE id = $${params.push(id)} AND status = $${params.push(before.status)}`, params);
        return { transitioned: rowCount === 1, agreement: await getAgreementIn(db, id) };
      }),
    async replaceAgreementTokens(id, expectedVersion, tokens, at) {
      const { rowCount } = await pool.query(
        `UPDATE agreements SET access_token_enc = $1, refresh_token_enc = $2, access_token_expires_at = $3, refresh_token_expires_at = $4,
           token_version = token_version + 1, updated_at = $5
         WHERE id = $6 AND status = 'ACTIVE' AND token_version = $7`,
        [tokens.accessTokenEnc, tokens.refreshTokenEnc, tokens.accessTokenExpiresAt, tokens.refreshTokenExpiresAt, at, id, expectedVersion],
      );
      return { replaced: rowCount === 1, agreement: await getAgreementIn(pool, id) };
    },
    async recordAgreementCheck(id, at) {
      await pool.query('UPDATE agreements SET status_checked_at = $1 WHERE id = $2', [at, id]);
    },
    insertAgreementCharge: (order, args, claim) =>
      tx(async (db): Promise<InsertOrderResult> => {
        if (claim) {
          const existing = await claimIdem(db, claim, order.id);
          if (existing) return { inserted: false, existing: toIdem(existing) };
        }
        // The agreement's row lock serialises charges of one agreement, so the cap holds across instances.
        const { rows } = await db.query<AgreementRow>('SELECT * FROM agreements WHERE id = $1 FOR UPDATE', [args.agreementId]);
        checkAgreementCharge(rows[0] ? toAgreement(rows[0]) : null, args, await sumCharges(db, args.agreementId, args.dayStart, args.dayEnd), order.amount);
        await db.query(
          `INSERT INTO orders (id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, created_at, updated_at, expires_at, next_check_at, agreement_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12)`,
          [order.id, order.merchantTransId, order.channel, order.buyerId, order.status, order.currency, order.amount, JSON.stringify(order.items), order.createdAt, order.expiresAt, order.nextCheckAt, args.agreementId],
        );
        return { inserted: true, order: await getOrderIn(db, order.id) };
      }),
    sumAgreementCharges: (agreementId, dayStart, dayEnd) => sumCharges(pool, agreementId, dayStart, dayEnd),
    audit: () =>
      tx(async (db) => {
        await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const all = async (sql: string) => (await db.query(sql)).rows as any[];
        return {
          orders: ((await all(AUDIT_QUERIES.orders)) as OrderRow[]).map(toOrder),
          transitions: await all(AUDIT_QUERIES.transitions),
          evidence: (await all(AUDIT_QUERIES.evidence)).map((e) => ({ ...e, amount: Number(e.amount) })),
          notifications: await all(AUDIT_QUERIES.notifications),
          refunds: ((await all(AUDIT_QUERIES.refunds)) as RefundRow[]).map(toRefund),
          checks: await all(AUDIT_QUERIES.checks),
        };
      }),
    async oldestPendingOrderAt() {
      const { rows } = await pool.query<{ at: string | null }>("SELECT MIN(created_at) AS at FROM orders WHERE status = 'PENDING'");
      return rows[0]?.at ?? null;
    },
    async countTransitions(orderId, to) {
      const { rows } = await pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM order_transitions WHERE order_id = $1 AND to_status = $2', [orderId, to]);
      return rows[0]!.n;
    },
    async listOrders(filter) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status) where.push(`status = $${params.push(filter.status)}`);
      if (filter.buyerId) where.push(`buyer_id = $${params.push(filter.buyerId)}`);
      const { rows } = await pool.query<OrderRow>(
        `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $${params.push(filter.limit)}`,
        params,
      );
      return rows.map(toOrder);
    },
    async claimDueOrders(args: ClaimArgs) {
      const { rows } = await pool.query<OrderRow>(
        `UPDATE orders SET claim_owner = $1, claim_until = $2 WHERE id IN (
           SELECT id FROM orders WHERE status = 'PENDING' AND (next_check_at IS NULL OR next_check_at <= $3)
             AND (claim_until IS NULL OR claim_until < $3) ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [args.owner, new Date(args.now.getTime() + args.leaseMs).toISOString(), args.now.toISOString(), args.limit],
      );
      return rows.map(toOrder).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async scheduleNextCheck(orderId, args) {
      await pool.query(
        `UPDATE orders SET next_check_at = $1, check_attempts = $2, last_checked_at = COALESCE($3, last_checked_at),
           claim_until = CASE WHEN claim_owner = $4 THEN NULL ELSE claim_until END,
           claim_owner = CASE WHEN claim_owner = $4 THEN NULL ELSE claim_owner END
         WHERE id = $5`,
        [args.nextCheckAt, args.attempts, args.checkedAt, args.owner, orderId],
      );
    },
    async getCheckState(orderId) {
      const { rows } = await pool.query<{ last_checked_at: string | null; check_attempts: number; next_check_at: string | null }>(
        'SELECT last_checked_at, check_attempts, next_check_at FROM orders WHERE id = $1',
        [orderId],
      );
      return { lastCheckedAt: rows[0]?.last_checked_at ?? null, attempts: rows[0]?.check_attempts ?? 0, nextCheckAt: rows[0]?.next_check_at ?? null };
    },
    createRefund: (refund: NewRefund, claim?: IdempotencyClaim): Promise<CreateRefundResult> =>
      tx(async (db) => {
        if (claim) {
          const existing = await claimIdem(db, claim, refund.orderId);
          if (existing) return { created: false, existing: toIdem(existing) };
        }
        const order = await lockOrder(db, refund.orderId);
        const { rows } = await db.query<{ n: number }>(`SELECT COALESCE(SUM(amount), 0)::bigint AS n FROM refunds WHERE order_id = $1 AND status <> 'FAILED'`, [order.id]);
        checkRefundable(order, Number(rows[0]!.n), refund.amount);
        const created = await insertRefundRow(db, { ...refund, currency: order.currency });
        // The key points at its refund from the same commit, so a retry after a crash finds it.
        if (claim) {
          await db.query('UPDATE idempotency_keys SET response_status = 0, response_body = $1 WHERE scope = $2 AND key = $3', [JSON.stringify({ refundId: created.id }), claim.scope, claim.key]);
        }
        return { created: true, refund: created, order };
      }),
    completeRefund: (refundId, result) =>
      tx(async (db) => {
        const at = now().toISOString();
        const { rows: found } = await db.query<RefundRow>('SELECT * FROM refunds WHERE id = $1', [refundId]);
        const before = toRefund(found[0]!);
        const order = await lockOrder(db, before.orderId);
        const { rowCount } = await db.query(
          `UPDATE refunds SET status = $1, gateway_refund_id = $2, failure_code = $3, attempts = attempts + 1, next_attempt_at = NULL,
             claim_owner = NULL, claim_until = NULL, updated_at = $4 WHERE id = $5 AND status = 'PENDING'`,
          [result.status, result.status === 'SUCCEEDED' ? result.gatewayRefundId : null, result.status === 'FAILED' ? result.code : null, at, refundId],
        );
        if (rowCount === 1 && result.status === 'SUCCEEDED') {
          const status = statusAfterRefund(order, before.amount);
          await db.query('UPDATE orders SET refunded_amount = refunded_amount + $1, status = $2, updated_at = $3 WHERE id = $4', [before.amount, status, at, order.id]);
          if (status !== order.status) {
            await db.query('INSERT INTO order_transitions (order_id, from_status, to_status, reason, at) VALUES ($1, $2, $3, $4, $5)', [order.id, order.status, status, `refund ${before.merchantRefundId}`, at]);
          }
        }
        const { rows } = await db.query<RefundRow>('SELECT * FROM refunds WHERE id = $1', [refundId]);
        return { refund: toRefund(rows[0]!), order: await getOrderIn(db, before.orderId) };
      }),
    async deferRefund(refundId, args) {
      await pool.query(
        `UPDATE refunds SET next_attempt_at = $1, attempts = $2, updated_at = $3,
           claim_until = CASE WHEN claim_owner = $4 THEN NULL ELSE claim_until END,
           claim_owner = CASE WHEN claim_owner = $4 THEN NULL ELSE claim_owner END
         WHERE id = $5 AND status = 'PENDING'`,
        [args.nextAttemptAt, args.attempts, now().toISOString(), args.owner, refundId],
      );
    },
    async claimDueRefunds(args: ClaimArgs) {
      const { rows } = await pool.query<RefundRow>(
        `UPDATE refunds SET claim_owner = $1, claim_until = $2 WHERE id IN (
           SELECT id FROM refunds WHERE status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
             AND (claim_until IS NULL OR claim_until < $3) ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [args.owner, new Date(args.now.getTime() + args.leaseMs).toISOString(), args.now.toISOString(), args.limit],
      );
      return rows.map(toRefund);
    },
    async getRefund(id) {
      const { rows } = await pool.query<RefundRow>('SELECT * FROM refunds WHERE id = $1', [id]);
      return rows[0] ? toRefund(rows[0]) : null;
    },
    async listRefunds(orderId) {
      const { rows } = await pool.query<RefundRow>('SELECT * FROM refunds WHERE order_id = $1 ORDER BY created_at', [orderId]);
      return rows.map(toRefund);
    },
    async completeIdempotency(scope, key, status, body) {
      await pool.query('UPDATE idempotency_keys SET response_status = $1, response_body = $2 WHERE scope = $3 AND key = $4', [status, body, scope, key]);
    },
    async close() {
      await pool.end();
    },
  };
}

/** Applies pending migrations under an advisory lock, so instances starting together do not race. */
async function migrate(pool: pg.Pool): Promise<void> {
  const db = await pool.connect();
  try {
    await db.query('SELECT pg_advisory_lock(72747301)');
    await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS) {
      const { rowCount } = await db.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rowCount) continue;
      await db.query('BEGIN');
      try {
        await db.query(m.sql);
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await db.query('SELECT pg_advisory_unlock(72747301)').catch(() => undefined);
    db.release();
  }
}
