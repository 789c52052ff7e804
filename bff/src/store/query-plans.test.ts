/**
 * The indexes the order queries rely on, as each database plans them: a migration that drops or
 * narrows an index must leave these plans as they are. PostgreSQL runs when DATABASE_URL points at
 * a server; there, sequential scans are switched off so the plan shows which index can serve the
 * query at all (an empty table would otherwise be scanned).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgresUrl, postgresUrl } from '../../test/support/stores';
import { migratePostgres, migrateSqlite } from './migrate';
import { POSTGRES_DIALECT, SQLITE_DIALECT, statements, toPostgres, toSqlite, type StatementName } from './statements';

/** Each statement, and the index its plan must search. */
const EXPECTED: [StatementName, RegExp][] = [
  ['sumCharges', /orders_agreement/],
  ['claimOrders', /orders_unfinished/],
  ['oldestPending', /orders_unfinished/],
  ['listByStatus', /orders_unfinished/],
  ['listByBuyer', /orders_buyer/],
  ['getPaymentFactsByTransId', /sqlite_autoindex_orders_2|orders_merchant_trans_id_key/],
  ['getOrder', /sqlite_autoindex_orders_1|orders_pkey/],
];

describe('order query plans', () => {
  it.each(EXPECTED)('SQLite: %s searches its index', (name, index) => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const text = toSqlite(statements(SQLITE_DIALECT)[name]);
    const params = Object.fromEntries([...text.matchAll(/@(\w+)/g)].map((m) => [m[1], null]));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((row) => row.detail).join('\n');
    expect(plan).toMatch(index);
    db.close();
  });

  describe.runIf(postgresUrl)('PostgreSQL', () => {
    let pool: pg.Pool | null = null;
    afterAll(async () => {
      await pool?.end();
    });

    it.each(EXPECTED)('PostgreSQL: %s can use its index', async (name, index) => {
      pool ??= new pg.Pool({ connectionString: await freshPostgresUrl(postgresUrl!), max: 1 });
      await migratePostgres(pool);
      const { text, names } = toPostgres(statements(POSTGRES_DIALECT)[name]);
      const db = await pool.connect();
      try {
        await db.query('BEGIN');
        await db.query('SET LOCAL enable_seqscan = off');
        const plan = await db.query(
          `EXPLAIN ${text}`,
          names.map((n) => (n === 'limit' ? 10 : 'x')),
        );
        expect(plan.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')).toMatch(index);
      } finally {
        await db.query('ROLLBACK');
        db.release();
      }
    });
  });
});
