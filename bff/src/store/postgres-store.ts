/**
 * The PostgreSQL store, for several BFF instances on one database. Same contract as the SQLite
 * store: every change that depends on an order's state first locks that order's row
 * (`SELECT … FOR UPDATE`), so concurrent deliveries across instances still cause one transition;
 * background work claims rows with `FOR UPDATE SKIP LOCKED`. Commits are synchronous (the default),
 * so an acknowledgement always follows a durable write. Plain order inserts of one event-loop turn
 * share one statement and its commit (postgres-batch.ts).
 */
import pg from 'pg';
import { canTransition, type PaymentAction } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';
import { migratePostgres } from './migrate';
import { createBatchQueue } from './postgres-batch';
import { postgresQueries } from './postgres-queries';
import {
  AUDIT_QUERIES,
  afterUpdate,
  agreementTransitionPatch,
  toAgreement,
  toAudit,
  toIdem,
  toNewOrderRecord,
  toOrder,
  toPaymentFacts,
  toRefund,
  type AuditRows,
  type AgreementRow,
  type IdemRow,
  type OrderRow,
  type RefundRow,
} from './rows';
import { checkAgreementCharge, checkRefundable, notificationAnswer, statusAfterRefund } from './rules';
import {
  agreementTransitionSql,
  orderColumns,
  orderParams,
  toPostgres,
  valuesFor,
  claimParams,
  leaseUntil,
  type Params,
} from './statements';
import {
  FINAL_AGREEMENT_STATUSES,
  type ClaimArgs,
  type CreateRefundResult,
  type IdempotencyClaim,
  type InsertOrderResult,
  type NewOrder,
  type NewRefund,
  type NotificationRecord,
  type RecordNotificationResult,
  type Store,
  type TransitionResult,
} from '../payments/store';

export interface PostgresStoreOptions {
  connectionString: string;
  now?: () => Date;
  max?: number;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const now = options.now ?? (() => new Date());
  const max = options.max ?? 10;
  const pool = new pg.Pool({ connectionString: options.connectionString, max });
  pool.on('error', () => undefined); // an idle client's error must not crash the process; the next query reports it
  await migratePostgres(pool);

  const queries = postgresQueries(pool, now);
  const { tx, q, one, mustAgreement, maybe, lockOrder, getOrderIn, insertRefundRow, markPaidIn, claimIdem, sumCharges } = queries;
  // Plain orders of one event-loop turn go as one INSERT (postgres-batch.ts); a few batches at once,
  // leaving most of the pool to everything else.
  const orders = createBatchQueue<NewOrder>({
    runBatch: (batch) => q(pool, 'insertOrders', orderColumns(batch)),
    runOne: (order) => q(pool, 'insertOrder', orderParams(order)),
    maxInFlight: Math.max(1, Math.min(4, max - 1)),
  });

