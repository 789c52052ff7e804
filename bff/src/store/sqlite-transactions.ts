/**
 * The SQLite store's writes: each state change as one function of plain statements, run by
 * sqlite-store.ts inside its group commit (commit-queue.ts supplies the transaction, and undoes a
 * write that throws on its own). The rules they apply are rules.ts's, shared with the PostgreSQL store.
 */
import type Database from 'better-sqlite3';
import type { PaymentAction } from '@tradepay/shared';
import { canTransition } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';
import {
  afterUpdate,
  agreementTransitionPatch,
  toAgreement,
  toIdem,
  toNewOrderRecord,
  toOrder,
  toPaymentFacts,
  toRefund,
  type IdemRow,
  type PaymentFacts,
  type RefundRow,
} from './rows';
import {
  checkAgreementCharge,
  checkRefundable,
  decideMarkPaid,
  notificationAnswer,
  paidColumns,
  statusAfterRefund,
  type AppliedPayment,
} from './rules';
import { agreementTransitionSql, orderParams, toSqlite, type StatementName } from './statements';
import {
  FINAL_AGREEMENT_STATUSES,
  type AgreementChargeArgs,
  type AgreementRecord,
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

export type SqliteStatements = Record<StatementName, Database.Statement>;

/** One row mapped, or null when there is none. */
export function maybe<R, T>(statement: Database.Statement, params: object, map: (row: R) => T): T | null {
  const row = statement.get(params) as R | undefined;
  return row ? map(row) : null;
}

export function sqliteTransactions(db: Database.Database, stmt: SqliteStatements, now: () => Date) {
  const vanished = (what: string): never => {
    throw new Error(`${what} vanished`);
  };
  const mustGet = (id: string): OrderRecord => maybe(stmt.getOrder, { id }, toOrder) ?? vanished(`order ${id}`);
  const mustGetFacts = (id: string): PaymentFacts => maybe(stmt.lockPaymentFacts, { id }, toPaymentFacts) ?? vanished(`order ${id}`);
  const mustGetAgreement = (id: string): AgreementRecord => maybe(stmt.getAgreement, { id }, toAgreement) ?? vanished(`agreement ${id}`);

  /** Claims the key; if it was taken, returns who holds it. */
  function claimIdem(claim: IdempotencyClaim, orderId: string, createdAt: string): IdempotencyRecord | null {
    if (stmt.claimIdem.run({ ...claim, orderId, createdAt }).changes === 1) return null;
    return toIdem(stmt.findIdem.get(claim) as IdemRow);
  }

  /**
   * Stores the evidence and applies what decideMarkPaid decides to the order `before` (read in this
   * transaction): `paid` when it moved to SUCCEEDED (with the columns set), `unchanged` when there
   * was nothing to do, `late` when a refund was recorded, `raced` when the update found it moved.
   */
  function applyPayment(before: PaymentFacts, evidence: PaymentEvidence, reason: string, at: string): AppliedPayment {
    const orderId = before.id;
    stmt.insertEvidence.run({ ...evidence, orderId, at });
    const decision = decideMarkPaid(before);
    if (decision.kind === 'late-payment') {
      stmt.setGatewayTxn.run({ gatewayTransactionId: evidence.gatewayTransactionId, at, orderId });
      return { kind: 'late' as const, refund: insertRefundRow(decision.refund) };
    }
    if (decision.kind === 'no-op') return { kind: 'unchanged' as const };
    const paid = paidColumns(evidence, at);
    if (stmt.markPaid.run({ ...paid, at, orderId }).changes !== 1) return { kind: 'raced' as const };
    stmt.insertTransition.run({ orderId, from: before.status, to: 'SUCCEEDED', reason, at });
    return { kind: 'paid' as const, paid };
  }

  function markPaidInTx(orderId: string, evidence: PaymentEvidence, reason: string): MarkPaidResult {
    const at = now().toISOString();
    const before = mustGet(orderId);
    const applied = applyPayment(before, evidence, reason, at);
    // Paid: what a read would give back, without the read (the row read above, with what the update set).
    if (applied.kind === 'paid') return { transitioned: true, order: afterUpdate(before, applied.paid), latePaymentRefund: null };
    if (applied.kind === 'unchanged') return { transitioned: false, order: before, latePaymentRefund: null };
    return { transitioned: false, order: mustGet(orderId), latePaymentRefund: applied.kind === 'late' ? applied.refund : null };
  }

  function insertRefundRow(refund: NewRefund & { currency: string }): RefundRecord {
    stmt.insertRefund.run({ ...refund, now: now().toISOString() });
    return toRefund(stmt.getRefundByMerchantId.get(refund) as RefundRow);
  }

  const txCreateRefund = (refund: NewRefund, claim?: IdempotencyClaim): CreateRefundResult => {
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
  };

  const txCompleteRefund = (
    refundId: string,
    result: { status: 'SUCCEEDED'; gatewayRefundId: string | null } | { status: 'FAILED'; code: string },
  ) => {
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
  };

  const txInsertOrder = (order: NewOrder, claim?: IdempotencyClaim, response?: { status: number; body: string }): InsertOrderResult => {
    if (claim) {
      const existing = claimIdem(claim, order.id, order.createdAt);
      if (existing) return { inserted: false, existing };
      if (response) stmt.completeIdem.run({ ...response, scope: claim.scope, key: claim.key });
    }
    stmt.insertOrder.run(orderParams(order));
    // What a read would give back, without the read (every column is the value just written or its default).
    return { inserted: true, order: toNewOrderRecord(order) };
  };
  const txAttach = (orderId: string, payment: PaymentAction, response?: { scope: string; key: string; status: number; body: string }) => {
    stmt.attachPayment.run({ payment: JSON.stringify(payment), orderId });
    if (response) stmt.completeIdem.run(response);
  };
  const txClose = (orderId: string, to: 'FAILED' | 'CANCELLED', reason: string): TransitionResult => {
    const at = now().toISOString();
    const before = mustGet(orderId);
    if (!canTransition(before.status, to)) return { transitioned: false, order: before };
    if (stmt.closeUnpaid.run({ to, at, orderId }).changes !== 1) return { transitioned: false, order: mustGet(orderId) };
    stmt.insertTransition.run({ orderId, from: before.status, to, reason, at });
    return { transitioned: true, order: afterUpdate(before, { status: to, updatedAt: at }) };
  };
  const txNotification = (n: NotificationRecord, evidence: PaymentEvidence): RecordNotificationResult => {
    const at = now().toISOString();
    const fresh = stmt.insertNotification.run({ ...n, at }).changes === 1;
    if (!fresh) stmt.bumpNotification.run(n);
    const before = mustGetFacts(n.orderId);
    if (!fresh || n.outcome !== 'PAID') return notificationAnswer(fresh, before);
    const applied = applyPayment(before, evidence, `notification ${n.identity}`, at);
    // An update that found the order moved (never, under the write lock) answers the status it finds.
    return notificationAnswer(fresh, applied.kind === 'raced' ? mustGetFacts(n.orderId) : before, applied);
  };

  const txTransitionAgreement = (
    id: string,
    from: readonly string[],
    to: AgreementRecord['status'],
    args: Parameters<Store['transitionAgreement']>[3],
  ) => {
    const before = mustGetAgreement(id);
    if (!from.includes(before.status)) return { transitioned: false, agreement: before };
    const final = FINAL_AGREEMENT_STATUSES.includes(to);
    const patch = agreementTransitionPatch(to, args, final);
    const update = toSqlite(agreementTransitionSql(patch, Boolean(args.tokens) || final));
    const changed = db.prepare(update).run({ ...patch, __id: id, __from: before.status }).changes === 1;
    return { transitioned: changed, agreement: mustGetAgreement(id) };
  };

  const txInsertCharge = (order: NewOrder, args: AgreementChargeArgs, claim?: IdempotencyClaim): InsertOrderResult => {
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
  };

  // Named after the Store methods that run them.
  return {
    mustGetAgreement,
    createRefund: txCreateRefund,
    completeRefund: txCompleteRefund,
    markPaid: markPaidInTx,
    insertOrder: txInsertOrder,
    attachPayment: txAttach,
    closeUnpaid: txClose,
    recordNotification: txNotification,
    transitionAgreement: txTransitionAgreement,
    insertAgreementCharge: txInsertCharge,
  };
}
