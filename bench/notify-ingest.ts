/**
 * 4. Notification ingest. Distinct PENDING orders are created beforehand through the API; for each,
 * a notification is signed with the sandbox gateway's private key (signTestNotification, the BFF's
 * own test helper). autocannon (programmatic, in this process) then delivers them to
 * POST /notify/alipayhk, each request carrying a different pre-signed body (a body factory behind
 * `setupRequest`), and the store is read afterwards to prove each one was committed and turned its
 * order SUCCEEDED. The reference (lib/notify-reference.ts, its own process) verifies the same
 * envelope, commits the same rows into a copy of the same store and signs the same acknowledgement.
 * The notifications are split into slices: each round delivers one fresh slice to the BFF and
 * another to the reference, in alternating order, and the ratio is the median of the per-round ratios.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { parseRsaKey } from '../bff/src/channels/alipayhk/signing';
import { signTestNotification } from '../bff/src/channels/alipayhk/testing';
import { SANDBOX_ALIPAYHK_CLIENT_ID, SANDBOX_ALIPAYHK_MERCHANT_ID } from '../bff/src/config';
import type { SandboxKeys } from '../sandbox/src/keys';
import { createSession, ORDER_BODY, REPO_ROOT, startBff, type CreatedOrder } from './lib/bff';
import { probeCommits, type CommitProbeResult } from './lib/commit-probe';
import { progress } from './lib/log';
import { freePort, startTracked, stopTracked, treeCpuSeconds, waitForHttp } from './lib/processes';
import { fmt, median, ratio } from './lib/stats';
import { postScript, runWrk } from './lib/wrk';

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

export interface NotifyIngestResult {
  connections: number;
  ordersCreated: number;
  orderCreationS: number;
  ingest: LoadFigures;
  /** Rounds of fresh notifications, alternating between the BFF and the reference. */
  rounds: { count: number; perSlice: number; bff: LoadFigures[]; reference: LoadFigures[]; ratios: number[] };
  reference: { rps: number; cpuMsPerRequest: number; committed: { succeededOrders: number; notificationRows: number } };
  /** BFF CPU (all threads) per delivered notification, ms. */
  cpuMsPerNotification: number;
  /** The BFF's event-loop thread during the ingest (shares of wall time); null without schedstat. */
  eventLoop: { onCpu: number; waitingForCpu: number; asleep: number } | null;
  /** Cores the BFF kept busy during the ingest, and the whole machine (autocannon and everyone else included). */
  coresUsed: number;
  machine: { busy: number; stolen: number } | null;
  committed: { succeededOrders: number; notificationRows: number; duplicates: number };
  disk: { before: CommitProbeResult; after: CommitProbeResult };
  bytesPerPaidOrder: number;
  peakRssBytes: number | null;
  ratio: number;
}

function toFigures(result: autocannon.Result, answered: number, durationS: number): LoadFigures {
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
function fire(options: { url: string; connections: number; bodies: readonly string[]; amount?: number; durationS?: number }): Promise<LoadFigures> {
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

/** The PENDING orders the API created, read back from the store (merchantTransId and amount). */
function pendingOrders(file: string): CreatedOrder[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT id, merchant_trans_id, amount, currency FROM orders WHERE status = 'PENDING' AND payment IS NOT NULL").all() as {
      id: string;
      merchant_trans_id: string;
      amount: number;
      currency: string;
    }[];
    return rows.map((r) => ({ id: r.id, merchantTransId: r.merchant_trans_id, amount: { currency: r.currency, value: String(r.amount) } }));
  } finally {
    db.close();
  }
}

async function signAll(orders: readonly CreatedOrder[], keys: SandboxKeys): Promise<string[]> {
  const gatewayKey = parseRsaKey(keys.gatewayPrivatePem, 'private');
  const bodies: string[] = new Array(orders.length);
  const lanes = 8;
  let i = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (i < orders.length) {
        const index = i++;
        const order = orders[index]!;
        bodies[index] = await signTestNotification(
          { clientId: SANDBOX_ALIPAYHK_CLIENT_ID, merchantId: SANDBOX_ALIPAYHK_MERCHANT_ID, merchantTransId: order.merchantTransId, amount: order.amount },
          gatewayKey,
        );
      }
    }),
  );
  return bodies;
}

