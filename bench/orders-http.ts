/**
 * 2 + 3. Order creation over HTTP. The BFF runs as its own process (SQLite in a scratch DATA_DIR,
 * sandbox-mode keys); wrk posts the same two-line cart with one buyer session's token, at saturation
 * (16 connections: enough to keep the thread pool's signers and the event loop busy at once).
 *
 * Rated: alternating rounds. The BFF, the reference route (lib/reference-server.ts: the least a
 * durable, authenticated order costs on this stack), the alipay-sdk route (no store) and — with a
 * PostgreSQL configured — the same BFF on PostgreSQL all run at once; each round loads each of them
 * in turn for a short wrk run, in rotating order, and every ratio is the median of the per-round
 * ratios (the shared machine drifts by tens of percent within seconds).
 *
 * Then one longer run on the BFF alone gives CPU per order, the event loop's split and the /healthz
 * probe: a second wrk on one connection asks GET /healthz every 10 ms; its p99 is compared with the
 * same prober's p99 on the idle BFF just before. A durable-commit probe runs before and after.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, ORDER_BODY, REPO_ROOT, startBff, type BffProcess } from './lib/bff';
import { probeCommits, type CommitProbeResult } from './lib/commit-probe';
import { progress } from './lib/log';
import {
  freePort,
  machineCores,
  machineCpu,
  pinPrefix,
  startTracked,
  stopTracked,
  threadShares,
  threadTimes,
  treeCpuSeconds,
  waitForHttp,
  type Tracked,
} from './lib/processes';
import { fmt, fmtMs, median, ratio } from './lib/stats';
import { pacedGetScript, postScript, runWrk, type WrkResult } from './lib/wrk';
import { readBffTraits } from './lib/bff-traits';
import { readCpuSplit, type CpuSplit } from './lib/profile';

export interface OrdersRun {
  label: string;
  /** taskset list for the BFF, or null (every core). */
  cpus: string | null;
  env: Record<string, string>;
  wrk: WrkResult;
  diskBefore: CommitProbeResult;
  diskAfter: CommitProbeResult;
  /** BFF CPU (all threads, both cores) per answered order during the load, in ms. */
  cpuMsPerOrder: number;
  /** Of that, the event-loop thread's own CPU per order (the rest is libuv's pool — the signatures — and V8's helpers), ms. */
  eventLoopCpuMsPerOrder: number | null;
  /** Cores the BFF kept busy during the load (CPU seconds per second). */
  coresUsed: number;
  /** Cores the whole machine kept busy meanwhile (the BFF, wrk, and everyone else's work), and cores stolen by the hypervisor. */
  machine: { busy: number; stolen: number } | null;
  /** The event-loop thread's time during the load (shares of wall time); null without schedstat. */
  eventLoop: { onCpu: number; waitingForCpu: number; asleep: number } | null;
  peakRssBytes: number | null;
}

/** One server in the alternating rounds. */
export interface RoundTarget {
  id: 'bff' | 'bff-postgres' | 'reference' | 'sdk';
  label: string;
  /** Median orders/s over the rounds, and each round's figure. */
  rps: number;
  perRound: number[];
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** The server's CPU (all threads) per answered order over its rounds, ms. */
  cpuMsPerOrder: number;
}

export interface OrdersRounds {
  rounds: number;
  roundS: number;
  targets: RoundTarget[];
  /** Median of the per-round ratios. */
  bffToReference: number;
  bffToSdk: number;
  /** The BFF on PostgreSQL against the same BFF on SQLite; null without a PostgreSQL. */
  postgresToSqlite: number | null;
}

export interface OrdersHttpResult {
  connections: number;
  durationS: number;
  runs: OrdersRun[];
  /** The configuration the longer run (CPU, event loop, /healthz) measured. */
  chosen: string;
  healthz: { probeDelayMs: number; idle: WrkResult; loaded: WrkResult; p99Ratio: number };
  rounds: OrdersRounds;
  /** A CPU profile of the event-loop thread during a separate, shorter order load; null if none was written. */
  profile: (CpuSplit & { orders: number }) | null;
  /** PostgreSQL under test (password masked) and the BFF's pool size, or null. */
  postgres: { url: string; poolSize: number | null } | null;
  ordersPerSecond: number;
  errors: number;
}

