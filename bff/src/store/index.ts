import type { Store } from '../payments/store';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';

/** `sqlite:///path/file.db` (the default) or `postgres://user:pass@host:5432/db`. */
export async function openStore(databaseUrl: string, options: { now?: () => Date; poolSize?: number } = {}): Promise<Store> {
  const { poolSize, ...common } = options;
  if (databaseUrl.startsWith('sqlite://')) return openSqliteStore({ file: databaseUrl.slice('sqlite://'.length), ...common });
  if (databaseUrl === ':memory:') return openSqliteStore({ file: ':memory:', ...common });
  if (/^postgres(ql)?:\/\//.test(databaseUrl))
    return openPostgresStore({ connectionString: databaseUrl, ...common, ...(poolSize ? { max: poolSize } : {}) });
  throw new Error(`DATABASE_URL must start with sqlite:// or postgres://, got ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
}

export type { Store } from '../payments/store';