function sumFigures(runs: LoadFigures[]): LoadFigures {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const durationS = runs.reduce((n, r) => n + r.durationS, 0);
  return {
    requests,
    durationS,
    rps: requests / durationS,
    latencyMs: { p50: median(runs.map((r) => r.latencyMs.p50)), p99: median(runs.map((r) => r.latencyMs.p99)), max: Math.max(...runs.map((r) => r.latencyMs.max)) },
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
  };
}

function countPaid(file: string): { succeededOrders: number; notificationRows: number; duplicates: number; orderCount: number } {
  const db = new Database(file, { readonly: true });
  try {
    const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      succeededOrders: n("SELECT COUNT(*) AS n FROM orders WHERE status = 'SUCCEEDED'"),
      notificationRows: n('SELECT COUNT(*) AS n FROM notifications'),
      duplicates: n('SELECT COALESCE(SUM(deliveries - 1), 0) AS n FROM notifications'),
      orderCount: n('SELECT COUNT(*) AS n FROM orders'),
    };
  } finally {
    db.close();
  }
}

export async function measureNotifyIngest(options: { dataDir: string; keys: SandboxKeys; quick: boolean }): Promise<NotifyIngestResult> {
  const connections = 16;
  const creationS = options.quick ? 3 : 10;
  const rounds = options.quick ? 3 : 6;
  const probeMs = options.quick ? 300 : 1000;
  const maxOrders = 40_000;

  progress('notify: starting the BFF (both cores)');
  const bff = await startBff({ dataDir: options.dataDir });
  let peakRssBytes: number | null = null;
  let reference: ReturnType<typeof startTracked> | null = null;
  const file = join(options.dataDir, 'tradepay.db');
  const referenceFile = join(options.dataDir, 'notify-reference.db');
  try {
    const session = await createSession(bff.url);
    // Enough for a warm-up and two fresh slices per round: a busy machine may need more than one pass.
    const needed = 4 * rounds * connections;
    let orderCreationS = 0;
    let orders: CreatedOrder[] = [];
    for (let pass = 0; pass < 4 && orders.length < needed; pass++) {
      progress(`notify: creating PENDING orders through POST /api/orders for ${creationS} s (wrk, ${connections} connections)`);
      const created = await runWrk({
        url: `${bff.url}/api/orders`,
        script: postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` }),
        dir: options.dataDir,
        connections,
        durationS: creationS,
      });
      orderCreationS += created.durationS;
      orders = pendingOrders(file).slice(0, maxOrders);
    }
    if (orders.length < needed) throw new Error(`too few orders were created: ${orders.length} of ${needed}`);
    progress(`notify: ${orders.length} orders created; signing ${orders.length} notifications with the gateway key`);
    const bodies = await signAll(orders, options.keys);
    // The reference commits into a copy of the same store, so it finds the same orders.
    const source = new Database(file, { readonly: true });
    await source.backup(referenceFile);
    source.close();

    const referencePort = await freePort();
    reference = startTracked(process.execPath, ['--import', 'tsx', 'bench/lib/notify-reference.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(referencePort),
        DB_FILE: referenceFile,
        GATEWAY_KEY_FILE: join(options.dataDir, 'keys', 'gateway-public.pem'),
        MERCHANT_KEY_FILE: join(options.dataDir, 'keys', 'merchant-private.pem'),
      },
    });
    const referenceUrl = `http://127.0.0.1:${referencePort}`;
    await waitForHttp(`${referenceUrl}/healthz`, reference);
    const referencePid = reference.child.pid!;

    // Slices: a warm-up for each, then two fresh slices per round; nobody gets a body twice.
    const warm = Math.min(500, Math.floor(bodies.length / 20));
    const perSlice = Math.floor((bodies.length - 2 * warm) / (2 * rounds));
    let cursor = 0;
    const slice = (n: number) => bodies.slice(cursor, (cursor += n));
    // A few requests of headroom: autocannon builds each connection's first request up front.
    const deliver = (url: string, part: string[]) => fire({ url, connections, bodies: part, amount: Math.max(connections, part.length - connections) });
    await deliver(`${bff.url}/notify/alipayhk`, slice(warm));
    await deliver(`${referenceUrl}/notify/alipayhk`, slice(warm));

    const diskBefore = probeCommits(options.dataDir, probeMs);
    progress(`notify: ${rounds} rounds of ${perSlice} notifications each to the BFF and to the reference (disk: ${fmt(diskBefore.commitsPerSecond)} commits/s)`);
    const bffRuns: LoadFigures[] = [];
    const referenceRuns: LoadFigures[] = [];
    let bffCpuS = 0;
    let referenceCpuS = 0;
    for (let round = 0; round < rounds; round++) {
      const sides = [
        async () => {
          const cpu = bff.cpuSeconds() ?? Number.NaN;
          bffRuns.push(await deliver(`${bff.url}/notify/alipayhk`, slice(perSlice)));
          bffCpuS += (bff.cpuSeconds() ?? Number.NaN) - cpu;
        },
        async () => {
          const cpu = treeCpuSeconds(referencePid) ?? Number.NaN;
          referenceRuns.push(await deliver(`${referenceUrl}/notify/alipayhk`, slice(perSlice)));
          referenceCpuS += (treeCpuSeconds(referencePid) ?? Number.NaN) - cpu;
        },
      ];
      if (round % 2) sides.reverse();
      for (const side of sides) await side();
      progress(`notify: round ${round + 1}/${rounds}: BFF ${fmt(bffRuns.at(-1)!.rps)}/s, reference ${fmt(referenceRuns.at(-1)!.rps)}/s`);
    }
    const diskAfter = probeCommits(options.dataDir, probeMs);
    await stopTracked(reference);
    reference = null;
    peakRssBytes = (await bff.stop()).peakRssBytes;

    const ingest = sumFigures(bffRuns);
    const referenceFigures = sumFigures(referenceRuns);
    const ratios = bffRuns.map((r, i) => ratio(r.rps, referenceRuns[i]!.rps));
    const counts = countPaid(file);
    const referenceCounts = countPaid(referenceFile);
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // Every order in this store was created and then paid: order row, evidence, notification, transition.
    const bytesPerPaidOrder = statSync(file).size / Math.max(1, counts.orderCount);
    const result = {
      connections,
      ordersCreated: orders.length,
      orderCreationS,
      ingest,
      rounds: { count: rounds, perSlice, bff: bffRuns, reference: referenceRuns, ratios },
      reference: {
        rps: median(referenceRuns.map((r) => r.rps)),
        cpuMsPerRequest: (referenceCpuS * 1000) / Math.max(1, referenceFigures.requests),
        committed: { succeededOrders: referenceCounts.succeededOrders, notificationRows: referenceCounts.notificationRows },
      },
      cpuMsPerNotification: (bffCpuS * 1000) / Math.max(1, ingest.requests),
      eventLoop: null,
      coresUsed: bffCpuS / ingest.durationS,
      machine: null,
      committed: { succeededOrders: counts.succeededOrders, notificationRows: counts.notificationRows, duplicates: counts.duplicates },
      disk: { before: diskBefore, after: diskAfter },
      bytesPerPaidOrder,
      peakRssBytes,
      ratio: median(ratios),
    };
    progress(`notify: BFF ${fmt(median(bffRuns.map((r) => r.rps)))}/s, reference ${fmt(result.reference.rps)}/s, ratio ${result.ratio.toFixed(2)}; ${counts.succeededOrders} orders SUCCEEDED`);
    return result;
  } finally {
    if (reference) await stopTracked(reference);
    await bff.stop();
  }
}
