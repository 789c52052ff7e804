/** The notification ingest's load: autocannon delivering pre-signed bodies, its figures, and the reference's process. */
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { REPO_ROOT } from './bff';
import { freePort, startTracked, waitForHttp, type Tracked } from './processes';
import { median } from './stats';

export interface LoadFigures {
  requests: number;
  durationS: number;
  /** Answered requests per second. */
  rps: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function toFigures(result: autocannon.Result, answered: number, durationS: number): LoadFigures {
  return {
    requests: answered,
    durationS,
    rps: answered / durationS,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * One autocannon run. Rates are counted here, from the first request to the last answer: autocannon
 * only notices the end of an `amount` run at its next one-second tick, so its own duration would
 * round a 1.2 s run up to 2 s.
 */
export function fire(options: {
  url: string;
  connections: number;
  bodies: readonly string[];
  amount?: number;
  durationS?: number;
}): Promise<LoadFigures> {
  let next = 0;
  let answered = 0;
  let lastAnswerAt = 0;
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationS ?? 5 }),
        timeout: 10,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=UTF-8' },
            // Called for every request: each carries the next pre-signed body.
            setupRequest: (request) => ({ ...request, body: options.bodies[next++ % options.bodies.length]! }),
          },
        ],
      },
      (error, result) => {
        if (error) reject(error);
        else resolve(toFigures(result, answered, (lastAnswerAt - startedAt) / 1000));
      },
    );
    instance.on('response', () => {
      answered++;
      lastAnswerAt = performance.now();
    });
  });
}

export function sumFigures(runs: LoadFigures[]): LoadFigures {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const durationS = runs.reduce((n, r) => n + r.durationS, 0);
  return {
    requests,
    durationS,
    rps: requests / durationS,
    latencyMs: {
      p50: median(runs.map((r) => r.latencyMs.p50)),
      p99: median(runs.map((r) => r.latencyMs.p99)),
      max: Math.max(...runs.map((r) => r.latencyMs.max)),
    },
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
  };
}

/**
 * The reference (notify-reference.ts) as its own process, over a copy of the BFF's store `file`
 * (so it finds the same orders) at `copyTo`, with the keys of `dataDir`.
 */
export async function startNotifyReference(options: {
  dataDir: string;
  file: string;
  copyTo: string;
  env?: Record<string, string>;
}): Promise<{ url: string; tracked: Tracked }> {
  const source = new Database(options.file, { readonly: true });
  await source.backup(options.copyTo);
  source.close();
  const port = await freePort();
  const tracked = startTracked(process.execPath, ['--import', 'tsx', 'bench/lib/notify-reference.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...options.env,
      PORT: String(port),
      DB_FILE: options.copyTo,
      GATEWAY_KEY_FILE: join(options.dataDir, 'keys', 'gateway-public.pem'),
      MERCHANT_KEY_FILE: join(options.dataDir, 'keys', 'merchant-private.pem'),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, tracked);
  return { url, tracked };
}
