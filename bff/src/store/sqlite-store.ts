/**
 * The SQLite store (the default). WAL with synchronous=FULL: a commit is on disk before we answer,
 * which is what lets a notification be acknowledged after the commit. better-sqlite3 is synchronous,
 * so transactions in one process never interleave; across processes, BEGIN IMMEDIATE and a busy
 * timeout serialise writers.
 */
import Database from 'better-sqlite3';
import { createCommitQueue } from './commit-queue';
import { prepareSqliteFile } from './file-modes';
import { migrateSqlite } from './migrate';
import {
  AUDIT_QUERIES,
  toAgreement,
  toAudit,
  toIdem,
  toOrder,
  toPaymentFacts,
  toRefund,
  type AgreementRow,
  type AuditRows,
  type OrderRow,
  type RefundRow,
} from './rows';
import { POSTGRES_ONLY, SQLITE_DIALECT, statements, toSqlite, claimParams, leaseUntil, type StatementName } from './statements';
import { maybe, sqliteTransactions, type SqliteStatements } from './sqlite-transactions';
import type { ClaimArgs, Store } from '../payments/store';

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
  ) as SqliteStatements;

  const tx = sqliteTransactions(db, stmt, now);

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
      return write.enqueue(() => tx.insertOrder(order, claim, response));
    },
    findIdempotency: async (scope, key) => maybe(stmt.findIdem, { scope, key }, toIdem),
    async attachPayment(orderId, payment, response) {
      await write.enqueue(() => tx.attachPayment(orderId, payment, response));
    },
    getOrder: async (id) => maybe(stmt.getOrder, { id }, toOrder),
    getPaymentFactsByMerchantTransId: async (merchantTransId) => maybe(stmt.getPaymentFactsByTransId, { merchantTransId }, toPaymentFacts),
    async markPaid(orderId, evidence, reason) {
      return write.enqueue(() => tx.markPaid(orderId, evidence, reason));
    },
    async closeUnpaid(orderId, to, reason) {
      return write.enqueue(() => tx.closeUnpaid(orderId, to, reason));
    },
    async recordNotification(notification, evidence) {
      return write.enqueue(() => tx.recordNotification(notification, evidence));
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
      return ((await write.enqueue(() => stmt.claimOrders.all(claimParams(args)))) as OrderRow[])
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
      return write.enqueue(() => tx.createRefund(refund, claim));
    },
    async completeRefund(refundId, result) {
      return write.enqueue(() => tx.completeRefund(refundId, result));
    },
    async deferRefund(refundId, args) {
      await write.enqueue(() => stmt.deferRefund.run({ ...args, id: refundId, now: now().toISOString() }));
    },
    async claimDueRefunds(args: ClaimArgs) {
      return ((await write.enqueue(() => stmt.claimRefunds.all(claimParams(args)))) as RefundRow[]).map(toRefund);
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
        return tx.mustGetAgreement(agreement.id);
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
      return write.enqueue(() => tx.transitionAgreement(id, from, to, args));
    },
    async replaceAgreementTokens(id, expectedVersion, tokens, at) {
      return write.enqueue(() => {
        const replaced = stmt.replaceTokens.run({ id, expectedVersion, at, ...tokens }).changes === 1;
        return { replaced, agreement: tx.mustGetAgreement(id) };
      });
    },
    async recordAgreementCheck(id, at) {
      await write.enqueue(() => stmt.recordAgreementCheck.run({ at, id }));
    },
    async insertAgreementCharge(order, args, claim) {
      return write.enqueue(() => tx.insertAgreementCharge(order, args, claim));
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
