/**
 * The longer runs of 2 + 3, on the BFF alone: one load run per configuration, giving CPU per order
 * (all threads and the event-loop thread), the event loop's time on and off a CPU and, on the rated
 * configuration, the /healthz probe (a second wrk on one connection asking GET /healthz every 10 ms,
 * its p99 compared with the same prober's on the idle BFF just before); a durable-commit probe runs
 * before and after. Then a short profiled run (`node --cpu-prof`) for the split of an order's CPU.
 */
import { join } from 'node:path';
import { createSession, ORDER_BODY, startBff } from './bff';
import { probeCommits, type CommitProbeResult } from './commit-probe';
import { progress } from './log';
import { machineCores, machineCpu, stopTracked, threadShares, threadTimes } from './processes';
import { startReference } from './order-rounds';
import { perfUsable, splitUnderLoad } from './perf-split';
import { readCpuSplit, type CpuSplit } from './profile';
import { fmt, fmtMs, ratio } from './stats';
import { pacedGetScript, postScript, runWrk, type WrkResult } from './wrk';

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

export interface HealthzProbe {
  probeDelayMs: number;
  idle: WrkResult;
  loaded: WrkResult;
  p99Ratio: number;
}

export interface LoadSettings {
  dataDir: string;
  connections: number;
  durationS: number;
  warmupS: number;
  /** How long each durable-commit probe runs, ms. */
  probeMs: number;
}

const PROBE_DELAY_MS = 10;
const pct = (share: number) => `${Math.round(share * 100)}%`;

/** GET /healthz every PROBE_DELAY_MS on one connection. */
function probeHealthz(bffUrl: string, dir: string, durationS: number): Promise<WrkResult> {
  return runWrk({ url: `${bffUrl}/healthz`, script: pacedGetScript(PROBE_DELAY_MS), dir, connections: 1, durationS });
}

/** One configuration's longer run; `probing` adds the /healthz prober. */
export async function measureLongerRun(
  config: { label: string; cpus: string | null; env: Record<string, string> },
  settings: LoadSettings,
  probing: boolean,
): Promise<{ run: OrdersRun; healthz: HealthzProbe | null }> {
  const { dataDir: dir, connections, durationS } = settings;
  const probeS = Math.max(1, durationS - 2);
  progress(`orders: starting the BFF, ${config.label}`);
  const bff = await startBff({ dataDir: dir, cpus: config.cpus, env: config.env });
  try {
    const session = await createSession(bff.url);
    const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
    const url = `${bff.url}/api/orders`;
    await runWrk({ url, script, dir, connections, durationS: settings.warmupS });
    let idle: WrkResult | null = null;
    if (probing) {
      // The route's first calls are cold (lazy compilation): warm it before its idle p99 is taken.
      await probeHealthz(bff.url, dir, 1);
      progress(`orders: GET /healthz every ${PROBE_DELAY_MS} ms on the idle BFF, ${probeS} s`);
      idle = await probeHealthz(bff.url, dir, probeS);
    }
    const diskBefore = probeCommits(dir, settings.probeMs);
    progress(
      `orders: wrk -c ${connections} -d ${durationS}s POST /api/orders${probing ? ' + /healthz prober' : ''} (disk: ${fmt(diskBefore.commitsPerSecond)} commits/s)`,
    );
    const cpuBefore = bff.cpuSeconds() ?? Number.NaN;
    const loopBefore = threadTimes(bff.pid);
    const machineBefore = machineCpu();
    const loadStarted = performance.now();
    const load = runWrk({ url, script, dir, connections, durationS });
    let loaded: WrkResult | null = null;
    if (probing) {
      await new Promise((r) => setTimeout(r, 1000));
      loaded = await probeHealthz(bff.url, dir, probeS);
    }
    const wrk = await load;
    const loopAfter = threadTimes(bff.pid);
    const machine = machineCores(machineBefore, machineCpu());
    const cpuSeconds = (bff.cpuSeconds() ?? Number.NaN) - cpuBefore;
    const cpuMsPerOrder = (cpuSeconds * 1000) / Math.max(1, wrk.requests);
    const coresUsed = cpuSeconds / ((performance.now() - loadStarted) / 1000);
    const eventLoop = threadShares(loopBefore, loopAfter);
    const diskAfter = probeCommits(dir, settings.probeMs);
    const { peakRssBytes } = await bff.stop();
    const eventLoopCpuMsPerOrder =
      loopBefore && loopAfter ? (loopAfter.onCpuNs - loopBefore.onCpuNs) / 1e6 / Math.max(1, wrk.requests) : null;
    const run: OrdersRun = {
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
    };
    progress(
      `orders: ${config.label}: ${fmt(wrk.rps)} orders/s, p50 ${fmtMs(wrk.latencyMs.p50)}, p99 ${fmtMs(wrk.latencyMs.p99)}, ${wrk.errorsTotal} errors, ${cpuMsPerOrder.toFixed(2)} ms CPU/order${eventLoop ? `, event loop ${pct(eventLoop.onCpu)} on CPU / ${pct(eventLoop.waitingForCpu)} waiting for one / ${pct(eventLoop.asleep)} asleep` : ''}`,
    );
    if (!idle || !loaded) return { run, healthz: null };
    progress(`orders: /healthz p99 idle ${fmtMs(idle.latencyMs.p99)}, under load ${fmtMs(loaded.latencyMs.p99)}`);
    return { run, healthz: { probeDelayMs: PROBE_DELAY_MS, idle, loaded, p99Ratio: ratio(loaded.latencyMs.p99, idle.latencyMs.p99) } };
  } finally {
    await bff.stop();
  }
}

