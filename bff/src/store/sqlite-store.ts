/**
 * The SQLite store (the default). WAL with synchronous=FULL: a commit is on disk before we answer,
 * which is what lets a notification be acknowledged after the commit. better-sqlite3 is synchronous,
 * so transactions in one process never interleave; across processes, BEGIN IMMEDIATE and a busy
 * timeout serialise writers.
 */
import Database from 'better-sqlite3';
import type { PaymentAction } from '@tradepay/shared';
import { canTransition } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';
import { createCommitQueue } from './commit-queue';
import { prepareSqliteFile } from './file-modes';
import { migrateSqlite } from './migrate';
import {
  AUDIT_QUERIES,
  agreementTransitionPatch,
  toAgreement,
  toAudit,
  toIdem,
  toNewOrderRecord,
  toOrder,
  toRefund,
  type AgreementRow,
  type AuditRows,
  type IdemRow,
  type OrderRow,
  type RefundRow,
} from './rows';
import { checkAgreementCharge, checkRefundable, decideMarkPaid, statusAfterRefund } from './rules';
import {
  POSTGRES_ONLY,
  SQLITE_DIALECT,
  agreementTransitionSql,
  statements,
  toSqlite,
  claimParams,
  leaseUntil,
  type StatementName,
} from './statements';
import {
  FINAL_AGREEMENT_STATUSES,
  type AgreementChargeArgs,
  type AgreementRecord,
  type ClaimArgs,
  type CreateRefundResult,
  type IdempotencyClaim,
  type IdempotencyRecord,
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
} from '../payments/store';

export interface SqliteStoreOptions {
  file: string;
  now?: () => Date;
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.now ?? (() => new Date());
  // A write reads the clock when it is called, not when its group commits: the time is the caller's
  // (the writer thread sets its clock from each call, then the commit runs a turn later).
  let pinned: Date | null = null;
  const now = () => pinned ?? clock();
  if (options.file !== ':memory:') prepareSqliteFile(options.file);
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache keeps the upper levels of the indexes in memory as the store grows
  // (SQLite's default is 2 MiB; a million orders is a 2 GiB file).
  db.pragma('cache_size = -65536');
  migrateSqlite(db);

  const sql = statements(SQLITE_DIALECT);
  const stmt = Object.fromEntries(
    Object.entries(sql)
      .filter(([name]) => !POSTGRES_ONLY.has(name as StatementName))
      .map(([name, text]) => [name, db.prepare(toSqlite(text))]),
  ) as Record<StatementName, Database.Statement>;

  const vanished = (what: string): never => {
    throw new Error(`${what} vanished`);
  };
  const mustGet = (id: string): OrderRecord => maybe(stmt.getOrder, { id }, toOrder) ?? vanished(`order ${id}`);
  const mustGetAgreement = (id: string): AgreementRecord => maybe(stmt.getAgreement, { id }, toAgreement) ?? vanished(`agreement ${id}`);

  function maybe<R, T>(statement: Database.Statement, params: object, map: (row: R) => T): T | null {
    const row = statement.get(params) as R | undefined;
    return row ? map(row) : null;
  }

  /** Claims the key; if it was taken, returns who holds it. */
  function claimIdem(claim: IdempotencyClaim, orderId: string, createdAt: string): IdempotencyRecord | null {
    if (stmt.claimIdem.run({ ...claim, orderId, createdAt }).changes === 1) return null;
    return toIdem(stmt.findIdem.get(claim) as IdemRow);
  }

  function markPaidInTx(orderId: string, evidence: PaymentEvidence, reason: string): MarkPaidResult {
    const at = now().toISOString();
    const before = mustGet(orderId);
    stmt.insertEvidence.run({ ...evidence, orderId, at });
    const decision = decideMarkPaid(before);
    if (decision.kind === 'late-payment') {
      stmt.setGatewayTxn.run({ gatewayTransactionId: evidence.gatewayTransactionId, at, orderId });
      return { transitioned: false, order: mustGet(orderId), latePaymentRefund: insertRefundRow(decision.refund) };
    }
    if (decision.kind === 'no-op') return { transitioned: false, order: before, latePaymentRefund: null };
    const changed =
      stmt.markPaid.run({ paidAt: evidence.paidAt ?? at, gatewayTransactionId: evidence.gatewayTransactionId, at, orderId }).changes === 1;
    if (changed) stmt.insertTransition.run({ orderId, from: before.status, to: 'SUCCEEDED', reason, at });
    return { transitioned: changed, order: mustGet(orderId), latePaymentRefund: null };
  }