const RATED = '2 cores (one process)';
const pct = (share: number) => `${Math.round(share * 100)}%`;

/** A reference route (lib/reference-server.ts) as its own process, unpinned like the BFF. */
async function startReference(kind: 'store' | 'sdk', dataDir: string): Promise<{ url: string; tracked: Tracked }> {
  const port = await freePort();
  const tracked = startTracked(process.execPath, ['--import', 'tsx', 'bench/lib/reference-server.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      REFERENCE: kind,
      PORT: String(port),
      DATA_DIR: dataDir,
      // The BFF's own sandbox session secret, so the BFF's session token is valid on both.
      SESSION_SECRET: readFileSync(join(dataDir, 'keys', 'session-secret'), 'utf8'),
      KEY_FILE: join(dataDir, 'keys', 'merchant-private.pem'),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, tracked);
  return { url, tracked };
}

export async function measureRounds(options: {
  dataDir: string;
  quick: boolean;
  connections: number;
  token: string;
  targets: { id: RoundTarget['id']; label: string; url: string; pid: number }[];
}): Promise<OrdersRounds> {
  const rounds = options.quick ? 3 : 8;
  const roundS = options.quick ? 1 : 2;
  const script = postScript(ORDER_BODY, { Authorization: `Bearer ${options.token}` });
  const samples = new Map(options.targets.map((t) => [t.id, [] as WrkResult[]]));
  const cpuS = new Map(options.targets.map((t) => [t.id, 0]));
  for (const target of options.targets)
    await runWrk({ url: `${target.url}/api/orders`, script, dir: options.dataDir, connections: options.connections, durationS: 1 });
  for (let round = 0; round < rounds; round++) {
    // Rotating order: no server always goes first (or right after the heaviest one).
    const order = options.targets.map((_, i) => options.targets[(i + round) % options.targets.length]!);
    for (const target of order) {
      const cpu = treeCpuSeconds(target.pid) ?? Number.NaN;
      samples.get(target.id)!.push(
        await runWrk({
          url: `${target.url}/api/orders`,
          script,
          dir: options.dataDir,
          connections: options.connections,
          durationS: roundS,
        }),
      );
      cpuS.set(target.id, cpuS.get(target.id)! + (treeCpuSeconds(target.pid) ?? Number.NaN) - cpu);
    }
    progress(`orders: round ${round + 1}/${rounds}: ${order.map((t) => `${t.id} ${fmt(samples.get(t.id)!.at(-1)!.rps)}/s`).join(', ')}`);
  }
  const targets = options.targets.map((t): RoundTarget => {
    const runs = samples.get(t.id)!;
    return {
      id: t.id,
      label: t.label,
      rps: median(runs.map((r) => r.rps)),
      perRound: runs.map((r) => r.rps),
      p50Ms: median(runs.map((r) => r.latencyMs.p50)),
      p99Ms: median(runs.map((r) => r.latencyMs.p99)),
      errors: runs.reduce((n, r) => n + r.errorsTotal, 0),
      cpuMsPerOrder:
        (cpuS.get(t.id)! * 1000) /
        Math.max(
          1,
          runs.reduce((n, r) => n + r.requests, 0),
        ),
    };
  });
  const perRoundRatio = (a: RoundTarget['id'], b: RoundTarget['id']) => {
    const x = samples.get(a);
    const y = samples.get(b);
    return x && y ? median(x.map((r, i) => ratio(r.rps, y[i]!.rps))) : null;
  };
  return {
    rounds,
    roundS,
    targets,
    bffToReference: perRoundRatio('bff', 'reference')!,
    bffToSdk: perRoundRatio('bff', 'sdk')!,
    postgresToSqlite: perRoundRatio('bff-postgres', 'bff'),
  };
}

export async function measureOrdersHttp(options: {
  dataDir: string;
  quick: boolean;
  postgresUrl: string | null;
  postgresLabel?: string;
}): Promise<OrdersHttpResult> {
  const connections = 16;
  const durationS = options.quick ? 3 : 8;
  const probeMs = options.quick ? 300 : 1000;
  const warmupS = options.quick ? 1 : 2;
  const probeDelayMs = 10;

  progress(
    'orders: starting the BFF (SQLite), the reference route and the alipay-sdk route' +
      (options.postgresUrl ? ', and the BFF on PostgreSQL' : ''),
  );
  const started: { stop(): Promise<unknown> }[] = [];
  let rounds: OrdersRounds;
  try {
    const bff = await startBff({ dataDir: options.dataDir });
    started.push(bff);
    const session = await createSession(bff.url);
    const reference = await startReference('store', options.dataDir);
    started.push({ stop: () => stopTracked(reference.tracked) });
    const sdk = await startReference('sdk', options.dataDir);
    started.push({ stop: () => stopTracked(sdk.tracked) });
    const targets: { id: RoundTarget['id']; label: string; url: string; pid: number }[] = [
      { id: 'bff', label: '`POST /api/orders`, the BFF on SQLite (**rated**)', url: bff.url, pid: bff.pid },
      {
        id: 'reference',
        label: 'reference route (schema, HS256 session, counter, orderStr signed on the pool, one durable SQLite write)',
        url: reference.url,
        pid: reference.tracked.child.pid!,
      },
      { id: 'sdk', label: 'peer: alipay-sdk `sdkExecute` on the event loop, no store', url: sdk.url, pid: sdk.tracked.child.pid! },
    ];
    if (options.postgresUrl) {
      const onPostgres: BffProcess = await startBff({ dataDir: options.dataDir, env: { DATABASE_URL: options.postgresUrl } });
      started.push(onPostgres);
      targets.push({
        id: 'bff-postgres',
        label: '`POST /api/orders`, the same BFF on PostgreSQL',
        url: onPostgres.url,
        pid: onPostgres.pid,
      });
    }
    rounds = await measureRounds({ dataDir: options.dataDir, quick: options.quick, connections, token: session.token, targets });
  } finally {
    for (const server of started.reverse()) await server.stop();
  }

  const configs: { label: string; cpus: string | null; env: Record<string, string> }[] = [{ label: RATED, cpus: null, env: {} }];
  if (readBffTraits().clusterMode) configs.push({ label: '2 cores (WEB_CONCURRENCY=2)', cpus: null, env: { WEB_CONCURRENCY: '2' } });
  if (!pinPrefix('0').length) progress('orders: taskset is missing');
  const runs: OrdersRun[] = [];
  let healthz: OrdersHttpResult['healthz'] | null = null;
  for (const config of configs) {
    progress(`orders: starting the BFF, ${config.label}`);
    const bff = await startBff({ dataDir: options.dataDir, cpus: config.cpus, env: config.env });
    try {
      const session = await createSession(bff.url);
      const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
      const url = `${bff.url}/api/orders`;
      await runWrk({ url, script, dir: options.dataDir, connections, durationS: warmupS });
      const probing = !healthz && config.cpus === null;
      let idle: WrkResult | null = null;
      if (probing) {
        // The route's first calls are cold (lazy compilation): warm it before its idle p99 is taken.
        await runWrk({
          url: `${bff.url}/healthz`,
          script: pacedGetScript(probeDelayMs),
          dir: options.dataDir,
          connections: 1,
          durationS: 1,
        });
        progress(`orders: GET /healthz every ${probeDelayMs} ms on the idle BFF, ${Math.max(1, durationS - 2)} s`);
        idle = await runWrk({
          url: `${bff.url}/healthz`,
          script: pacedGetScript(probeDelayMs),
          dir: options.dataDir,
          connections: 1,
          durationS: Math.max(1, durationS - 2),
        });
      }
      const diskBefore = probeCommits(options.dataDir, probeMs);
      progress(
        `orders: wrk -c ${connections} -d ${durationS}s POST /api/orders${probing ? ' + /healthz prober' : ''} (disk: ${fmt(diskBefore.commitsPerSecond)} commits/s)`,
      );
      const cpuBefore = bff.cpuSeconds() ?? Number.NaN;
      const loopBefore = threadTimes(bff.pid);
      const machineBefore = machineCpu();
      const loadStarted = performance.now();
      const load = runWrk({ url, script, dir: options.dataDir, connections, durationS });
      let loaded: WrkResult | null = null;
      if (probing) {
        await new Promise((r) => setTimeout(r, 1000));
        loaded = await runWrk({
          url: `${bff.url}/healthz`,
          script: pacedGetScript(probeDelayMs),
          dir: options.dataDir,
          connections: 1,
          durationS: Math.max(1, durationS - 2),
        });
      }
      const wrk = await load;
      const loopAfter = threadTimes(bff.pid);
      const machine = machineCores(machineBefore, machineCpu());
      const cpuSeconds = (bff.cpuSeconds() ?? Number.NaN) - cpuBefore;
      const cpuMsPerOrder = (cpuSeconds * 1000) / Math.max(1, wrk.requests);
      const coresUsed = cpuSeconds / ((performance.now() - loadStarted) / 1000);
      const eventLoop = threadShares(loopBefore, loopAfter);
      const diskAfter = probeCommits(options.dataDir, probeMs);
      const { peakRssBytes } = await bff.stop();
      const eventLoopCpuMsPerOrder =
        loopBefore && loopAfter ? (loopAfter.onCpuNs - loopBefore.onCpuNs) / 1e6 / Math.max(1, wrk.requests) : null;
      runs.push({
        label: config.label,
        cpus: config.cpus,
        env: config.env,
        wrk,
        diskBefore,
        diskAfter,
        cpuMsPerOrder,
        eventLoopCpuMsPerOrder,
        coresUsed,
        machine,
        eventLoop,
        peakRssBytes,
      });
      progress(
        `orders: ${config.label}: ${fmt(wrk.rps)} orders/s, p50 ${fmtMs(wrk.latencyMs.p50)}, p99 ${fmtMs(wrk.latencyMs.p99)}, ${wrk.errorsTotal} errors, ${cpuMsPerOrder.toFixed(2)} ms CPU/order${eventLoop ? `, event loop ${pct(eventLoop.onCpu)} on CPU / ${pct(eventLoop.waitingForCpu)} waiting for one / ${pct(eventLoop.asleep)} asleep` : ''}`,
      );
      if (idle && loaded) {
        healthz = { probeDelayMs, idle, loaded, p99Ratio: ratio(loaded.latencyMs.p99, idle.latencyMs.p99) };
        progress(`orders: /healthz p99 idle ${fmtMs(idle.latencyMs.p99)}, under load ${fmtMs(loaded.latencyMs.p99)}`);
      }
    } finally {
      await bff.stop();
    }
  }
  // Rated: one process on both cores (the event loop on one, libuv's four signing threads across
  // both) — the default deployment. node:cluster over one SQLite file measured slower (BENCHMARKS.md).
  const chosen = runs.find((r) => r.label === RATED)!;
  // The profile: its own short run, since profiling slows the process it watches.
  const profileDir = join(options.dataDir, 'profile');
  progress('orders: a CPU profile of the BFF under order load');
  const profiled = await startBff({ dataDir: options.dataDir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  let profile: OrdersHttpResult['profile'] = null;
  try {
    const session = await createSession(profiled.url);
    const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
    await runWrk({ url: `${profiled.url}/api/orders`, script, dir: options.dataDir, connections, durationS: warmupS });
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const load = await runWrk({
      url: `${profiled.url}/api/orders`,
      script,
      dir: options.dataDir,
      connections,
      durationS: options.quick ? 2 : 4,
    });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await profiled.stop();
    const split = readCpuSplit(profileDir, { fromUs, toUs });
    profile = split ? { ...split, orders: load.requests } : null;
  } finally {
    await profiled.stop();
  }

  const bffRounds = rounds.targets.find((t) => t.id === 'bff')!;
  return {
    connections,
    durationS,
    runs,
    chosen: chosen.label,
    healthz: healthz!,
    rounds,
    profile,
    postgres: options.postgresUrl
      ? { url: options.postgresLabel ?? options.postgresUrl.replace(/\/\/[^@]*@/, '//***@'), poolSize: null }
      : null,
    ordersPerSecond: bffRounds.rps,
    errors: bffRounds.errors + chosen.wrk.errorsTotal,
  };
}
