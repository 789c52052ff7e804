/**
 * The PostgreSQL store's queries: the statement table bound by name (the hot ones prepared once per
 * connection), transactions on one pooled client, and the row-locking steps several of the store's
 * changes share (markPaidIn, the idempotency claim, a refund's row).
 */
import pg from 'pg';
import type { PaymentEvidence } from '../payments/channel';
import {
  afterUpdate,
  toAgreement,
  toOrder,
  toPaymentFacts,
  toRefund,
  type AgreementRow,
  type IdemRow,
  type OrderRow,
  type PaymentFacts,
  type PaymentFactsRow,
  type RefundRow,
} from './rows';
import { decideMarkPaid, paidColumns, type AppliedPayment } from './rules';
import { POSTGRES_DIALECT, statements, toPostgres, valuesFor, type Params, type StatementName } from './statements';
import type { AgreementRecord, IdempotencyClaim, MarkPaidResult, NewRefund, OrderRecord, RefundRecord } from '../payments/store';

export type Db = pg.PoolClient;

const SQL = Object.fromEntries(Object.entries(statements(POSTGRES_DIALECT)).map(([name, text]) => [name, toPostgres(text)])) as Record<
  StatementName,
  { text: string; names: string[] }
>;
// The hot statements are named, so PostgreSQL parses and plans them once per connection.
const NAMED_STATEMENTS: ReadonlySet<StatementName> = new Set<StatementName>([
  'insertOrder',
  'insertOrders',
  'insertOrderClaimed',
  'attachPayment',
  'attachPaymentAnswer',
  'getOrder',
  'getPaymentFactsByTransId',
]);

function bind(name: StatementName, params: Params): pg.QueryConfig {
  const { text, names } = SQL[name];
  return { ...(NAMED_STATEMENTS.has(name) ? { name } : {}), text, values: valuesFor(names, params) };
}

// BIGINT comes back as a string by default; our amounts are safe integers.
pg.types.setTypeParser(20, (value) => Number(value));

export function postgresQueries(pool: pg.Pool, now: () => Date) {
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

  /** Runs one statement of the table; `db` is a transaction's client or the pool (autocommit). */
  function q<R extends pg.QueryResultRow = any>(db: Db | pg.Pool, name: StatementName, params: Params = {}): Promise<pg.QueryResult<R>> {
    return db.query<R>(bind(name, params));
  }
  async function one<R extends pg.QueryResultRow>(db: Db | pg.Pool, name: StatementName, params: Params): Promise<R | undefined> {
    return (await q<R>(db, name, params)).rows[0];
  }
  async function mustOrder(db: Db | pg.Pool, name: 'getOrder' | 'lockOrder', id: string): Promise<OrderRecord> {
    const row = await one<OrderRow>(db, name, { id });
    if (!row) throw new Error(`order ${id} vanished`);
    return toOrder(row);
  }
  async function mustAgreement(db: Db | pg.Pool, name: 'getAgreement' | 'lockAgreement', id: string): Promise<AgreementRecord> {
    const row = await one<AgreementRow>(db, name, { id });
    if (!row) throw new Error(`agreement ${id} vanished`);
    return toAgreement(row);
  }
  async function maybe<R extends pg.QueryResultRow, T>(
    db: Db | pg.Pool,
    name: StatementName,
    params: Params,
    map: (row: R) => T,
  ): Promise<T | null> {
    const row = await one<R>(db, name, params);
    return row ? map(row) : null;
  }
  const lockOrder = (db: Db, id: string) => mustOrder(db, 'lockOrder', id);
  const getOrderIn = (db: Db | pg.Pool, id: string) => mustOrder(db, 'getOrder', id);

  async function insertRefundRow(db: Db, refund: NewRefund & { currency: string }): Promise<RefundRecord> {
    await q(db, 'insertRefund', { ...refund, now: now().toISOString() });
    return toRefund((await one<RefundRow>(db, 'getRefundByMerchantId', refund))!);
  }

  /**
   * Stores the evidence and applies what decideMarkPaid decides to the order `before` (locked in this
   * transaction): `paid` when it moved to SUCCEEDED (with the columns set), `unchanged` when there
   * was nothing to do, `late` when a refund was recorded, `raced` when the update found it moved.
   */
  async function applyPayment(
    db: Db,
    before: PaymentFacts,
    evidence: PaymentEvidence,
    reason: string,
    at: string,
  ): Promise<AppliedPayment> {
    const orderId = before.id;
    await q(db, 'insertEvidence', { ...evidence, orderId, at });
    const decision = decideMarkPaid(before);
    if (decision.kind === 'late-payment') {
      await q(db, 'setGatewayTxn', { gatewayTransactionId: evidence.gatewayTransactionId, at, orderId });
      return { kind: 'late' as const, refund: await insertRefundRow(db, decision.refund) };
    }
    if (decision.kind === 'no-op') return { kind: 'unchanged' as const };
    const paid = paidColumns(evidence, at);
    const { rowCount } = await q(db, 'markPaid', { ...paid, at, orderId });
    if (rowCount !== 1) return { kind: 'raced' as const };
    await q(db, 'insertTransition', { orderId, from: before.status, to: 'SUCCEEDED', reason, at });
    return { kind: 'paid' as const, paid };
  }

  async function markPaidIn(db: Db, orderId: string, evidence: PaymentEvidence, reason: string): Promise<MarkPaidResult> {
    const at = now().toISOString();
    const before = await lockOrder(db, orderId);
    const applied = await applyPayment(db, before, evidence, reason, at);
    // Paid: the locked row read above, with what the update set (no second round trip).
    if (applied.kind === 'paid') return { transitioned: true, order: afterUpdate(before, applied.paid), latePaymentRefund: null };
    if (applied.kind === 'unchanged') return { transitioned: false, order: before, latePaymentRefund: null };
    return {
      transitioned: false,
      order: await getOrderIn(db, orderId),
      latePaymentRefund: applied.kind === 'late' ? applied.refund : null,
    };
  }

  /** The columns a payment's decision needs, the row locked (FOR UPDATE). */
  async function lockPaymentFacts(db: Db, id: string): Promise<PaymentFacts> {
    const row = await one<PaymentFactsRow>(db, 'lockPaymentFacts', { id });
    if (!row) throw new Error(`order ${id} vanished`);
    return toPaymentFacts(row);
  }

  /** Claims the key; if it was taken, returns who holds it. */
  async function claimIdem(db: Db, claim: IdempotencyClaim, orderId: string): Promise<IdemRow | null> {
    const { rowCount } = await q(db, 'claimIdem', { ...claim, orderId, createdAt: now().toISOString() });
    return rowCount === 1 ? null : (await one<IdemRow>(db, 'findIdem', claim))!;
  }

  const sumCharges = async (db: Db | pg.Pool, params: { agreementId: string; dayStart: string; dayEnd: string }) =>
    Number((await one<{ n: number }>(db, 'sumCharges', params))!.n);

  return {
    tx,
    q,
    one,
    mustAgreement,
    maybe,
    lockOrder,
    getOrderIn,
    insertRefundRow,
    markPaidIn,
    applyPayment,
    lockPaymentFacts,
    claimIdem,
    sumCharges,
  };
}
