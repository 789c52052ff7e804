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
import { MIGRATIONS } from './migrations';
import { AUDIT_QUERIES, UNCHARGED_STATUSES, agreementTransitionPatch, toAgreement, toIdem, toNewOrderRecord, toOrder, toRefund, type AgreementRow, type IdemRow, type OrderRow, type RefundRow } from './rows';
import { checkAgreementCharge, checkRefundable, decideMarkPaid, statusAfterRefund } from './rules';
import {
  FINAL_AGREEMENT_STATUSES,
  type AgreementChargeArgs,
  type AgreementRecord,
  type ClaimArgs,
  type CreateRefundResult,
  type MarkPaidResult,
  type NewRefund,
  type RefundRecord,
} from './store';
import type {
  IdempotencyClaim,
  InsertOrderResult,
  NewOrder,
  NotificationRecord,
  OrderRecord,
  RecordNotificationResult,
  Store,
  TransitionResult,
} from './store';

export interface SqliteStoreOptions {
  file: string;
  now?: () => Date;
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const now = options.now ?? (() => new Date());
  if (options.file !== ':memory:') prepareSqliteFile(options.file);
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache keeps the upper levels of the indexes in memory as the store grows
  // (SQLite's default is 2 MiB; a million orders is a 2 GiB file).
  db.pragma('cache_size = -65536');
  migrate(db);

