/** Applying MIGRATIONS (migrations.ts): once each, recorded in schema_migrations, per store. */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { MIGRATIONS } from './migrations';

/** Applies pending migrations, each in its own IMMEDIATE transaction. */
export function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const apply = db.transaction((m: (typeof MIGRATIONS)[number]) => {
    const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
    if (done) return;
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      new Date().toISOString(),
    );
  });
  for (const m of MIGRATIONS) apply.immediate(m);
}

/** Applies pending migrations under an advisory lock, so instances starting together do not race. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const db = await pool.connect();
  try {
    await db.query('SELECT pg_advisory_lock(72747301)');
    await db.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of MIGRATIONS) {
      const { rowCount } = await db.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rowCount) continue;
      await db.query('BEGIN');
      try {
        await db.query(m.sql);
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await db.query('SELECT pg_advisory_unlock(72747301)').catch(() => undefined);
    db.release();
  }
}
