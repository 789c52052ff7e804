/**
 * RSA signatures on signing threads of their own, in batches: the signatures asked for in one turn
 * of the event loop go out in one message per thread, and come back in one. `crypto.sign`'s
 * callback form (signing.ts) costs the event loop a thread-pool hand-off and a wake-up per
 * signature, which perf measured at several tens of µs an order under load; a batch pays one
 * hand-off for all. The bytes are those of `createRsaSigner` (PKCS#1 v1.5 is deterministic; a test
 * holds them equal).
 *
 * As many threads as cores (at most 4, libuv's own default pool), shared by every signer of the
 * process; each is started on its first batch and referenced only while a signature is awaited
 * from it (an idle signer never keeps the process alive). If one dies, every signature waiting on
 * it is rejected (never left hanging) and its next batch starts a new thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KeyFormatError, SIGN_HASH, type ParsedRsaKey, type RsaSigner, type SignAlgorithm } from './signing';

const THREAD_ENTRY = new URL('./signing-thread-boot.mjs', import.meta.url);

interface SigningThread {
  worker: Worker;
  /** Keys this thread holds (each is sent once, with the first batch that needs it). */
  keys: Set<number>;
  /** Signatures sent to it and not answered yet. */
  pending: number;
}

interface Waiting {
  resolve(signature: string): void;
  reject(error: Error): void;
  /** The thread its batch went to (none while the batch is still being gathered). */
  on: SigningThread | null;
}

const THREADS = Math.max(1, Math.min(4, availableParallelism()));
const threads: (SigningThread | null)[] = Array.from({ length: THREADS }, () => null);
/** The thread the next batch starts at, so that single signatures take turns. */
let turn = 0;
const waiting = new Map<number, Waiting>();
/** Keys every thread may be asked for: id → [KeyObject, hash]. */
const registered = new Map<number, [ParsedRsaKey['keyObject'], 'sha256' | 'sha1']>();
let batch: (number | string)[] = [];
let flushing = false;
let nextId = 1;
let nextKeyId = 1;

function fail(dead: SigningThread, error: Error): void {
  const slot = threads.indexOf(dead);
  if (slot >= 0) threads[slot] = null;
  dead.pending = 0;
  for (const [id, entry] of waiting) {
    if (entry.on !== dead) continue;
    waiting.delete(id);
    entry.reject(new Error(`the signing thread is gone: ${error.message}`, { cause: error }));
  }
}

function start(): SigningThread {
  // Plain JavaScript needs no loader: the thread starts without the process's own (`--import tsx`).
  const started: SigningThread = { worker: new Worker(THREAD_ENTRY, { execArgv: [] }), keys: new Set(), pending: 0 };
  started.worker.unref();
  started.worker.on('message', (answers: (number | boolean | string)[]) => {
    for (let i = 0; i < answers.length; i += 3) {
      const entry = waiting.get(answers[i] as number);
      if (!entry) continue;
      waiting.delete(answers[i] as number);
      started.pending -= 1;
      if (answers[i + 1] === true) entry.resolve(answers[i + 2] as string);
      else entry.reject(new Error(`signing failed: ${String(answers[i + 2])}`));
    }
    if (started.pending === 0) started.worker.unref();
  });
  started.worker.on('error', (error) => fail(started, error));
  started.worker.on('exit', (code) => fail(started, new Error(`exited with code ${code}`)));
  return started;
}

/** This turn's signatures, split into one batch per thread (fewer when there are fewer signatures). */
function flush(): void {
  flushing = false;
  const gathered = batch;
  batch = [];
  const count = gathered.length / 3;
  const parts = Math.min(THREADS, count);
  let from = 0;
  for (let part = 0; part < parts; part++) {
    const to = Math.round(((part + 1) * count) / parts) * 3;
    send((turn + part) % THREADS, gathered.slice(from, to));
    from = to;
  }
  turn = (turn + parts) % THREADS;
}

function send(slot: number, sending: (number | string)[]): void {
  const target = (threads[slot] ??= start());
  const keys: [number, ParsedRsaKey['keyObject'], string][] = [];
  for (let i = 0; i < sending.length; i += 3) {
    waiting.get(sending[i] as number)!.on = target;
    const keyId = sending[i + 1] as number;
    if (target.keys.has(keyId)) continue;
    const [keyObject, hash] = registered.get(keyId)!;
    keys.push([keyId, keyObject, hash]);
    target.keys.add(keyId);
  }
  target.pending += sending.length / 3;
  target.worker.ref();
  target.worker.postMessage(keys.length > 0 ? { keys, batch: sending } : { batch: sending });
}

/** A signer whose signatures are made on the signing thread; same interface and bytes as createRsaSigner. */
export function createThreadedRsaSigner(key: ParsedRsaKey, algorithm: SignAlgorithm): RsaSigner {
  if (key.kind !== 'private') throw new KeyFormatError('signing needs a private key');
  const keyId = nextKeyId++;
  registered.set(keyId, [key.keyObject, SIGN_HASH[algorithm]]);
  return {
    algorithm,
    sign(content) {
      return new Promise<string>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject, on: null });
        batch.push(id, keyId, content);
        if (!flushing) {
          flushing = true;
          // After this turn's I/O callbacks: every order that arrived in the turn shares the message.
          setImmediate(flush);
        }
      });
    },
  };
}

/** Stops the signing threads (tests, shutdown): signatures waiting on them are rejected; the next batch starts new ones. */
export async function stopSigningThreads(): Promise<void> {
  const stopping = threads.filter((t): t is SigningThread => t !== null);
  threads.fill(null);
  await Promise.all(stopping.map((t) => t.worker.terminate()));
}