  const stmt = {
    insertOrder: db.prepare(`INSERT INTO orders (id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, payment, created_at, updated_at, expires_at, next_check_at)
      VALUES (@id, @merchantTransId, @channel, @buyerId, @status, @currency, @amount, @items, @payment, @createdAt, @createdAt, @expiresAt, @nextCheckAt)`),
    getOrder: db.prepare('SELECT * FROM orders WHERE id = ?'),
    getOrderByTransId: db.prepare('SELECT * FROM orders WHERE merchant_trans_id = ?'),
    findIdem: db.prepare('SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?'),
    claimIdem: db.prepare(`INSERT INTO idempotency_keys (scope, key, request_hash, order_id, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope, key) DO NOTHING`),
    completeIdem: db.prepare('UPDATE idempotency_keys SET response_status = ?, response_body = ? WHERE scope = ? AND key = ?'),
    attachPayment: db.prepare('UPDATE orders SET payment = ? WHERE id = ?'),
    markPaid: db.prepare(`UPDATE orders SET status = 'SUCCEEDED', paid_at = ?, gateway_transaction_id = ?, updated_at = ?
      WHERE id = ? AND status = 'PENDING'`),
    closeUnpaid: db.prepare(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'`),
    insertEvidence: db.prepare(`INSERT INTO payment_evidence (order_id, source, merchant_id, merchant_trans_id, gateway_transaction_id, amount, currency, paid_at, raw, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertTransition: db.prepare('INSERT INTO order_transitions (order_id, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?)'),
    insertNotification: db.prepare(`INSERT INTO notifications (channel, identity, order_id, outcome, raw, received_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (channel, identity) DO NOTHING`),
    bumpNotification: db.prepare('UPDATE notifications SET deliveries = deliveries + 1 WHERE channel = ? AND identity = ?'),
    countTransitions: db.prepare('SELECT COUNT(*) AS n FROM order_transitions WHERE order_id = ? AND to_status = ?'),
    setGatewayTxn: db.prepare('UPDATE orders SET gateway_transaction_id = COALESCE(gateway_transaction_id, ?), updated_at = ? WHERE id = ?'),
    listByStatus: db.prepare('SELECT * FROM orders WHERE status = ? ORDER BY created_at DESC LIMIT ?'),
    listByBuyer: db.prepare('SELECT * FROM orders WHERE buyer_id = ? ORDER BY created_at DESC LIMIT ?'),
    listAll: db.prepare('SELECT * FROM orders ORDER BY created_at DESC LIMIT ?'),
    oldestPending: db.prepare("SELECT MIN(created_at) AS at FROM orders WHERE status = 'PENDING'"),
    claimOrders: db.prepare(`UPDATE orders SET claim_owner = @owner, claim_until = @until
      WHERE id IN (SELECT id FROM orders WHERE status = 'PENDING' AND (next_check_at IS NULL OR next_check_at <= @now)
        AND (claim_until IS NULL OR claim_until < @now) ORDER BY created_at LIMIT @limit)
      RETURNING *`),
    scheduleCheck: db.prepare(`UPDATE orders SET next_check_at = @nextCheckAt, check_attempts = @attempts,
      last_checked_at = COALESCE(@checkedAt, last_checked_at),
      claim_owner = CASE WHEN claim_owner = @owner THEN NULL ELSE claim_owner END,
      claim_until = CASE WHEN claim_owner = @owner THEN NULL ELSE claim_until END
      WHERE id = @id`),
    checkState: db.prepare('SELECT last_checked_at, check_attempts, next_check_at FROM orders WHERE id = ?'),
    insertRefund: db.prepare(`INSERT INTO refunds (id, order_id, merchant_refund_id, amount, currency, reason, source, status, next_attempt_at, created_at, updated_at)
      VALUES (@id, @orderId, @merchantRefundId, @amount, @currency, @reason, @source, 'PENDING', @now, @now, @now)
      ON CONFLICT (merchant_refund_id) DO NOTHING`),
    refundedOrReserved: db.prepare(`SELECT COALESCE(SUM(amount), 0) AS n FROM refunds WHERE order_id = ? AND status <> 'FAILED'`),
    getRefund: db.prepare('SELECT * FROM refunds WHERE id = ?'),
    listRefunds: db.prepare('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at'),
    finishRefund: db.prepare(`UPDATE refunds SET status = @status, gateway_refund_id = @gatewayRefundId, failure_code = @code,
      attempts = attempts + 1, next_attempt_at = NULL, claim_owner = NULL, claim_until = NULL, updated_at = @now WHERE id = @id AND status = 'PENDING'`),
    addRefunded: db.prepare('UPDATE orders SET refunded_amount = refunded_amount + ?, status = ?, updated_at = ? WHERE id = ?'),
    deferRefund: db.prepare(`UPDATE refunds SET next_attempt_at = @nextAttemptAt, attempts = @attempts, updated_at = @now,
      claim_owner = CASE WHEN claim_owner = @owner THEN NULL ELSE claim_owner END,
      claim_until = CASE WHEN claim_owner = @owner THEN NULL ELSE claim_until END
      WHERE id = @id AND status = 'PENDING'`),
    claimRefunds: db.prepare(`UPDATE refunds SET claim_owner = @owner, claim_until = @until
      WHERE id IN (SELECT id FROM refunds WHERE status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
        AND (claim_until IS NULL OR claim_until < @now) ORDER BY created_at LIMIT @limit)
      RETURNING *`),
    insertAgreement: db.prepare(`INSERT INTO agreements (id, merchant_agreement_id, buyer_id, state_hash, status, created_at, updated_at)
      VALUES (@id, @merchantAgreementId, @buyerId, @stateHash, 'PENDING', @createdAt, @createdAt)`),
    getAgreement: db.prepare('SELECT * FROM agreements WHERE id = ?'),
    getAgreementByMid: db.prepare('SELECT * FROM agreements WHERE merchant_agreement_id = ?'),
    listAgreements: db.prepare('SELECT * FROM agreements WHERE buyer_id = ? ORDER BY created_at DESC, id LIMIT ?'),
    claimReturn: db.prepare(`UPDATE agreements SET return_claimed_until = @until
      WHERE id = @id AND status = 'PENDING' AND (return_claimed_until IS NULL OR return_claimed_until < @now)`),
    releaseReturn: db.prepare('UPDATE agreements SET return_claimed_until = NULL WHERE id = ?'),
    replaceTokens: db.prepare(`UPDATE agreements SET access_token_enc = @accessTokenEnc, refresh_token_enc = @refreshTokenEnc,
      access_token_expires_at = @accessTokenExpiresAt, refresh_token_expires_at = @refreshTokenExpiresAt,
      token_version = token_version + 1, updated_at = @at
      WHERE id = @id AND status = 'ACTIVE' AND token_version = @expectedVersion`),
    recordAgreementCheck: db.prepare('UPDATE agreements SET status_checked_at = ? WHERE id = ?'),
    sumCharges: db.prepare(`SELECT COALESCE(SUM(amount), 0) AS n FROM orders
      WHERE agreement_id = ? AND created_at >= ? AND created_at < ? AND status NOT IN (${UNCHARGED_STATUSES.map((st) => `'${st}'`).join(', ')})`),
    insertCharge: db.prepare(`INSERT INTO orders (id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, created_at, updated_at, expires_at, next_check_at, agreement_id)
      VALUES (@id, @merchantTransId, @channel, @buyerId, @status, @currency, @amount, @items, @createdAt, @createdAt, @expiresAt, @nextCheckAt, @agreementId)`),
  };

  function mustGet(id: string): OrderRecord {
    const row = stmt.getOrder.get(id) as OrderRow | undefined;
    if (!row) throw new Error(`order ${id} vanished`);
    return toOrder(row);
  }

  function markPaidInTx(orderId: string, evidence: PaymentEvidence, reason: string): MarkPaidResult {
    const at = now().toISOString();
    const before = mustGet(orderId);
    stmt.insertEvidence.run(orderId, evidence.source, evidence.merchantId, evidence.merchantTransId, evidence.gatewayTransactionId,
      evidence.amount, evidence.currency, evidence.paidAt, evidence.raw, at);
    const decision = decideMarkPaid(before);
    if (decision.kind === 'late-payment') {
      stmt.setGatewayTxn.run(evidence.gatewayTransactionId, at, orderId);
      return { transitioned: false, order: mustGet(orderId), latePaymentRefund: insertRefundRow(decision.refund) };
    }
    if (decision.kind === 'no-op') return { transitioned: false, order: before, latePaymentRefund: null };
    const changed = stmt.markPaid.run(evidence.paidAt ?? at, evidence.gatewayTransactionId, at, orderId).changes === 1;
    if (changed) stmt.insertTransition.run(orderId, before.status, 'SUCCEEDED', reason, at);
    return { transitioned: changed, order: mustGet(orderId), latePaymentRefund: null };
  }

  function insertRefundRow(refund: NewRefund & { currency: string }): RefundRecord {
    stmt.insertRefund.run({ ...refund, now: now().toISOString() });
    return toRefund(db.prepare('SELECT * FROM refunds WHERE merchant_refund_id = ?').get(refund.merchantRefundId) as RefundRow);
  }

  const txCreateRefund = db.transaction((refund: NewRefund, claim?: IdempotencyClaim): CreateRefundResult => {
    if (claim) {
      const claimed = stmt.claimIdem.run(claim.scope, claim.key, claim.requestHash, refund.orderId, now().toISOString()).changes === 1;
      if (!claimed) return { created: false, existing: toIdem(stmt.findIdem.get(claim.scope, claim.key) as IdemRow) };
    }
    const order = mustGet(refund.orderId);
    checkRefundable(order, Number((stmt.refundedOrReserved.get(order.id) as { n: number }).n), refund.amount);
    const created = insertRefundRow({ ...refund, currency: order.currency });
    // The key points at its refund from the same commit, so a retry after a crash finds it.
    if (claim) stmt.completeIdem.run(0, JSON.stringify({ refundId: created.id }), claim.scope, claim.key);
    return { created: true, refund: created, order };
  });

  const txCompleteRefund = db.transaction((refundId: string, result: { status: 'SUCCEEDED'; gatewayRefundId: string | null } | { status: 'FAILED'; code: string }) => {
    const at = now().toISOString();
    const before = toRefund(stmt.getRefund.get(refundId) as RefundRow);
    const changed = stmt.finishRefund.run({
      id: refundId,
      status: result.status,
      gatewayRefundId: result.status === 'SUCCEEDED' ? result.gatewayRefundId : null,
      code: result.status === 'FAILED' ? result.code : null,
      now: at,
    }).changes === 1;
    if (changed && result.status === 'SUCCEEDED') {
      const order = mustGet(before.orderId);
      const status = statusAfterRefund(order, before.amount);
      stmt.addRefunded.run(before.amount, status, at, order.id);
      if (status !== order.status) stmt.insertTransition.run(order.id, order.status, status, `refund ${before.merchantRefundId}`, at);
    }
    return { refund: toRefund(stmt.getRefund.get(refundId) as RefundRow), order: mustGet(before.orderId) };
  });

  // IMMEDIATE takes the write lock at BEGIN, so a read-then-write cannot race another process.
  const txMarkPaid = db.transaction(markPaidInTx);
  const txInsertOrder = db.transaction((order: NewOrder, claim?: IdempotencyClaim, response?: { status: number; body: string }): InsertOrderResult => {
    if (claim) {
      const claimed = stmt.claimIdem.run(claim.scope, claim.key, claim.requestHash, order.id, order.createdAt).changes === 1;
      if (!claimed) return { inserted: false, existing: toIdem(stmt.findIdem.get(claim.scope, claim.key) as IdemRow) };
      if (response) stmt.completeIdem.run(response.status, response.body, claim.scope, claim.key);
    }
    const { payment, ...row } = order;
    stmt.insertOrder.run({ ...row, items: JSON.stringify(order.items), payment: payment ? JSON.stringify(payment) : null });
    // What a read would give back, without the read (every column is the value just written or its default).
    return { inserted: true, order: toNewOrderRecord(order) };
  });
  const txAttach = db.transaction((orderId: string, payment: PaymentAction, response?: { scope: string; key: string; status: number; body: string }) => {
    stmt.attachPayment.run(JSON.stringify(payment), orderId);
    if (response) stmt.completeIdem.run(response.status, response.body, response.scope, response.key);
  });
  const txClose = db.transaction((orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): TransitionResult => {
    const at = now().toISOString();
    const before = mustGet(orderId);
    if (!canTransition(before.status, to)) return { transitioned: false, order: before };
    const changed = stmt.closeUnpaid.run(to, at, orderId).changes === 1;
    if (changed) stmt.insertTransition.run(orderId, before.status, to, reason, at);
    return { transitioned: changed, order: mustGet(orderId) };
  });
  const txNotification = db.transaction((n: NotificationRecord, evidence: PaymentEvidence): RecordNotificationResult => {
    const fresh = stmt.insertNotification.run(n.channel, n.identity, n.orderId, n.outcome, n.raw, now().toISOString()).changes === 1;
    if (!fresh) {
      stmt.bumpNotification.run(n.channel, n.identity);
      return { duplicate: true, transitioned: false, order: mustGet(n.orderId), latePaymentRefund: null };
    }
    if (n.outcome !== 'PAID') return { duplicate: false, transitioned: false, order: mustGet(n.orderId), latePaymentRefund: null };
    return { duplicate: false, ...markPaidInTx(n.orderId, evidence, `notification ${n.identity}`) };
  });

  function mustGetAgreement(id: string): AgreementRecord {
    const row = stmt.getAgreement.get(id) as AgreementRow | undefined;
    if (!row) throw new Error(`agreement ${id} vanished`);
    return toAgreement(row);
  }

  const txTransitionAgreement = db.transaction(
    (id: string, from: readonly string[], to: AgreementRecord['status'], args: Parameters<Store['transitionAgreement']>[3]) => {
      const before = mustGetAgreement(id);
      if (!from.includes(before.status)) return { transitioned: false, agreement: before };
      const final = FINAL_AGREEMENT_STATUSES.includes(to);
      const patch = agreementTransitionPatch(to, args, final);
      const sets = Object.keys(patch).map((column) => `${column} = @${column}`);
      if (args.tokens || final) sets.push('token_version = token_version + 1');
      const changed = db.prepare(`UPDATE agreements SET ${sets.join(', ')} WHERE id = @__id AND status = @__from`).run({ ...patch, __id: id, __from: before.status }).changes === 1;
      return { transitioned: changed, agreement: mustGetAgreement(id) };
    },
  );

  const txInsertCharge = db.transaction((order: NewOrder, args: AgreementChargeArgs, claim?: IdempotencyClaim): InsertOrderResult => {
    if (claim) {
      const claimed = stmt.claimIdem.run(claim.scope, claim.key, claim.requestHash, order.id, order.createdAt).changes === 1;
      if (!claimed) return { inserted: false, existing: toIdem(stmt.findIdem.get(claim.scope, claim.key) as IdemRow) };
    }
    const row = stmt.getAgreement.get(args.agreementId) as AgreementRow | undefined;
    checkAgreementCharge(row ? toAgreement(row) : null, args, Number((stmt.sumCharges.get(args.agreementId, args.dayStart, args.dayEnd) as { n: number }).n), order.amount);
    stmt.insertCharge.run({ ...order, items: JSON.stringify(order.items), agreementId: args.agreementId });
    return { inserted: true, order: mustGet(order.id) };
  });

  // Every write goes through one group commit per turn of the event loop (see commit-queue.ts).
  const write = createCommitQueue(db);

  return {
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async insertOrder(order, claim, response) {
      return write.enqueue(() => txInsertOrder.immediate(order, claim, response));
    },
    async findIdempotency(scope, key) {
      const row = stmt.findIdem.get(scope, key) as IdemRow | undefined;
      return row ? toIdem(row) : null;
    },
    async attachPayment(orderId, payment, response) {
      await write.enqueue(() => txAttach.immediate(orderId, payment, response));
    },
    async getOrder(id) {
      const row = stmt.getOrder.get(id) as OrderRow | undefined;
      return row ? toOrder(row) : null;
    },
    async getOrderByMerchantTransId(merchantTransId) {
      const row = stmt.getOrderByTransId.get(merchantTransId) as OrderRow | undefined;
      return row ? toOrder(row) : null;
    },
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
      const rows = filter.status
        ? stmt.listByStatus.all(filter.status, filter.limit)
        : filter.buyerId
          ? stmt.listByBuyer.all(filter.buyerId, filter.limit)
          : stmt.listAll.all(filter.limit);
      return (rows as OrderRow[]).map(toOrder).filter((o) => !filter.buyerId || o.buyerId === filter.buyerId);
    },
    async claimDueOrders(args: ClaimArgs) {
      const run = db.transaction(() =>
        stmt.claimOrders.all({ owner: args.owner, now: args.now.toISOString(), until: new Date(args.now.getTime() + args.leaseMs).toISOString(), limit: args.limit }),
      );
      return ((await write.enqueue(() => run.immediate())) as OrderRow[]).map(toOrder).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async scheduleNextCheck(orderId, args) {
      await write.enqueue(() => stmt.scheduleCheck.run({ id: orderId, owner: args.owner, checkedAt: args.checkedAt, nextCheckAt: args.nextCheckAt, attempts: args.attempts }));
    },
    async getCheckState(orderId) {
      const row = stmt.checkState.get(orderId) as { last_checked_at: string | null; check_attempts: number; next_check_at: string | null } | undefined;
      return { lastCheckedAt: row?.last_checked_at ?? null, attempts: row?.check_attempts ?? 0, nextCheckAt: row?.next_check_at ?? null };
    },
    async createRefund(refund, claim) {
      return write.enqueue(() => txCreateRefund.immediate(refund, claim));
    },
    async completeRefund(refundId, result) {
      return write.enqueue(() => txCompleteRefund.immediate(refundId, result));
    },
    async deferRefund(refundId, args) {
      await write.enqueue(() => stmt.deferRefund.run({ id: refundId, owner: args.owner, nextAttemptAt: args.nextAttemptAt, attempts: args.attempts, now: now().toISOString() }));
    },
    async claimDueRefunds(args: ClaimArgs) {
      const run = db.transaction(() =>
        stmt.claimRefunds.all({ owner: args.owner, now: args.now.toISOString(), until: new Date(args.now.getTime() + args.leaseMs).toISOString(), limit: args.limit }),
      );
      return ((await write.enqueue(() => run.immediate())) as RefundRow[]).map(toRefund);
    },
    async getRefund(id) {
      const row = stmt.getRefund.get(id) as RefundRow | undefined;
      return row ? toRefund(row) : null;
    },
    async listRefunds(orderId) {
      return (stmt.listRefunds.all(orderId) as RefundRow[]).map(toRefund);
    },
    async completeIdempotency(scope, key, status, body) {
      await write.enqueue(() => stmt.completeIdem.run(status, body, scope, key));
    },
    async insertAgreement(agreement) {
      return write.enqueue(() => {
        stmt.insertAgreement.run(agreement);
        return mustGetAgreement(agreement.id);
      });
    },
    async getAgreement(id) {
      const row = stmt.getAgreement.get(id) as AgreementRow | undefined;
      return row ? toAgreement(row) : null;
    },
    async getAgreementByMerchantAgreementId(merchantAgreementId) {
      const row = stmt.getAgreementByMid.get(merchantAgreementId) as AgreementRow | undefined;
      return row ? toAgreement(row) : null;
    },
    async listAgreements(buyerId, limit) {
      return (stmt.listAgreements.all(buyerId, limit) as AgreementRow[]).map(toAgreement);
    },
    async claimAgreementReturn(id, args) {
      return write.enqueue(() => stmt.claimReturn.run({ id, now: args.now.toISOString(), until: new Date(args.now.getTime() + args.leaseMs).toISOString() }).changes === 1);
    },
    async releaseAgreementReturn(id) {
      await write.enqueue(() => stmt.releaseReturn.run(id));
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
      await write.enqueue(() => stmt.recordAgreementCheck.run(at, id));
    },
    async insertAgreementCharge(order, args, claim) {
      return write.enqueue(() => txInsertCharge.immediate(order, args, claim));
    },
    async sumAgreementCharges(agreementId, dayStart, dayEnd) {
      return Number((stmt.sumCharges.get(agreementId, dayStart, dayEnd) as { n: number }).n);
    },
    async audit() {
      const all = (sql: string) => db.prepare(sql).all() as any[];
      const read = db.transaction(() => ({
        orders: (all(AUDIT_QUERIES.orders) as OrderRow[]).map(toOrder),
        transitions: all(AUDIT_QUERIES.transitions),
        evidence: all(AUDIT_QUERIES.evidence).map((e) => ({ ...e, amount: Number(e.amount) })),
        notifications: all(AUDIT_QUERIES.notifications),
        refunds: (all(AUDIT_QUERIES.refunds) as RefundRow[]).map(toRefund),
        checks: all(AUDIT_QUERIES.checks),
      }));
      return read();
    },
    async oldestPendingOrderAt() {
      return (stmt.oldestPending.get() as { at: string | null }).at;
    },
    async countTransitions(orderId, to) {
      return Number((stmt.countTransitions.get(orderId, to) as { n: number }).n);
    },
    async close() {
      // Let writes already accepted reach the disk first.
      if (db.open) await write.enqueue(() => undefined).catch(() => undefined);
      if (db.open) db.close();
    },
    writeStats: () => write.stats(),
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const apply = db.transaction((m: (typeof MIGRATIONS)[number]) => {
    const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
    if (done) return;
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
  });
  for (const m of MIGRATIONS) apply.immediate(m);
}
