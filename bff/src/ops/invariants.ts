/**
 * The invariants of reliability.md, checked over the store and the gateway's ledger. Every chaos
 * scenario ends here; an operator can run it against a settlement export the same way. Each
 * invariant reports how many items it looked at and every violation it found.
 *
 * I1 at most one transition into SUCCEEDED per order; terminal states never regress
 * I2 every paid order has verified evidence whose merchant, transaction id, amount, currency match
 * I3 ledger ↔ store: no lost payments, no phantom payments
 * I4 refunds ≤ paid per order; at most one gateway effect per merchantTransId and merchantRefundId
 * I5 every acknowledged notification has a durable row
 * I6 no order unfinished past expiry + the reconciler's period without a gateway query
 */
import { isPaidStatus } from '@tradepay/shared';
import type { AuditData } from '../payments/store';

/** The gateway's view, as the sandbox ledger (or a settlement export) gives it. */
export interface GatewayLedger {
  payments: { merchantTransId: string; status: string; orderAmount: { currency: string; value: string } | null; refundedMinor?: number }[];
  refunds: { merchantRefundId: string | null; merchantTransId: string; refundAmount: { value: string } }[];
  notifications: { merchantTransId: string; status: string }[];
}

export interface InvariantResult {
  id: 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';
  checked: number;
  violations: string[];
}

export interface InvariantReport {
  ok: boolean;
  results: InvariantResult[];
  /** Payments the gateway holds as paid that the store does not know as paid (or refunded). */
  lost: number;
  /** Orders paid twice, or refunded twice at the gateway. */
  doubled: number;
}

export interface InvariantOptions {
  /** The merchant id each channel's evidence must name. */
  merchantIds: Record<string, string>;
  reconcilePeriodMs: number;
  now: Date;
  /** Only these merchantTransIds are ours (the ledger may hold other runs' payments). */
  scope?: (merchantTransId: string) => boolean;
}

const PAID_AT_GATEWAY = new Set(['PAID', 'SUCCESS', 'REFUNDED', 'PARTIALLY_REFUNDED']);
const TERMINAL = new Set(['FAILED', 'CANCELLED', 'REFUNDED']);

