/**
 * What the BFF under test does on its write path, read from its source so the report's explanations
 * match the tree that was measured (they are printed with the figures).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bff';

export interface BffTraits {
  /** SQLite writes go through a group-commit queue (one fsync per turn of the event loop). */
  groupCommit: boolean;
  /** `PRAGMA cache_size` set by openSqliteStore, or null for SQLite's default (2 MiB). */
  sqliteCacheSize: string | null;
  /** server.ts offers node:cluster workers (WEB_CONCURRENCY). */
  clusterMode: boolean;
}

function source(path: string): string {
  const file = join(REPO_ROOT, path);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export function readBffTraits(): BffTraits {
  const store = source('bff/src/store/sqlite-store.ts');
  return {
    groupCommit: /createCommitQueue|\.enqueue\(/.test(store),
    sqliteCacheSize: /cache_size\s*=\s*(-?\d+)/.exec(store)?.[1] ?? null,
    clusterMode: source('bff/src/server.ts').includes('WEB_CONCURRENCY'),
  };
}

/** "64 MiB" for -65536 (KiB), "2000 pages" for 2000; SQLite's default when unset. */
export function describeCacheSize(value: string | null): string {
  if (value === null) return "SQLite's default 2 MiB";
  const n = Number(value);
  return n < 0 ? `${Math.round(-n / 1024)} MiB` : `${n} pages`;
}
