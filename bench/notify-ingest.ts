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
import Database from 'better-sqlite3';
import type { SandboxKeys } from '../sandbox/src/keys';
import { startBff } from './lib/bff';
import { probeCommits, type CommitProbeResult } from './lib/commit-probe';
import { progress } from './lib/log';
import { fire, startNotifyReference, sumFigures, type LoadFigures } from './lib/notify-load';
import { countPaid, createPendingOrders, signAll } from './lib/notify-store';
import { stopTracked, treeCpuSeconds, type Tracked } from './lib/processes';
import { fmt, median, ratio } from './lib/stats';

export type { LoadFigures } from './lib/notify-load';

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

export async function measureNotifyIngest(options: { dataDir: string; keys: SandboxKeys; quick: boolean }): Promise<NotifyIngestResult> {
  const connections = 16;
  const creationS = options.quick ? 3 : 10;
  const rounds = options.quick ? 3 : 6;
  const probeMs = options.quick ? 300 : 1000;
  const maxOrders = 40_000;

  progress('notify: starting the BFF (both cores)');
  const bff = await startBff({ dataDir: options.dataDir });
  let peakRssBytes: number | null = null;
  let reference: Tracked | null = null;
  const file = join(options.dataDir, 'tradepay.db');
  const referenceFile = join(options.dataDir, 'notify-reference.db');
  try {
    // Enough for a warm-up and two fresh slices per round: a busy machine may need more than one pass.
    const { orders, orderCreationS } = await createPendingOrders({
      url: bff.url,
      file,
      dataDir: options.dataDir,
      connections,
      passS: creationS,
      needed: 4 * rounds * connections,
      max: maxOrders,
    });
    progress(`notify: ${orders.length} orders created; signing ${orders.length} notifications with the gateway key`);
    const bodies = await signAll(orders, options.keys);
    // The reference commits into a copy of the same store, so it finds the same orders.
    const started = await startNotifyReference({ dataDir: options.dataDir, file, copyTo: referenceFile });
    reference = started.tracked;
    const referenceUrl = started.url;
    const referencePid = reference.child.pid!;

    // Slices: a warm-up for each, then two fresh slices per round; nobody gets a body twice.
    const warm = Math.min(500, Math.floor(bodies.length / 20));
    const perSlice = Math.floor((bodies.length - 2 * warm) / (2 * rounds));
    let cursor = 0;
    const slice = (n: number) => bodies.slice(cursor, (cursor += n));
    // A few requests of headroom: autocannon builds each connection's first request up front.
    const deliver = (url: string, part: string[]) =>
      fire({ url, connections, bodies: part, amount: Math.max(connections, part.length - connections) });
    await deliver(`${bff.url}/notify/alipayhk`, slice(warm));
    await deliver(`${referenceUrl}/notify/alipayhk`, slice(warm));

    const diskBefore = probeCommits(options.dataDir, probeMs);
    progress(
      `notify: ${rounds} rounds of ${perSlice} notifications each to the BFF and to the reference (disk: ${fmt(diskBefore.commitsPerSecond)} commits/s)`,
    );
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
    progress(
      `notify: BFF ${fmt(median(bffRuns.map((r) => r.rps)))}/s, reference ${fmt(result.reference.rps)}/s, ratio ${result.ratio.toFixed(2)}; ${counts.succeededOrders} orders SUCCEEDED`,
    );
    return result;
  } finally {
    if (reference) await stopTracked(reference);
    await bff.stop();
  }
}