  function insertRefundRow(refund: NewRefund & { currency: string }): RefundRecord {
    stmt.insertRefund.run({ ...refund, now: now().toISOString() });
    return toRefund(stmt.getRefundByMerchantId.get(refund) as RefundRow);
  }

  const txCreateRefund = db.transaction((refund: NewRefund, claim?: IdempotencyClaim): CreateRefundResult => {
    if (claim) {
      const existing = claimIdem(claim, refund.orderId, now().toISOString());
      if (existing) return { created: false, existing };
    }
    const order = mustGet(refund.orderId);
    checkRefundable(order, Number((stmt.refundedOrReserved.get({ orderId: order.id }) as { n: number }).n), refund.amount);
    const created = insertRefundRow({ ...refund, currency: order.currency });
    // The key points at its refund from the same commit, so a retry after a crash finds it.
    if (claim) stmt.completeIdem.run({ status: 0, body: JSON.stringify({ refundId: created.id }), scope: claim.scope, key: claim.key });
    return { created: true, refund: created, order };
  });

  const txCompleteRefund = db.transaction(
    (refundId: string, result: { status: 'SUCCEEDED'; gatewayRefundId: string | null } | { status: 'FAILED'; code: string }) => {
      const at = now().toISOString();
      const before = toRefund(stmt.getRefund.get({ id: refundId }) as RefundRow);
      const changed =
        stmt.finishRefund.run({
          id: refundId,
          status: result.status,
          gatewayRefundId: result.status === 'SUCCEEDED' ? result.gatewayRefundId : null,
          code: result.status === 'FAILED' ? result.code : null,
          now: at,
        }).changes === 1;
      if (changed && result.status === 'SUCCEEDED') {
        const order = mustGet(before.orderId);
        const status = statusAfterRefund(order, before.amount);
        stmt.addRefunded.run({ amount: before.amount, status, at, orderId: order.id });
        if (status !== order.status)
          stmt.insertTransition.run({ orderId: order.id, from: order.status, to: status, reason: `refund ${before.merchantRefundId}`, at });
      }
      return { refund: toRefund(stmt.getRefund.get({ id: refundId }) as RefundRow), order: mustGet(before.orderId) };
    },
  );

  // IMMEDIATE takes the write lock at BEGIN, so a read-then-write cannot race another process.
  const txMarkPaid = db.transaction(markPaidInTx);
  const txInsertOrder = db.transaction(
    (order: NewOrder, claim?: IdempotencyClaim, response?: { status: number; body: string }): InsertOrderResult => {
      if (claim) {
        const existing = claimIdem(claim, order.id, order.createdAt);
        if (existing) return { inserted: false, existing };
        if (response) stmt.completeIdem.run({ ...response, scope: claim.scope, key: claim.key });
      }
      const { payment, ...row } = order;
      stmt.insertOrder.run({ ...row, items: JSON.stringify(order.items), payment: payment ? JSON.stringify(payment) : null });
      // What a read would give back, without the read (every column is the value just written or its default).
      return { inserted: true, order: toNewOrderRecord(order) };
    },
  );
  const txAttach = db.transaction(
    (orderId: string, payment: PaymentAction, response?: { scope: string; key: string; status: number; body: string }) => {
      stmt.attachPayment.run({ payment: JSON.stringify(payment), orderId });
      if (response) stmt.completeIdem.run(response);
    },
  );
  const txClose = db.transaction((orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): TransitionResult => {
    const at = now().toISOString();
    const before = mustGet(orderId);
    if (!canTransition(before.status, to)) return { transitioned: false, order: before };
    const changed = stmt.closeUnpaid.run({ to, at, orderId }).changes === 1;
    if (changed) stmt.insertTransition.run({ orderId, from: before.status, to, reason, at });
    return { transitioned: changed, order: mustGet(orderId) };
  });
  const txNotification = db.transaction((n: NotificationRecord, evidence: PaymentEvidence): RecordNotificationResult => {
    const fresh = stmt.insertNotification.run({ ...n, at: now().toISOString() }).changes === 1;
    if (!fresh) {
      stmt.bumpNotification.run(n);
      return { duplicate: true, transitioned: false, order: mustGet(n.orderId), latePaymentRefund: null };
    }
    if (n.outcome !== 'PAID') return { duplicate: false, transitioned: false, order: mustGet(n.orderId), latePaymentRefund: null };
    return { duplicate: false, ...markPaidInTx(n.orderId, evidence, `notification ${n.identity}`) };
  });