/** One server's CPU per order by part, as perf measured it (µs; the event loop's parts). */
export interface PerfSplitSummary {
  rps: number;
  allUs: number;
  mainUs: number;
  parts: (readonly [string, number])[];
}

/** The split of an order's CPU: perf's (true CPU time, BFF and reference), or V8's event-loop profile where perf cannot run. */
export type OrdersProfile =
  { tool: 'perf'; bff: PerfSplitSummary; reference: PerfSplitSummary } | (CpuSplit & { tool?: 'v8'; orders: number });

/**
 * With `perf`: the BFF and the reference route each loaded in turn with perf attached (every thread,
 * true CPU time), split by part (lib/perf-split.ts). Without it: V8's profile of the BFF alone.
 */
export async function profileOrders(settings: LoadSettings, quick: boolean): Promise<OrdersProfile | null> {
  return perfUsable() ? perfProfileOrders(settings, quick) : v8ProfileOrders(settings, quick);
}

async function perfProfileOrders(settings: LoadSettings, quick: boolean): Promise<OrdersProfile> {
  const { dataDir: dir, connections } = settings;
  const env = { NODE_OPTIONS: '--perf-basic-prof' };
  progress('orders: perf of the BFF and of the reference route under order load');
  const bff = await startBff({ dataDir: dir, env });
  const reference = await startReference('store', dir, env);
  try {
    const session = await createSession(bff.url);
    const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
    const seconds = quick ? 2 : 5;
    const measure = async (url: string, pid: number, name: string): Promise<PerfSplitSummary> => {
      await runWrk({ url: `${url}/api/orders`, script, dir, connections, durationS: settings.warmupS });
      let rps = 0;
      const s = await splitUnderLoad(pid, join(dir, `${name}.perf`), seconds, async () => {
        ({ rps } = await runWrk({ url: `${url}/api/orders`, script, dir, connections, durationS: seconds + 1 }));
        return { rps };
      });
      progress(`orders: perf ${name}: ${fmt(s.allUs, 0)} µs of CPU per order (${fmt(s.mainUs, 0)} µs on the event loop)`);
      return { rps, allUs: s.allUs, mainUs: s.mainUs, parts: s.parts };
    };
    return {
      tool: 'perf',
      bff: await measure(bff.url, bff.pid, 'bff'),
      reference: await measure(reference.url, reference.tracked.child.pid!, 'reference'),
    };
  } finally {
    await bff.stop();
    await stopTracked(reference.tracked);
  }
}

/** The V8 profile: its own short run, since profiling slows the process it watches. */
async function v8ProfileOrders(settings: LoadSettings, quick: boolean): Promise<OrdersProfile | null> {
  const { dataDir: dir, connections } = settings;
  const profileDir = join(dir, 'profile');
  progress('orders: a CPU profile of the BFF under order load');
  const profiled = await startBff({ dataDir: dir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  try {
    const session = await createSession(profiled.url);
    const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
    await runWrk({ url: `${profiled.url}/api/orders`, script, dir, connections, durationS: settings.warmupS });
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const load = await runWrk({ url: `${profiled.url}/api/orders`, script, dir, connections, durationS: quick ? 2 : 4 });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await profiled.stop();
    const split = readCpuSplit(profileDir, { fromUs, toUs });
    return split ? { ...split, orders: load.requests } : null;
  } finally {
    await profiled.stop();
  }
}
