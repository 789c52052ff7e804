/**
 * The stores every store test runs against: SQLite always; PostgreSQL when DATABASE_URL points at a
 * server (CI starts one). Each PostgreSQL store gets a schema of its own, so test files can run in
 * parallel on one database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres-store';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { openSqliteThreadStore } from '../../src/store/sqlite-thread-store';
import type { NewAgreement, NewOrder, Store } from '../../src/payments/store';

export const postgresUrl = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;

export interface StoreFactory {
  /** `sqlite-thread`: the SQLite store on its writer thread (SQLITE_WRITER=thread). */
  kind: 'sqlite' | 'sqlite-thread' | 'postgres';
  /** A fresh, empty store; `reopen` gives a second handle on the same data (another "instance"). */
  create(now?: () => Date): Promise<{ store: Store; reopen(): Promise<Store>; url: string }>;
}

/** A database URL for a fresh, empty PostgreSQL schema. */
export async function freshPostgresUrl(base: string): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

const sqliteFile = () => join(mkdtempSync(join(tmpdir(), 'tradepay-store-')), 'store.db');

export const STORE_FACTORIES: StoreFactory[] = [
  {
    kind: 'sqlite',
    async create(now) {
      const file = sqliteFile();
      const open = () => Promise.resolve(openSqliteStore({ file, ...(now ? { now } : {}) }));
      return { store: await open(), reopen: open, url: `sqlite://${file}` };
    },
  },
  {
    kind: 'sqlite-thread',
    async create(now) {
      const file = sqliteFile();
      const open = () => openSqliteThreadStore({ file, ...(now ? { now } : {}) });
      return { store: await open(), reopen: open, url: `sqlite://${file}` };
    },
  },
  ...(postgresUrl
    ? [
        {
          kind: 'postgres' as const,
          async create(now?: () => Date) {
            const url = await freshPostgresUrl(postgresUrl);
            const open = () => openPostgresStore({ connectionString: url, ...(now ? { now } : {}) });
            return { store: await open(), reopen: open, url };
          },
        },
      ]
    : []),
];

let serial = 0;
/** A fresh PENDING order, unique per call. */
export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  serial += 1;
  const createdAt = new Date(Date.UTC(2026, 10, 22, 0, 0, serial)).toISOString();
  return {
    id: `ord_test${String(serial).padStart(20, '0')}${Math.random().toString(36).slice(2, 8)}`,
    merchantTransId: `TP${Date.now()}${serial}${Math.random().toString(36).slice(2, 8)}`,
    channel: 'alipayhk',
    buyerId: 'guest:a',
    status: 'PENDING',
    currency: 'HKD',
    amount: 1000,
    items: [{ sku: 'EGG-TART-6', title: 'Egg tarts', quantity: 1, unitPrice: 1000 }],
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 15 * 60_000).toISOString(),
    nextCheckAt: createdAt,
    ...overrides,
  };
}

/** A fresh PENDING agreement, unique per call. */
export function newAgreement(overrides: Partial<NewAgreement> = {}): NewAgreement {
  serial += 1;
  const suffix = `${String(serial).padStart(12, '0')}${Math.random().toString(36).slice(2, 10)}`;
  return {
    id: `agr_test${suffix}`,
    merchantAgreementId: `TPA${suffix}`,
    buyerId: 'alipayhk:2188000000000001',
    stateHash: 'ab'.repeat(32),
    createdAt: new Date(Date.UTC(2026, 10, 22, 0, 0, serial)).toISOString(),
    ...overrides,
  };
}
