// Ad-hoc (not part of pnpm bench): where a notification's CPU goes, measured by `perf` (true CPU time of
// every thread), for the BFF and its reference (lib/notify-reference.ts), split by part
// (lib/perf-split.ts). PENDING orders are created through POST /api/orders and a notification signed
// for each exactly as notify-ingest.ts does; each round delivers a fresh slice to every target
// (autocannon, 16 connections), in rotating order, under `perf record`. With BENCH_BFF_CANDIDATE
// (another copy's server.ts) that BFF joins the rounds on a copy of the same store. The first BFF
// created the orders (its store holds their history, its process served the order load): to see a
// change from both sides, run again with BENCH_BFF_SERVER and BENCH_BFF_CANDIDATE swapped.
//   [BENCH_BFF_CANDIDATE=/other/copy/bff/src/server.ts] [ROUNDS=3] [SLICE=1500] [ONLY=bff] [FRAMES=1] node --import tsx bench/perf-notify.dev.ts
// FRAMES=1 also prints the heaviest frames (innermost outside Node's core, and the project's inclusive).
// Needs `perf` (linux-perf) and permission to attach (root, or kernel.perf_event_paranoid ≤ 1).
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { prepareDataDir, startBff } from './lib/bff';
import { fire, startNotifyReference } from './lib/notify-load';
import { countPaid, createPendingOrders, signAll } from './lib/notify-store';
import { printSplit, recordPerf, splitRecording } from './lib/perf-split';
import { installCleanup, makeScratchDir, removeScratchDir, stopTracked, treeCpuSeconds } from './lib/processes';
import { median } from './lib/stats';

installCleanup();
const rounds = Number(process.env.ROUNDS ?? 3);
const perSlice = Number(process.env.SLICE ?? 1500);
const connections = 16;
const warm = 300;
const frames = process.env.FRAMES === '1';
const dir = makeScratchDir('perf-notify');
const stops: (() => Promise<unknown>)[] = [];
try {
  const keys = await prepareDataDir(dir);
  const env = { NODE_OPTIONS: '--perf-basic-prof' };
  const file = join(dir, 'tradepay.db');
  const bff = await startBff({ dataDir: dir, env });
  stops.push(() => bff.stop());
  const candidateServer = process.env.BENCH_BFF_CANDIDATE;
  const withReference = process.env.ONLY !== 'bff';
  const count = 1 + (candidateServer ? 1 : 0) + (withReference ? 1 : 0);
  const needed = count * (warm + rounds * perSlice);
  // A busy machine creates orders slowly: as many passes as it takes, within reason.
  const { orders } = await createPendingOrders({
    url: bff.url,
    file,
    dataDir: dir,
    connections,
    passS: 8,
    needed,
    max: needed,
    passes: 20,
  });
  console.log(`${orders.length} PENDING orders; signing their notifications`);
  const bodies = await signAll(orders, keys);

  const targets: { name: string; url: string; pid: number; file: string }[] = [{ name: 'bff', url: bff.url, pid: bff.pid, file }];
  if (candidateServer) {
    const candidateDir = join(dir, 'candidate');
    mkdirSync(candidateDir);
    cpSync(join(dir, 'keys'), join(candidateDir, 'keys'), { recursive: true });
    const source = new Database(file, { readonly: true });
    await source.backup(join(candidateDir, 'tradepay.db'));
    source.close();
    const candidate = await startBff({ dataDir: candidateDir, env, server: candidateServer });
    stops.push(() => candidate.stop());
    targets.push({ name: 'candidate', url: candidate.url, pid: candidate.pid, file: join(candidateDir, 'tradepay.db') });
  }
  if (withReference) {
    const copyTo = join(dir, 'notify-reference.db');
    const reference = await startNotifyReference({ dataDir: dir, file, copyTo, env });
    stops.push(() => stopTracked(reference.tracked));
    targets.push({ name: 'reference', url: reference.url, pid: reference.tracked.child.pid!, file: copyTo });
  }

  let cursor = 0;
  const slice = (n: number) => bodies.slice(cursor, (cursor += n));
  const deliver = (url: string, part: string[]) =>
    fire({ url: `${url}/notify/alipayhk`, connections, bodies: part, amount: Math.max(connections, part.length - connections) });
  for (const t of targets) await deliver(t.url, slice(warm));

  const results = new Map(targets.map((t) => [t.name, [] as { rps: number; procUs: number; s: ReturnType<typeof splitRecording> }[]]));
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      const data = join(dir, `${t.name}-${round}.perf`);
      const perf = recordPerf(t.pid, data);
      const cpu = treeCpuSeconds(t.pid) ?? Number.NaN;
      const load = await deliver(t.url, slice(perSlice));
      const procUs = (((treeCpuSeconds(t.pid) ?? Number.NaN) - cpu) * 1e6) / load.requests;
      await perf.stop();
      if (load.non2xx || load.errors) throw new Error(`${t.name}: ${load.non2xx} non-2xx, ${load.errors} errors`);
      const s = splitRecording(data, t.pid, load.requests, frames);
      results.get(t.name)!.push({ rps: load.rps, procUs, s });
      console.log(
        `round ${round + 1} ${t.name}: ${load.rps.toFixed(0)}/s, ${s.allUs.toFixed(0)} µs all threads, ${s.mainUs.toFixed(0)} µs event loop (perf); ${procUs.toFixed(0)} µs (/proc)`,
      );
    }
  }
  for (const t of targets) {
    const runs = results.get(t.name)!;
    // The parts averaged over the rounds; the totals as medians.
    const parts = new Map<string, number>();
    for (const r of runs) for (const [p, us] of r.s.parts) parts.set(p, (parts.get(p) ?? 0) + us / runs.length);
    const s = {
      allUs: median(runs.map((r) => r.s.allUs)),
      mainUs: median(runs.map((r) => r.s.mainUs)),
      parts: [...parts].sort((a, b) => b[1] - a[1]),
    };
    const paid = countPaid(t.file);
    printSplit(
      `${t.name}: median ${median(runs.map((r) => r.rps)).toFixed(0)}/s, /proc ${median(runs.map((r) => r.procUs)).toFixed(0)} µs; ${paid.succeededOrders} SUCCEEDED, ${paid.notificationRows} notification rows`,
      s,
      'notification (median of rounds)',
    );
    if (!frames) continue;
    for (const view of ['threads', 'self', 'inclusive'] as const) {
      const sum = new Map<string, number>();
      for (const r of runs) for (const [f, us] of r.s[view]) sum.set(f, (sum.get(f) ?? 0) + us / runs.length);
      console.log(`  ${view}:`);
      for (const [f, us] of [...sum].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${us.toFixed(1).padStart(8)} µs  ${f}`);
    }
  }
} finally {
  for (const stop of stops.reverse()) await stop();
  removeScratchDir(dir);
}
