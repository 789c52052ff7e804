import type { Store } from '../payments/store';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import { openSqliteThreadStore, type StoreLog } from './sqlite-thread-store';

export interface OpenStoreOptions {
  now?: () => Date;
  poolSize?: number;
  /** SQLite only: run the store on the event loop (`inline`) or on a writer thread of its own (`thread`). */
  sqliteWriter?: 'inline' | 'thread';
  /** Where the writer thread's death is reported. */
  log?: StoreLog;
}

/** `sqlite:///path/file.db` (the default) or `postgres://user:pass@host:5432/db`. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { poolSize, sqliteWriter, log, ...common } = options;
  const file = databaseUrl === ':memory:' ? ':memory:' : databaseUrl.startsWith('sqlite://') ? databaseUrl.slice('sqlite://'.length) : null;
  if (file !== null)
    return sqliteWriter === 'thread'
      ? openSqliteThreadStore({ file, ...common, ...(log ? { log } : {}) })
      : openSqliteStore({ file, ...common });
  if (/^postgres(ql)?:\/\//.test(databaseUrl))
    return openPostgresStore({ connectionString: databaseUrl, ...common, ...(poolSize ? { max: poolSize } : {}) });
  throw new Error(`DATABASE_URL must start with sqlite:// or postgres://, got ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
}

export type { Store } from '../payments/store';
