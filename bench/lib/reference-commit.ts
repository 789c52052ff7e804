/**
 * The references' group commit (bench/lib/reference-server.ts, bench/lib/notify-reference.ts): the
 * writes that arrive in one turn of the event loop run in one transaction (BEGIN IMMEDIATE) and share
 * its commit; each write's promise settles after that commit. The least a durable write costs with
 * better-sqlite3 — no savepoints, no per-write error isolation — written here rather than taken from
 * the BFF, so the references stay independent of the code they rate.
 */
import type Database from 'better-sqlite3';

interface Write {
  run: () => void;
  done: (error?: unknown) => void;
}

/** `write(run)`: runs `run` in the next group commit; resolves once that commit is on disk. */
export function referenceGroupCommit(db: Database.Database): (run: () => void) => Promise<void> {
  let pending: Write[] = [];
  const commit = db.transaction((batch: Write[]) => batch.forEach((op) => op.run()));
  return (run) => {
    if (pending.length === 0) {
      setImmediate(() => {
        const batch = pending;
        pending = [];
        try {
          commit.immediate(batch);
          batch.forEach((op) => op.done());
        } catch (error) {
          batch.forEach((op) => op.done(error));
        }
      });
    }
    return new Promise((resolve, reject) => pending.push({ run, done: (error) => (error ? reject(error) : resolve()) }));
  };
}
