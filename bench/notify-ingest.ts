/**
 * 4. Notification ingest. Distinct PENDING orders are created beforehand through the API; for each,
 * a notification is signed with the sandbox gateway's private key (signTestNotification, the BFF's
 * own test helper). autocannon (programmatic, in this process) then delivers them to
 * POST /notify/alipayhk, each request carrying a different pre-signed body (a body factory behind
 * `setupRequest`), and the store is read afterwards to prove each one was committed and turned its
 * order SUCCEEDED. The baseline is a tiny Fastify server (lib/verify-server.ts) whose route only
 * verifies the signature with the same verifier, loaded the same way (before and after the ingest;
 * the mean of the two is used).
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
import { freePort, machineCores, machineCpu, startTracked, stopTracked, threadShares, threadTimes, treeCpuSeconds, waitForHttp } from './lib/processes';
import { fmt, fmtMs, ratio } from './lib/stats';
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
  verifyOnly: { before: LoadFigures; after: LoadFigures; rps: number; cpuMsPerRequest: number };
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

export async function measureNotifyIngest(options: { dataDir: string; keys: SandboxKeys; quick: boolean }): Promise<NotifyIngestResult> {
  const connections = 16;
  const creationS = options.quick ? 2 : 8;
  const baselineS = options.quick ? 1 : 4;
  const probeMs = options.quick ? 300 : 1000;
  const maxOrders = 30_000;

  progress('notify: starting the BFF (both cores)');
  const bff = await startBff({ dataDir: options.dataDir });
  let peakRssBytes: number | null = null;
  let verify: ReturnType<typeof startTracked> | null = null;
  try {
    const session = await createSession(bff.url);
    progress(`notify: creating PENDING orders through POST /api/orders for ${creationS} s (wrk, ${connections} connections)`);
    const created = await runWrk({
      url: `${bff.url}/api/orders`,
      script: postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` }),
      dir: options.dataDir,
      connections,
      durationS: creationS,
    });
    const orderCreationS = created.durationS;
    const orders = pendingOrders(join(options.dataDir, 'tradepay.db')).slice(0, maxOrders);
    if (orders.length === 0) throw new Error(`no order was created (wrk: ${JSON.stringify(created)})`);
    progress(`notify: ${orders.length} orders created; signing ${orders.length} notifications with the gateway key`);
    const bodies = await signAll(orders, options.keys);

    const verifyPort = await freePort();
    verify = startTracked(process.execPath, ['--import', 'tsx', 'bench/lib/verify-server.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: String(verifyPort), KEY_FILE: join(options.dataDir, 'keys', 'gateway-public.pem') },
    });
    const verifyUrl = `http://127.0.0.1:${verifyPort}`;
    await waitForHttp(`${verifyUrl}/healthz`, verify);
    await fire({ url: `${verifyUrl}/notify/alipayhk`, connections, bodies, durationS: 1 }); // warm-up
    progress(`notify: verify-only route, ${baselineS} s`);
    const verifyPid = verify.child.pid!;
    let verifyCpu = -(treeCpuSeconds(verifyPid) ?? Number.NaN);
    const before = await fire({ url: `${verifyUrl}/notify/alipayhk`, connections, bodies, durationS: baselineS });
    verifyCpu += treeCpuSeconds(verifyPid) ?? Number.NaN;

    const diskBefore = probeCommits(options.dataDir, probeMs);
    progress(`notify: delivering ${bodies.length} notifications to POST /notify/alipayhk (disk: ${fmt(diskBefore.commitsPerSecond)} commits/s)`);
    // A few requests of headroom: autocannon builds each connection's first request up front.
    const cpuBefore = bff.cpuSeconds() ?? Number.NaN;
    const loopBefore = threadTimes(bff.pid);
    const machineBefore = machineCpu();
    const ingest = await fire({ url: `${bff.url}/notify/alipayhk`, connections, bodies, amount: Math.max(connections, bodies.length - connections) });
    const machineAfter = machineCpu();
    const ingestCpuS = (bff.cpuSeconds() ?? Number.NaN) - cpuBefore;
    const cpuMsPerNotification = (ingestCpuS * 1000) / Math.max(1, ingest.requests);
    const coresUsed = ingestCpuS / ingest.durationS;
    // Only the active part counts: autocannon notices the end at its next one-second tick.
    const machine = machineBefore && machineAfter ? machineCores(machineBefore, { ...machineAfter, atMs: machineBefore.atMs + ingest.durationS * 1000 }) : null;
    const eventLoop = threadShares(loopBefore, threadTimes(bff.pid), ingest.durationS * 1000);
    const diskAfter = probeCommits(options.dataDir, probeMs);

    progress(`notify: verify-only route again, ${baselineS} s`);
    verifyCpu -= treeCpuSeconds(verifyPid) ?? Number.NaN;
    const after = await fire({ url: `${verifyUrl}/notify/alipayhk`, connections, bodies, durationS: baselineS });
    verifyCpu += treeCpuSeconds(verifyPid) ?? Number.NaN;
    await stopTracked(verify);
    verify = null;
    peakRssBytes = (await bff.stop()).peakRssBytes;

    const file = join(options.dataDir, 'tradepay.db');
    const db = new Database(file);
    const succeededOrders = Number((db.prepare("SELECT COUNT(*) AS n FROM orders WHERE status = 'SUCCEEDED'").get() as { n: number }).n);
    const notificationRows = Number((db.prepare('SELECT COUNT(*) AS n FROM notifications').get() as { n: number }).n);
    const duplicates = Number((db.prepare('SELECT COALESCE(SUM(deliveries - 1), 0) AS n FROM notifications').get() as { n: number }).n);
    const orderCount = Number((db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // Every order in this store was created and then paid: order row, evidence, notification, transition.
    const bytesPerPaidOrder = statSync(file).size / Math.max(1, orderCount);

    const verifyRps = (before.rps + after.rps) / 2;
    progress(`notify: ${fmt(ingest.rps)} notifications/s (p99 ${fmtMs(ingest.latencyMs.p99)}), verify-only ${fmt(verifyRps)}/s; ${succeededOrders} orders SUCCEEDED`);
    return {
      connections,
      ordersCreated: orders.length,
      orderCreationS,
      ingest,
      verifyOnly: { before, after, rps: verifyRps, cpuMsPerRequest: (verifyCpu * 1000) / Math.max(1, before.requests + after.requests) },
      cpuMsPerNotification,
      eventLoop,
      coresUsed,
      machine,
      committed: { succeededOrders, notificationRows, duplicates },
      disk: { before: diskBefore, after: diskAfter },
      bytesPerPaidOrder,
      peakRssBytes,
      ratio: ratio(ingest.rps, verifyRps),
    };
  } finally {
    if (verify) await stopTracked(verify);
    await bff.stop();
  }
}
