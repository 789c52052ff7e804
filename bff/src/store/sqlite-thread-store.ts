/**
 * The SQLite store on a writer thread (SQLITE_WRITER=thread): the Store port on the BFF's thread
 * is a thin proxy that posts each call `{ id, method, args, now }` to sqlite-writer.ts and settles
 * on its answer. The writer runs the same SQLite store, so an answer still leaves only after its
 * commit is on disk; the event loop no longer waits for the fsync or runs the SQL. If the thread
 * dies, every call waiting on it is rejected (never left hanging) and the death is logged.
 */
import { Worker } from 'node:worker_threads';
import type { Store } from '../payments/store';
import { WRITER_METHODS, fromWireError, type WriterCall, type WriterMethod, type WriterReply } from './writer-wire';

/** Where the proxy reports the writer thread's death (pino's `error(details, message)` fits). */
export interface StoreLog {
  error(details: object, message: string): void;
}

export interface SqliteThreadStoreOptions {
  file: string;
  now?: () => Date;
  log?: StoreLog;
}

const WRITER_ENTRY = new URL('./sqlite-writer-boot.mjs', import.meta.url);

interface Waiting {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function openSqliteThreadStore(options: SqliteThreadStoreOptions): Promise<Store> {
  const { file, ...rest } = options;
  return connectWriter(new Worker(WRITER_ENTRY, { workerData: { file } }), rest);
}

/** The proxy over a started writer (any worker that speaks writer-wire.ts; tests give it a failing one). */
export async function connectWriter(worker: Worker, options: { now?: () => Date; log?: StoreLog } = {}): Promise<Store> {
  const now = options.now ?? (() => new Date());
  const log: StoreLog = options.log ?? { error: (details, message) => console.error(message, details) };
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  let stats = { commits: 0, writes: 0 };
  let gone: Error | null = null;
  let closing: Promise<void> | null = null;

  // Referenced only while a call waits: an idle store never keeps the process alive.
  function settle(id: number): Waiting | undefined {
    const entry = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    return entry;
  }
  function fail(error: Error): void {
    if (!gone && !closing) log.error({ err: error }, 'the SQLite writer thread died; every waiting store call is rejected');
    gone ??= error;
    for (const [id, entry] of waiting) {
      settle(id);
      entry.reject(new Error(`the SQLite writer thread is gone: ${error.message}`, { cause: error }));
    }
  }
  worker.on('message', (reply: WriterReply) => {
    stats = reply.stats;
    const entry = settle(reply.id);
    if (reply.ok) entry?.resolve(reply.value);
    else entry?.reject(fromWireError(reply.error));
  });
  worker.on('error', fail);
  worker.on('messageerror', fail);
  worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (code ${code})`)));

  function call(method: WriterMethod, args: unknown[]): Promise<unknown> {
    if (gone) return Promise.reject(new Error(`the SQLite writer thread is gone: ${gone.message}`, { cause: gone }));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve, reject });
      try {
        worker.postMessage({ id, method, args, now: now().getTime() } satisfies WriterCall);
      } catch (error) {
        settle(id);
        reject(error);
      }
    });
  }

  // The writer answers id 0 once the store is open (or could not be).
  await new Promise((resolve, reject) => {
    worker.ref();
    waiting.set(0, { resolve, reject });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  const methods = Object.fromEntries(
    (Object.keys(WRITER_METHODS) as WriterMethod[]).map((method) => [method, (...args: unknown[]) => call(method, args)]),
  );
  return {
    ...(methods as unknown as Omit<Store, 'kind' | 'writeStats' | 'close'>),
    kind: 'sqlite',
    writeStats: () => stats,
    close() {
      // The writer drains its queue (accepted writes reach the disk) and closes the file; then the thread ends.
      closing ??= (async () => {
        await call('close', []).catch(() => undefined);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
