/**
 * Group commit for SQLite. With `synchronous=FULL` every commit waits for the disk, and that wait —
 * not SQL — bounds how many orders and notifications a second one process can take. Writes that
 * arrive in the same turn of the event loop are run together in one transaction, each inside its
 * own savepoint (a nested better-sqlite3 transaction), and committed with a single fsync. A write's
 * promise settles only after that commit, so "acknowledge after the commit" still holds; a write
 * that throws rolls back its own savepoint and nothing else.
 */
import type Database from 'better-sqlite3';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface CommitQueue {
  /** Runs `work` (a better-sqlite3 transaction function) in the next group commit. */
  enqueue<T>(work: () => T): Promise<T>;
  /** Transactions committed, and writes they carried (for benchmarks and tests). */
  stats(): { commits: number; writes: number };
}

export function createCommitQueue(db: Database.Database, maxBatch = 256): CommitQueue {
  const pending: Pending[] = [];
  let scheduled = false;
  let commits = 0;
  let writes = 0;

  const runBatch = db.transaction((batch: Pending[]) =>
    batch.map((op) => {
      try {
        return { ok: true as const, value: op.run() };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );

  function flush(): void {
    scheduled = false;
    const batch = pending.splice(0, maxBatch);
    if (pending.length > 0) schedule();
    let results;
    try {
      results = runBatch.immediate(batch);
    } catch (error) {
      // The commit itself failed (disk, lock timeout): nothing in the batch is durable.
      for (const op of batch) op.reject(error);
      return;
    }
    commits += 1;
    writes += batch.length;
    batch.forEach((op, i) => {
      const result = results[i]!;
      if (result.ok) op.resolve(result.value);
      else op.reject(result.error);
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    enqueue<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ run: work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
    stats: () => ({ commits, writes }),
  };
}
