/**
 * Group insert for PostgreSQL, the counterpart of SQLite's group commit (commit-queue.ts). One
 * `INSERT` per order in autocommit costs a round trip, a backend wake-up and a commit (a WAL flush)
 * per order, and that, more than SQL, bounds how many orders a second the BFF takes on PostgreSQL.
 * Items enqueued in the same turn of the event loop are sent as one statement (`runBatch`, a single
 * statement in autocommit: all of it commits or none of it), and each item's promise settles only
 * after that statement has committed, so "acknowledge after the commit" still holds.
 *
 * Unlike SQLite's, the flush is asynchronous: while a batch's round trip runs, the next turns' items
 * form the next batches, and up to `maxInFlight` batches (fewer than the pool's connections) run at
 * once; beyond that, items wait and join a larger batch.
 *
 * If the batch statement fails, nothing of it was stored, and its items are sent again one by one
 * (`runOne`, the plain single statement), so each gets its own outcome: only the item that collides
 * fails, with the error it would have had alone. An item alone in its batch is sent with `runOne`
 * straight away. An item may therefore be sent twice; `runBatch` and `runOne` must be the same
 * change, and the first's failure must leave nothing behind (one statement does).
 */

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface BatchQueueOptions<T> {
  /** Stores every item, in one statement (committed when it resolves). */
  runBatch(items: T[]): Promise<unknown>;
  /** Stores one item (committed when it resolves). */
  runOne(item: T): Promise<unknown>;
  /** Items per statement at most. */
  maxBatch?: number;
  /** Statements outstanding at most (each holds a pooled connection while it runs). */
  maxInFlight?: number;
}

export interface BatchQueue<T> {
  /** Stores `item` in the next batch; resolves once it is committed. */
  enqueue(item: T): Promise<void>;
  /** Resolves when nothing is queued or outstanding (before the pool is closed). */
  drain(): Promise<void>;
  /** Statements committed, and items they carried (for benchmarks and tests). */
  stats(): { commits: number; writes: number };
}

export function createBatchQueue<T>(options: BatchQueueOptions<T>): BatchQueue<T> {
  const { runBatch, runOne, maxBatch = 256, maxInFlight = 4 } = options;
  const pending: Pending<T>[] = [];
  const idle: (() => void)[] = [];
  let scheduled = false;
  let inFlight = 0;
  let commits = 0;
  let writes = 0;

  async function sendOne(op: Pending<T>): Promise<void> {
    try {
      await runOne(op.item);
    } catch (error) {
      op.reject(error);
      return;
    }
    commits += 1;
    writes += 1;
    op.resolve();
  }

  async function send(batch: Pending<T>[]): Promise<void> {
    if (batch.length === 1) return sendOne(batch[0]!);
    try {
      await runBatch(batch.map((op) => op.item));
    } catch {
      // Nothing of the batch was stored: each item again on its own, so only the failing one fails.
      await Promise.all(batch.map(sendOne));
      return;
    }
    commits += 1;
    writes += batch.length;
    for (const op of batch) op.resolve();
  }

  function flush(): void {
    scheduled = false;
    while (pending.length > 0 && inFlight < maxInFlight) {
      inFlight += 1;
      void send(pending.splice(0, maxBatch)).finally(settled);
    }
  }

  function settled(): void {
    inFlight -= 1;
    if (pending.length > 0) schedule();
    else if (inFlight === 0) for (const done of idle.splice(0)) done();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    enqueue(item: T): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
    drain(): Promise<void> {
      if (pending.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    stats: () => ({ commits, writes }),
  };
}