  return {
    kind: 'postgres',
    async ping() {
      await pool.query('SELECT 1');
    },
    // A plain order joins the turn's group insert; a claimed one is one statement of its own (the claim
    // and the order, autocommit). The answer is the record as written (every column is a value just
    // sent or its default), not a RETURNING * of the row with its 1.2 KB payment sent back and parsed again.
    async insertOrder(order: NewOrder, claim?: IdempotencyClaim, response?: { status: number; body: string }): Promise<InsertOrderResult> {
      if (!claim) {
        await orders.enqueue(order);
        return { inserted: true, order: toNewOrderRecord(order) };
      }
      const inserted = await one<{ id: string }>(pool, 'insertOrderClaimed', {
        ...orderParams(order),
        ...claim,
        responseStatus: response?.status ?? null,
        responseBody: response?.body ?? null,
      });
      if (inserted) return { inserted: true, order: toNewOrderRecord(order) };
      return { inserted: false, existing: toIdem((await one<IdemRow>(pool, 'findIdem', claim))!) };
    },
    findIdempotency: (scope, key) => maybe(pool, 'findIdem', { scope, key }, toIdem),
    async attachPayment(orderId: string, payment: PaymentAction, response?: { scope: string; key: string; status: number; body: string }) {
      await q(pool, response ? 'attachPaymentAnswer' : 'attachPayment', { ...response, payment: JSON.stringify(payment), orderId });
    },
    getOrder: (id) => maybe(pool, 'getOrder', { id }, toOrder),
    getPaymentFactsByMerchantTransId: (merchantTransId) => maybe(pool, 'getPaymentFactsByTransId', { merchantTransId }, toPaymentFacts),
    markPaid: (orderId, evidence, reason) => tx((db) => markPaidIn(db, orderId, evidence, reason)),
    closeUnpaid: (orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): Promise<TransitionResult> =>
      tx(async (db) => {
        const at = now().toISOString();
        const before = await lockOrder(db, orderId);
        if (!canTransition(before.status, to)) return { transitioned: false, order: before };
        const { rowCount } = await q(db, 'closeUnpaid', { to, at, orderId });
        if (rowCount !== 1) return { transitioned: false, order: await getOrderIn(db, orderId) };
        await q(db, 'insertTransition', { orderId, from: before.status, to, reason, at });
        return { transitioned: true, order: afterUpdate(before, { status: to, updatedAt: at }) };
      }),
    recordNotification: (n: NotificationRecord, evidence: PaymentEvidence): Promise<RecordNotificationResult> =>
      tx(async (db) => {
        const at = now().toISOString();
        const { rowCount } = await q(db, 'insertNotification', { ...n, at });
        const fresh = rowCount === 1;
        if (!fresh) await q(db, 'bumpNotification', n);
        const before = await queries.lockPaymentFacts(db, n.orderId);
        if (!fresh || n.outcome !== 'PAID') return notificationAnswer(fresh, before);
        const applied = await queries.applyPayment(db, before, evidence, `notification ${n.identity}`, at);
        // An update that found the order moved (never, under the row lock) answers the status it finds.
        return notificationAnswer(fresh, applied.kind === 'raced' ? await queries.lockPaymentFacts(db, n.orderId) : before, applied);
      }),
    async insertAgreement(agreement) {
      await q(pool, 'insertAgreement', agreement);
      return mustAgreement(pool, 'getAgreement', agreement.id);
    },
    getAgreement: (id) => maybe(pool, 'getAgreement', { id }, toAgreement),
    getAgreementByMerchantAgreementId: (merchantAgreementId) => maybe(pool, 'getAgreementByMid', { merchantAgreementId }, toAgreement),
    async listAgreements(buyerId, limit) {
      return (await q<AgreementRow>(pool, 'listAgreements', { buyerId, limit })).rows.map(toAgreement);
    },
    async claimAgreementReturn(id, args) {
      return (await q(pool, 'claimReturn', { id, now: args.now.toISOString(), until: leaseUntil(args) })).rowCount === 1;
    },
    async releaseAgreementReturn(id) {
      await q(pool, 'releaseReturn', { id });
    },
    transitionAgreement: (id, from, to, args) =>
      tx(async (db) => {
        const before = await mustAgreement(db, 'lockAgreement', id);
        if (!from.includes(before.status)) return { transitioned: false, agreement: before };
        const final = FINAL_AGREEMENT_STATUSES.includes(to);
        const patch = agreementTransitionPatch(to, args, final);
        const { text, names } = toPostgres(agreementTransitionSql(patch, Boolean(args.tokens) || final));
        const params: Params = { ...patch, __id: id, __from: before.status };
        const { rowCount } = await db.query(text, valuesFor(names, params));
        return { transitioned: rowCount === 1, agreement: await mustAgreement(db, 'getAgreement', id) };
      }),
    async replaceAgreementTokens(id, expectedVersion, tokens, at) {
      const { rowCount } = await q(pool, 'replaceTokens', { ...tokens, id, expectedVersion, at });
      return { replaced: rowCount === 1, agreement: await mustAgreement(pool, 'getAgreement', id) };
    },
    async recordAgreementCheck(id, at) {
      await q(pool, 'recordAgreementCheck', { id, at });
    },
    insertAgreementCharge: (order, args, claim) =>
      tx(async (db): Promise<InsertOrderResult> => {
        if (claim) {
          const existing = await claimIdem(db, claim, order.id);
          if (existing) return { inserted: false, existing: toIdem(existing) };
        }
        // The agreement's row lock serialises charges of one agreement, so the cap holds across instances.
        const row = await one<AgreementRow>(db, 'lockAgreement', { id: args.agreementId });
        checkAgreementCharge(row ? toAgreement(row) : null, args, await sumCharges(db, args), order.amount);
        await q(db, 'insertCharge', { ...order, items: JSON.stringify(order.items), agreementId: args.agreementId });
        return { inserted: true, order: await getOrderIn(db, order.id) };
      }),
    sumAgreementCharges: (agreementId, dayStart, dayEnd) => sumCharges(pool, { agreementId, dayStart, dayEnd }),
    audit: () =>
      tx(async (db) => {
        await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const rows: Record<string, unknown[]> = {};
        for (const [part, sql] of Object.entries(AUDIT_QUERIES)) rows[part] = (await db.query(sql)).rows;
        return toAudit(rows as AuditRows);
      }),
    async oldestPendingOrderAt() {
      return (await one<{ at: string | null }>(pool, 'oldestPending', {}))?.at ?? null;
    },
    async countTransitions(orderId, to) {
      return (await one<{ n: number }>(pool, 'countTransitions', { orderId, to }))!.n;
    },
    async listOrders(filter) {
      const list = filter.status ? (filter.buyerId ? 'listByStatusAndBuyer' : 'listByStatus') : filter.buyerId ? 'listByBuyer' : 'listAll';
      return (await q<OrderRow>(pool, list, filter)).rows.map(toOrder);
    },
    async claimDueOrders(args: ClaimArgs) {
      const { rows } = await q<OrderRow>(pool, 'claimOrders', claimParams(args));
      return rows.map(toOrder).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async scheduleNextCheck(orderId, args) {
      await q(pool, 'scheduleCheck', { ...args, id: orderId });
    },
    async getCheckState(orderId) {
      const row = await one<{ last_checked_at: string | null; check_attempts: number; next_check_at: string | null }>(pool, 'checkState', {
        orderId,
      });
      return { lastCheckedAt: row?.last_checked_at ?? null, attempts: row?.check_attempts ?? 0, nextCheckAt: row?.next_check_at ?? null };
    },
    createRefund: (refund: NewRefund, claim?: IdempotencyClaim): Promise<CreateRefundResult> =>
      tx(async (db) => {
        if (claim) {
          const existing = await claimIdem(db, claim, refund.orderId);
          if (existing) return { created: false, existing: toIdem(existing) };
        }
        const order = await lockOrder(db, refund.orderId);
        checkRefundable(order, Number((await one<{ n: number }>(db, 'refundedOrReserved', { orderId: order.id }))!.n), refund.amount);
        const created = await insertRefundRow(db, { ...refund, currency: order.currency });
        // The key points at its refund from the same commit, so a retry after a crash finds it.
        if (claim)
          await q(db, 'completeIdem', { status: 0, body: JSON.stringify({ refundId: created.id }), scope: claim.scope, key: claim.key });
        return { created: true, refund: created, order };
      }),
    completeRefund: (refundId, result) =>
      tx(async (db) => {
        const at = now().toISOString();
        const before = toRefund((await one<RefundRow>(db, 'getRefund', { id: refundId }))!);
        const order = await lockOrder(db, before.orderId);
        const { rowCount } = await q(db, 'finishRefund', {
          id: refundId,
          status: result.status,
          gatewayRefundId: result.status === 'SUCCEEDED' ? result.gatewayRefundId : null,
          code: result.status === 'FAILED' ? result.code : null,
          now: at,
        });
        if (rowCount === 1 && result.status === 'SUCCEEDED') {
          const status = statusAfterRefund(order, before.amount);
          await q(db, 'addRefunded', { amount: before.amount, status, at, orderId: order.id });
          if (status !== order.status)
            await q(db, 'insertTransition', {
              orderId: order.id,
              from: order.status,
              to: status,
              reason: `refund ${before.merchantRefundId}`,
              at,
            });
        }
        return {
          refund: toRefund((await one<RefundRow>(db, 'getRefund', { id: refundId }))!),
          order: await getOrderIn(db, before.orderId),
        };
      }),
    async deferRefund(refundId, args) {
      await q(pool, 'deferRefund', { ...args, id: refundId, now: now().toISOString() });
    },
    async claimDueRefunds(args: ClaimArgs) {
      const { rows } = await q<RefundRow>(pool, 'claimRefunds', claimParams(args));
      return rows.map(toRefund);
    },
    getRefund: (id) => maybe(pool, 'getRefund', { id }, toRefund),
    async listRefunds(orderId) {
      return (await q<RefundRow>(pool, 'listRefunds', { orderId })).rows.map(toRefund);
    },
    async completeIdempotency(scope, key, status, body) {
      await q(pool, 'completeIdem', { status, body, scope, key });
    },
    async close() {
      await orders.drain();
      await pool.end();
    },
  };
}
