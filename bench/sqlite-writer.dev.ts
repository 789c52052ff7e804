// Ad-hoc (not part of pnpm bench): SQLITE_WRITER=inline against SQLITE_WRITER=thread, side by side.
// Both BFFs run at once on the same keys (one session token serves both), each on its own SQLite
// file. Alternating rounds (measureRounds) give orders/s and CPU per order; then, in alternating
// order, each mode's GET /healthz p99 every 10 ms idle and under a 16-connection order load, with
// the event-loop thread's split. QUICK=1 for a short run. Prints one JSON object.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createSession, ORDER_BODY, prepareDataDir, startBff, type BffProcess } from './lib/bff';
import { progress } from './lib/log';
import { installCleanup, makeScratchDir, removeScratchDir, threadShares, threadTimes } from './lib/processes';
import { median, ratio } from './lib/stats';
import { pacedGetScript, postScript, runWrk } from './lib/wrk';
import { measureRounds } from './lib/order-rounds';

const MODES = ['inline', 'thread'] as const;
const quick = process.env.QUICK === '1';
installCleanup();
const dir = makeScratchDir('writer');
await prepareDataDir(dir);
const loadBefore = loadavg();
const bffs = new Map<(typeof MODES)[number], BffProcess>();
try {
  for (const mode of MODES)
    bffs.set(mode, await startBff({ dataDir: dir, env: { SQLITE_WRITER: mode, DATABASE_URL: `sqlite://${join(dir, `${mode}.db`)}` } }));
  const session = await createSession(bffs.get('inline')!.url);
  const targets = MODES.map((mode) => ({ id: mode as never, label: mode, url: bffs.get(mode)!.url, pid: bffs.get(mode)!.pid }));
  const rounds = await measureRounds({ dataDir: dir, quick, connections: 16, token: session.token, targets });
  const perRound = (mode: string) => rounds.targets.find((t) => t.label === mode)!.perRound;
  const threadToInline = median(perRound('thread').map((rps, i) => ratio(rps, perRound('inline')[i]!)));

  const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
  const probeS = quick ? 2 : 5;
  const probes: Record<string, { idleP99Ms: number[]; loadedP99Ms: number[]; ratio: number[]; loopOnCpu: number[]; loopAsleep: number[] }> =
    Object.fromEntries(MODES.map((m) => [m, { idleP99Ms: [], loadedP99Ms: [], ratio: [], loopOnCpu: [], loopAsleep: [] }]));
  for (const mode of quick ? MODES : [...MODES, ...[...MODES].reverse()]) {
    const bff = bffs.get(mode)!;
    const probe = () => runWrk({ url: `${bff.url}/healthz`, script: pacedGetScript(10), dir, connections: 1, durationS: probeS });
    await runWrk({ url: `${bff.url}/healthz`, script: pacedGetScript(10), dir, connections: 1, durationS: 1 });
    const idle = await probe();
    const loopBefore = threadTimes(bff.pid);
    const load = runWrk({ url: `${bff.url}/api/orders`, script, dir, connections: 16, durationS: probeS + 2 });
    await new Promise((r) => setTimeout(r, 1000));
    const loaded = await probe();
    const split = threadShares(loopBefore, threadTimes(bff.pid));
    await load;
    const p = probes[mode]!;
    p.idleP99Ms.push(idle.latencyMs.p99);
    p.loadedP99Ms.push(loaded.latencyMs.p99);
    p.ratio.push(ratio(loaded.latencyMs.p99, idle.latencyMs.p99));
    if (split) {
      p.loopOnCpu.push(split.onCpu);
      p.loopAsleep.push(split.asleep);
    }
    progress(`writer ${mode}: /healthz p99 idle ${idle.latencyMs.p99.toFixed(1)} ms, loaded ${loaded.latencyMs.p99.toFixed(1)} ms`);
  }
  console.log(
    JSON.stringify(
      {
        loadAverage: { before: loadBefore, after: loadavg() },
        rounds: { rounds: rounds.rounds, roundS: rounds.roundS, targets: rounds.targets, threadToInline },
        healthz: Object.fromEntries(
          Object.entries(probes).map(([mode, p]) => [mode, { ...p, medianRatio: median(p.ratio), medianLoopOnCpu: median(p.loopOnCpu) }]),
        ),
      },
      null,
      2,
    ),
  );
} finally {
  for (const bff of bffs.values()) await bff.stop();
  removeScratchDir(dir);
}
