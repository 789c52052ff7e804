/**
 * The SQLite writer thread (started by sqlite-thread-store.ts): it owns the connection and runs the
 * SQLite store exactly as the BFF's thread would — group commit per turn of this thread's loop,
 * WAL with synchronous=FULL, WAL checkpoints after the commits that fill it — so the fsync waits
 * and the SQL no longer take the event loop's time. An answer is posted only once its commit is
 * on disk, as before.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Store } from '../payments/store';
import { openSqliteStore } from './sqlite-store';
import { WRITER_METHODS, toWireError, type WriterCall, type WriterReply } from './writer-wire';

const port = parentPort!;
const { file } = workerData as { file: string };
// Each call brings the caller's clock; the store reads it when the call arrives (see sqlite-store.ts).
let callerNow = new Date();
let store: Store | null = null;
const stats = () => store?.writeStats?.() ?? { commits: 0, writes: 0 };

function answer(id: number, work: () => Promise<unknown>): void {
  let running: Promise<unknown>;
  try {
    running = work();
  } catch (error) {
    running = Promise.reject(error);
  }
  running.then(
    (value) => port.postMessage({ id, ok: true, value, stats: stats() } satisfies WriterReply),
    (error: unknown) => port.postMessage({ id, ok: false, error: toWireError(error), stats: stats() } satisfies WriterReply),
  );
}

// Id 0 answers the opening (migrations included): the proxy waits for it.
answer(0, async () => {
  store = openSqliteStore({ file, now: () => callerNow });
});

port.on('message', (call: WriterCall) => {
  // After close's answer the proxy ends this thread.
  answer(call.id, async () => {
    if (!store) throw new Error('the SQLite store did not open');
    if (!Object.hasOwn(WRITER_METHODS, call.method)) throw new Error(`no store method ${String(call.method)}`);
    callerNow = new Date(call.now);
    return (store[call.method] as (...args: unknown[]) => Promise<unknown>)(...call.args);
  });
});
