/**
 * Group commit for SQLite. With `synchronous=FULL` every commit waits for the disk, and that wait —
 * not SQL — bounds how many orders and notifications a second one process can take. Writes that
 * arrive in the same turn of the event loop are run together in one transaction and committed with
 * a single fsync. A write's promise settles only after that commit, so "acknowledge after the
 * commit" still holds.
 *
 * A write that throws rolls back only itself: the batch runs its writes directly (no savepoint per
 * write: the common case pays for no isolation it does not use), and if one throws, the whole batch
 * is rolled back and run again with each write in a savepoint of its own, so the failing write is
 * undone alone and the others still commit together. A write may therefore run twice; it must only
 * change the database (and be deterministic given it): the store pins each write's clock to its call.
 */
import type Database from 'better-sqlite3';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface CommitQueue {
  /**
   * Runs `work` in the next group commit: plain synchronous calls on the database (not a
   * transaction of its own, not a promise); the queue supplies the transaction.
   */
  enqueue<T>(work: () => T): Promise<T>;
  /** Transactions committed, and writes they carried (for benchmarks and tests). */
  stats(): { commits: number; writes: number };
}

/** A write threw: which one, so the batch can be retried write by write. */
class WriteFailed {
  constructor(readonly error: unknown) {}
}

export function createCommitQueue(db: Database.Database, maxBatch = 256): CommitQueue {
  const pending: Pending[] = [];
  let scheduled = false;
  let commits = 0;
  let writes = 0;

  // Every write of the batch in one transaction; the first that throws rolls the batch back.
  const runAll = db.transaction((batch: Pending[]): Outcome[] =>
    batch.map((op) => {
      try {
        return { ok: true as const, value: op.run() };
      } catch (error) {
        throw new WriteFailed(error);
      }
    }),
  );
  // Nested in runEach, a savepoint: a write that throws undoes only its own changes.
  const alone = db.transaction((run: () => unknown) => run());
  const runEach = db.transaction((batch: Pending[]): Outcome[] =>
    batch.map((op) => {
      try {
        return { ok: true as const, value: alone(op.run) };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );

  function commit(batch: Pending[]): Outcome[] {
    try {
      // IMMEDIATE takes the write lock at BEGIN, so a read-then-write cannot race another process.
      return runAll.immediate(batch);
    } catch (failure) {
      if (!(failure instanceof WriteFailed)) throw failure;
      // Alone in its batch, the write's own error is its answer; otherwise retry write by write.
      if (batch.length === 1) return [{ ok: false, error: failure.error }];
      return runEach.immediate(batch);
    }
  }

  function flush(): void {
    scheduled = false;
    const batch = pending.splice(0, maxBatch);
    if (pending.length > 0) schedule();
    let results;
    try {
      results = commit(batch);
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
