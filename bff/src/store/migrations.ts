/**
 * Schema migrations, in order; applied once each and recorded in schema_migrations. Written in the
 * SQL common to SQLite and PostgreSQL (TEXT timestamps in ISO 8601 UTC, BIGINT minor units).
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'orders, evidence, notifications, transitions, idempotency',
    sql: `
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  merchant_trans_id TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  buyer_id TEXT,
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  refunded_amount BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  items TEXT NOT NULL,
  payment TEXT,
  gateway_transaction_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  paid_at TEXT
);
CREATE INDEX orders_unfinished ON orders (status, created_at);
CREATE INDEX orders_buyer ON orders (buyer_id, created_at);

CREATE TABLE payment_evidence (
  order_id TEXT NOT NULL REFERENCES orders (id),
  source TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  merchant_trans_id TEXT NOT NULL,
  gateway_transaction_id TEXT,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  paid_at TEXT,
  raw TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX payment_evidence_order ON payment_evidence (order_id);

CREATE TABLE notifications (
  channel TEXT NOT NULL,
  identity TEXT NOT NULL,
  order_id TEXT NOT NULL REFERENCES orders (id),
  outcome TEXT NOT NULL,
  raw TEXT NOT NULL,
  deliveries INTEGER NOT NULL DEFAULT 1,
  received_at TEXT NOT NULL,
  PRIMARY KEY (channel, identity)
);

CREATE TABLE order_transitions (
  order_id TEXT NOT NULL REFERENCES orders (id),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX order_transitions_order ON order_transitions (order_id);

CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  order_id TEXT,
  response_status INTEGER,
  response_body TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
`,
  },
  {
    version: 2,
    name: 'reconciliation schedule and claims, refunds',
    sql: `
ALTER TABLE orders ADD COLUMN next_check_at TEXT;
ALTER TABLE orders ADD COLUMN check_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN last_checked_at TEXT;
ALTER TABLE orders ADD COLUMN claim_owner TEXT;
ALTER TABLE orders ADD COLUMN claim_until TEXT;
CREATE INDEX orders_next_check ON orders (next_check_at) WHERE status = 'PENDING';

CREATE TABLE refunds (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  merchant_refund_id TEXT NOT NULL UNIQUE,
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  gateway_refund_id TEXT,
  failure_code TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  claim_owner TEXT,
  claim_until TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_pending ON refunds (next_attempt_at) WHERE status = 'PENDING';
`,
  },
  {
    version: 3,
    name: 'auto-debit agreements; charges link to their agreement',
    sql: `
CREATE TABLE agreements (
  id TEXT PRIMARY KEY,
  merchant_agreement_id TEXT NOT NULL UNIQUE,
  buyer_id TEXT NOT NULL,
  state_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  customer_id TEXT,
  access_token_enc TEXT,
  refresh_token_enc TEXT,
  access_token_expires_at TEXT,
  refresh_token_expires_at TEXT,
  token_version INTEGER NOT NULL DEFAULT 0,
  failure_code TEXT,
  return_claimed_until TEXT,
  status_checked_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  activated_at TEXT,
  ended_at TEXT
);
CREATE INDEX agreements_buyer ON agreements (buyer_id, created_at);

ALTER TABLE orders ADD COLUMN agreement_id TEXT REFERENCES agreements (id);
CREATE INDEX orders_agreement ON orders (agreement_id, created_at);
`,
  },
  {
    version: 4,
    name: 'fewer index writes per order: orders_agreement holds charges only; orders_next_check dropped',
    // Every order paid for an insert into orders_agreement (under a NULL key) and, while PENDING, into
    // orders_next_check, and every markPaid and scheduled check for a change there. sumCharges
    // (agreement_id = ?) implies agreement_id IS NOT NULL, so it still uses orders_agreement; no
    // statement used orders_next_check (the claim walks orders_unfinished in created_at order, in
    // both stores: query-plans.test.ts pins these plans).
    sql: `
DROP INDEX orders_agreement;
CREATE INDEX orders_agreement ON orders (agreement_id, created_at) WHERE agreement_id IS NOT NULL;
DROP INDEX orders_next_check;
`,
  },
];
