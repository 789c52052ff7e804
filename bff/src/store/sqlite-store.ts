/**
 * The SQLite store (the default). WAL with synchronous=FULL: a commit is on disk before we answer,
 * which is what lets a notification be acknowledged after the commit. better-sqlite3 is synchronous,
 * so transactions in one process never interleave; across processes, BEGIN IMMEDIATE and a busy
 * timeout serialise writers.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { OrderStatus, PaymentAction } from '@tradepay/shared';
import { canTransition } from '@tradepay/shared';
import type { PaymentEvidence } from '../payments/channel';
import { MIGRATIONS } from './migrations';
import type {
  IdempotencyClaim,
  IdempotencyRecord,
  InsertOrderResult,
  NewOrder,
  NotificationRecord,
  OrderRecord,
  RecordNotificationResult,
  Store,
  TransitionResult,
} from './store';

interface OrderRow {
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
}

function toOrder(row: OrderRow): OrderRecord {
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
  };
}

export interface SqliteStoreOptions {
  file: string;
  now?: () => Date;
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const now = options.now ?? (() => new Date());
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const stmt = {
    insertOrder: db.prepare(`INSERT INTO orders (id, merchant_trans_id, channel, buyer_id, status, currency, amount, items, created_at, updated_at, expires_at)
      VALUES (@id, @merchantTransId, @channel, @buyerId, @status, @currency, @amount, @items, @createdAt, @createdAt, @expiresAt)`),
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
  };

  function mustGet(id: string): OrderRecord {
    const row = stmt.getOrder.get(id) as OrderRow | undefined;
    if (!row) throw new Error(`order ${id} vanished`);
    return toOrder(row);
  }

  function markPaidInTx(orderId: string, evidence: PaymentEvidence, reason: string): TransitionResult {
    const at = now().toISOString();
    const before = mustGet(orderId);
    stmt.insertEvidence.run(orderId, evidence.source, evidence.merchantId, evidence.merchantTransId, evidence.gatewayTransactionId,
      evidence.amount, evidence.currency, evidence.paidAt, evidence.raw, at);
    if (!canTransition(before.status, 'SUCCEEDED')) return { transitioned: false, order: before };
    const changed = stmt.markPaid.run(evidence.paidAt ?? at, evidence.gatewayTransactionId, at, orderId).changes === 1;
    if (changed) stmt.insertTransition.run(orderId, before.status, 'SUCCEEDED', reason, at);
    return { transitioned: changed, order: mustGet(orderId) };
  }

  // IMMEDIATE takes the write lock at BEGIN, so a read-then-write cannot race another process.
  const txMarkPaid = db.transaction(markPaidInTx);
  const txInsertOrder = db.transaction((order: NewOrder, claim?: IdempotencyClaim): InsertOrderResult => {
    if (claim) {
      const claimed = stmt.claimIdem.run(claim.scope, claim.key, claim.requestHash, order.id, order.createdAt).changes === 1;
      if (!claimed) return { inserted: false, existing: toIdem(stmt.findIdem.get(claim.scope, claim.key) as IdemRow) };
    }
    stmt.insertOrder.run({ ...order, items: JSON.stringify(order.items) });
    return { inserted: true, order: mustGet(order.id) };
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
      return { duplicate: true, transitioned: false, order: mustGet(n.orderId) };
    }
    if (n.outcome !== 'PAID') return { duplicate: false, transitioned: false, order: mustGet(n.orderId) };
    return { duplicate: false, ...markPaidInTx(n.orderId, evidence, `notification ${n.identity}`) };
  });

  return {
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async insertOrder(order, claim) {
      return txInsertOrder.immediate(order, claim);
    },
    async findIdempotency(scope, key) {
      const row = stmt.findIdem.get(scope, key) as IdemRow | undefined;
      return row ? toIdem(row) : null;
    },
    async attachPayment(orderId, payment, response) {
      txAttach.immediate(orderId, payment, response);
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
      return txMarkPaid.immediate(orderId, evidence, reason);
    },
    async closeUnpaid(orderId, to, reason) {
      return txClose.immediate(orderId, to, reason);
    },
    async recordNotification(notification, evidence) {
      return txNotification.immediate(notification, evidence);
    },
    async countTransitions(orderId, to) {
      return Number((stmt.countTransitions.get(orderId, to) as { n: number }).n);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

interface IdemRow {
  scope: string;
  key: string;
  request_hash: string;
  order_id: string | null;
  response_status: number | null;
  response_body: string | null;
}

function toIdem(row: IdemRow): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    requestHash: row.request_hash,
    orderId: row.order_id,
    responseStatus: row.response_status,
    responseBody: row.response_body,
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