  const txTransitionAgreement = db.transaction(
    (id: string, from: readonly string[], to: AgreementRecord['status'], args: Parameters<Store['transitionAgreement']>[3]) => {
      const before = mustGetAgreement(id);
      if (!from.includes(before.status)) return { transitioned: false, agreement: before };
      const final = FINAL_AGREEMENT_STATUSES.includes(to);
      const patch = agreementTransitionPatch(to, args, final);
      const update = toSqlite(agreementTransitionSql(patch, Boolean(args.tokens) || final));
      const changed = db.prepare(update).run({ ...patch, __id: id, __from: before.status }).changes === 1;
      return { transitioned: changed, agreement: mustGetAgreement(id) };
    },
  );

  const txInsertCharge = db.transaction((order: NewOrder, args: AgreementChargeArgs, claim?: IdempotencyClaim): InsertOrderResult => {
    if (claim) {
      const existing = claimIdem(claim, order.id, order.createdAt);
      if (existing) return { inserted: false, existing };
    }
    checkAgreementCharge(
      maybe(stmt.getAgreement, { id: args.agreementId }, toAgreement),
      args,
      Number((stmt.sumCharges.get(args) as { n: number }).n),
      order.amount,
    );
    stmt.insertCharge.run({ ...order, items: JSON.stringify(order.items), agreementId: args.agreementId });
    return { inserted: true, order: mustGet(order.id) };
  });

  const claimRows = (statement: Database.Statement, args: ClaimArgs) => db.transaction(() => statement.all(claimParams(args))).immediate();

  // Every write goes through one group commit per turn of the event loop (see commit-queue.ts).
  const queue = createCommitQueue(db);
  const write = {
    enqueue<T>(work: () => T): Promise<T> {
      const at = clock();
      return queue.enqueue(() => {
        pinned = at;
        try {
          return work();
        } finally {
          pinned = null;
        }
      });
    },
    stats: () => queue.stats(),
  };

