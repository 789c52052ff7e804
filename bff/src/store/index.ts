import type { Store } from './store';
import { openSqliteStore } from './sqlite-store';

/** `sqlite:///path/file.db` (the default) or, later, `postgres://…`. */
export async function openStore(databaseUrl: string, options: { now?: () => Date } = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite://')) return openSqliteStore({ file: databaseUrl.slice('sqlite://'.length), ...options });
  if (databaseUrl === ':memory:') return openSqliteStore({ file: ':memory:', ...options });
  throw new Error(`DATABASE_URL ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')} is not supported yet`);
}

export type { Store } from './store';