export function checkInvariants(store: AuditData, ledger: GatewayLedger, options: InvariantOptions): InvariantReport {
  const inScope = options.scope ?? (() => true);
  const orders = store.orders.filter((o) => inScope(o.merchantTransId));
  const byTransId = new Map(orders.map((o) => [o.merchantTransId, o]));
  const byId = new Map(orders.map((o) => [o.id, o]));
  const results: InvariantResult[] = [];
  let doubled = 0;

  // I1
  const i1: InvariantResult = { id: 'I1', checked: orders.length, violations: [] };
  const transitionsByOrder = new Map<string, AuditData['transitions']>();
  for (const t of store.transitions) {
    if (!byId.has(t.orderId)) continue;
    transitionsByOrder.set(t.orderId, [...(transitionsByOrder.get(t.orderId) ?? []), t]);
  }
  for (const [orderId, list] of transitionsByOrder) {
    const intoPaid = list.filter((t) => t.to === 'SUCCEEDED').length;
    if (intoPaid > 1) {
      i1.violations.push(`${orderId}: ${intoPaid} transitions into SUCCEEDED`);
      doubled += 1;
    }
    for (const t of list) {
      if (TERMINAL.has(t.from)) i1.violations.push(`${orderId}: left terminal ${t.from} for ${t.to}`);
      if (isPaidStatus(t.from as never) && !isPaidStatus(t.to as never)) i1.violations.push(`${orderId}: paid order regressed to ${t.to}`);
    }
  }
  results.push(i1);

  // I2
  const paidOrders = orders.filter((o) => isPaidStatus(o.status));
  const i2: InvariantResult = { id: 'I2', checked: paidOrders.length, violations: [] };
  const evidenceByOrder = new Map<string, AuditData['evidence']>();
  for (const e of store.evidence) evidenceByOrder.set(e.orderId, [...(evidenceByOrder.get(e.orderId) ?? []), e]);
  for (const o of paidOrders) {
    const matching = (evidenceByOrder.get(o.id) ?? []).filter(
      (e) =>
        e.merchantTransId === o.merchantTransId &&
        e.amount === o.amount &&
        e.currency === o.currency &&
        e.merchantId === options.merchantIds[o.channel],
    );
    if (matching.length === 0) i2.violations.push(`${o.id}: paid without matching evidence`);
  }
  results.push(i2);

  // I3
  const ledgerPayments = ledger.payments.filter((p) => inScope(p.merchantTransId));
  const paidInLedger = ledgerPayments.filter((p) => PAID_AT_GATEWAY.has(p.status) || (p.refundedMinor ?? 0) > 0);
  const i3: InvariantResult = { id: 'I3', checked: paidInLedger.length + paidOrders.length, violations: [] };
  const lateRefunded = new Set(store.refunds.filter((r) => r.source === 'late-payment').map((r) => r.orderId));
  let lost = 0;
  for (const p of paidInLedger) {
    const o = byTransId.get(p.merchantTransId);
    // A payment the gateway itself refunded on cancel (closed with its refund) is settled, not lost.
    const refundedByGateway =
      p.status !== 'SUCCESS' && p.status !== 'PAID' && p.orderAmount !== null && (p.refundedMinor ?? 0) >= Number(p.orderAmount.value);
    if (!o) {
      i3.violations.push(`${p.merchantTransId}: paid at the gateway, unknown to the store`);
      lost += 1;
    } else if (!isPaidStatus(o.status) && !lateRefunded.has(o.id) && !refundedByGateway) {
      i3.violations.push(`${p.merchantTransId}: paid at the gateway, ${o.status} in the store (lost payment)`);
      lost += 1;
    }
  }
  const ledgerPaidIds = new Set(paidInLedger.map((p) => p.merchantTransId));
  for (const o of paidOrders)
    if (!ledgerPaidIds.has(o.merchantTransId)) i3.violations.push(`${o.id}: paid in the store, not at the gateway (phantom)`);
  results.push(i3);

  // I4
  const i4: InvariantResult = { id: 'I4', checked: orders.length, violations: [] };
  for (const o of orders) {
    const refunded = store.refunds.filter((r) => r.orderId === o.id && r.status === 'SUCCEEDED').reduce((sum, r) => sum + r.amount, 0);
    if (refunded > o.amount) i4.violations.push(`${o.id}: refunded ${refunded} of ${o.amount}`);
  }
  const seenTrans = new Map<string, number>();
  for (const p of ledgerPayments) seenTrans.set(p.merchantTransId, (seenTrans.get(p.merchantTransId) ?? 0) + 1);
  for (const [id, n] of seenTrans) {
    if (n > 1) {
      i4.violations.push(`${id}: ${n} gateway payments`);
      doubled += 1;
    }
  }
  const seenRefunds = new Map<string, number>();
  for (const r of ledger.refunds) {
    if (!r.merchantRefundId || !inScope(r.merchantTransId)) continue;
    seenRefunds.set(r.merchantRefundId, (seenRefunds.get(r.merchantRefundId) ?? 0) + 1);
  }
  for (const [id, n] of seenRefunds) {
    if (n > 1) {
      i4.violations.push(`${id}: refunded ${n} times at the gateway`);
      doubled += 1;
    }
  }
  for (const p of ledgerPayments) {
    if (p.orderAmount && (p.refundedMinor ?? 0) > Number(p.orderAmount.value))
      i4.violations.push(`${p.merchantTransId}: gateway refunded more than paid`);
  }
  results.push(i4);

  // I5
  const acked = ledger.notifications.filter((n) => n.status === 'acknowledged' && inScope(n.merchantTransId));
  const i5: InvariantResult = { id: 'I5', checked: acked.length, violations: [] };
  const notifiedOrders = new Set(store.notifications.map((n) => n.orderId));
  for (const n of acked) {
    const o = byTransId.get(n.merchantTransId);
    if (!o || !notifiedOrders.has(o.id)) i5.violations.push(`${n.merchantTransId}: acknowledged without a stored notification`);
  }
  results.push(i5);

  // I6
  const checkedAt = new Map(store.checks.map((c) => [c.orderId, c.lastCheckedAt]));
  const unfinished = orders.filter((o) => o.status === 'PENDING');
  const i6: InvariantResult = { id: 'I6', checked: unfinished.length, violations: [] };
  for (const o of unfinished) {
    const deadline = new Date(o.expiresAt).getTime() + options.reconcilePeriodMs;
    const last = checkedAt.get(o.id);
    if (options.now.getTime() > deadline && (!last || new Date(last).getTime() < new Date(o.expiresAt).getTime())) {
      i6.violations.push(`${o.id}: unfinished past expiry without a gateway query`);
    }
  }
  results.push(i6);

  return { ok: results.every((r) => r.violations.length === 0), results, lost, doubled };
}

export function formatInvariantReport(report: InvariantReport): string {
  return report.results
    .map(
      (r) =>
        `${r.id} ${r.violations.length === 0 ? 'held' : 'BROKEN'} (${r.checked} checked${r.violations.length ? `; ${r.violations.slice(0, 5).join('; ')}` : ''})`,
    )
    .join('\n');
}