  return {
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async insertOrder(order, claim, response) {
      return write.enqueue(() => txInsertOrder.immediate(order, claim, response));
    },
    findIdempotency: async (scope, key) => maybe(stmt.findIdem, { scope, key }, toIdem),
    async attachPayment(orderId, payment, response) {
      await write.enqueue(() => txAttach.immediate(orderId, payment, response));
    },
    getOrder: async (id) => maybe(stmt.getOrder, { id }, toOrder),
    getOrderByMerchantTransId: async (merchantTransId) => maybe(stmt.getOrderByTransId, { merchantTransId }, toOrder),
    async markPaid(orderId, evidence, reason) {
      return write.enqueue(() => txMarkPaid.immediate(orderId, evidence, reason));
    },
    async closeUnpaid(orderId, to, reason) {
      return write.enqueue(() => txClose.immediate(orderId, to, reason));
    },
    async recordNotification(notification, evidence) {
      return write.enqueue(() => txNotification.immediate(notification, evidence));
    },
    async listOrders(filter) {
      const list = filter.status
        ? filter.buyerId
          ? stmt.listByStatusAndBuyer
          : stmt.listByStatus
        : filter.buyerId
          ? stmt.listByBuyer
          : stmt.listAll;
      return (list.all({ status: filter.status ?? null, buyerId: filter.buyerId ?? null, limit: filter.limit }) as OrderRow[]).map(toOrder);
    },
    async claimDueOrders(args: ClaimArgs) {
      return ((await write.enqueue(() => claimRows(stmt.claimOrders, args))) as OrderRow[])
        .map(toOrder)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async scheduleNextCheck(orderId, args) {
      await write.enqueue(() => stmt.scheduleCheck.run({ ...args, id: orderId }));
    },
    async getCheckState(orderId) {
      const row = stmt.checkState.get({ orderId }) as
        { last_checked_at: string | null; check_attempts: number; next_check_at: string | null } | undefined;
      return { lastCheckedAt: row?.last_checked_at ?? null, attempts: row?.check_attempts ?? 0, nextCheckAt: row?.next_check_at ?? null };
    },
    async createRefund(refund, claim) {
      return write.enqueue(() => txCreateRefund.immediate(refund, claim));
    },
    async completeRefund(refundId, result) {
      return write.enqueue(() => txCompleteRefund.immediate(refundId, result));
    },
    async deferRefund(refundId, args) {
      await write.enqueue(() => stmt.deferRefund.run({ ...args, id: refundId, now: now().toISOString() }));
    },
    async claimDueRefunds(args: ClaimArgs) {
      return ((await write.enqueue(() => claimRows(stmt.claimRefunds, args))) as RefundRow[]).map(toRefund);
    },
    getRefund: async (id) => maybe(stmt.getRefund, { id }, toRefund),
    async listRefunds(orderId) {
      return (stmt.listRefunds.all({ orderId }) as RefundRow[]).map(toRefund);
    },
    async completeIdempotency(scope, key, status, body) {
      await write.enqueue(() => stmt.completeIdem.run({ status, body, scope, key }));
    },
    async insertAgreement(agreement) {
      return write.enqueue(() => {
        stmt.insertAgreement.run(agreement);
        return mustGetAgreement(agreement.id);
      });
    },
    getAgreement: async (id) => maybe(stmt.getAgreement, { id }, toAgreement),
    getAgreementByMerchantAgreementId: async (merchantAgreementId) => maybe(stmt.getAgreementByMid, { merchantAgreementId }, toAgreement),
    async listAgreements(buyerId, limit) {
      return (stmt.listAgreements.all({ buyerId, limit }) as AgreementRow[]).map(toAgreement);
    },
    async claimAgreementReturn(id, args) {
      return write.enqueue(() => stmt.claimReturn.run({ id, now: args.now.toISOString(), until: leaseUntil(args) }).changes === 1);
    },
    async releaseAgreementReturn(id) {
      await write.enqueue(() => stmt.releaseReturn.run({ id }));
    },
    async transitionAgreement(id, from, to, args) {
      return write.enqueue(() => txTransitionAgreement.immediate(id, from, to, args));
    },
    async replaceAgreementTokens(id, expectedVersion, tokens, at) {
      return write.enqueue(() => {
        const replaced = stmt.replaceTokens.run({ id, expectedVersion, at, ...tokens }).changes === 1;
        return { replaced, agreement: mustGetAgreement(id) };
      });
    },
    async recordAgreementCheck(id, at) {
      await write.enqueue(() => stmt.recordAgreementCheck.run({ at, id }));
    },
    async insertAgreementCharge(order, args, claim) {
      return write.enqueue(() => txInsertCharge.immediate(order, args, claim));
    },
    async sumAgreementCharges(agreementId, dayStart, dayEnd) {
      return Number((stmt.sumCharges.get({ agreementId, dayStart, dayEnd }) as { n: number }).n);
    },
    async audit() {
      const read = db.transaction(() =>
        Object.fromEntries(Object.entries(AUDIT_QUERIES).map(([part, sql]) => [part, db.prepare(sql).all()])),
      );
      return toAudit(read() as AuditRows);
    },
    async oldestPendingOrderAt() {
      return (stmt.oldestPending.get() as { at: string | null }).at;
    },
    async countTransitions(orderId, to) {
      return Number((stmt.countTransitions.get({ orderId, to }) as { n: number }).n);
    },
    async close() {
      // Let writes already accepted reach the disk first.
      if (db.open) await write.enqueue(() => undefined).catch(() => undefined);
      if (db.open) db.close();
    },
    writeStats: () => write.stats(),
  };
}
