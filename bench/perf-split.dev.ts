// Ad-hoc (not part of pnpm bench): where an order's CPU goes, measured by `perf` (true CPU time of
// every thread, not V8's wall-clock samples), for the BFF and the reference route under the same wrk
// load, one after the other, split by part (lib/perf-split.ts).
//   [BENCH_BFF_SERVER=/other/copy/bff/src/server.ts] [SECS=6] [ONLY=bff] [FRAMES=1] node --import tsx bench/perf-split.dev.ts
// Needs `perf` (linux-perf) and permission to attach (root, or kernel.perf_event_paranoid ≤ 1).
import { createSession, ORDER_BODY, prepareDataDir, startBff } from './lib/bff';
import { startReference } from './lib/order-rounds';
import { printSplit, splitUnderLoad } from './lib/perf-split';
import { installCleanup, makeScratchDir, removeScratchDir, stopTracked } from './lib/processes';
import { postScript, runWrk } from './lib/wrk';

installCleanup();
const secs = Number(process.env.SECS ?? 6);
// FRAMES=1 also prints the heaviest frames (innermost outside Node's core, and the project's inclusive).
const frames = process.env.FRAMES === '1';
const dir = makeScratchDir('perf-split');
try {
  await prepareDataDir(dir);
  const env = { NODE_OPTIONS: '--perf-basic-prof' };
  const bff = await startBff({ dataDir: dir, env });
  const session = await createSession(bff.url);
  const reference = process.env.ONLY === 'bff' ? null : await startReference('store', dir, env);
  const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
  const targets = [{ name: 'bff', url: bff.url, pid: bff.pid }];
  if (reference) targets.push({ name: 'reference', url: reference.url, pid: reference.tracked.child.pid! });
  for (const t of targets) {
    const url = `${t.url}/api/orders`;
    await runWrk({ url, script, dir, connections: 16, durationS: 2 });
    let rps = 0;
    const s = await splitUnderLoad(
      t.pid,
      `${dir}/${t.name}.perf`,
      secs,
      async () => {
        ({ rps } = await runWrk({ url, script, dir, connections: 16, durationS: secs + 1 }));
        return { rps };
      },
      frames,
    );
    printSplit(`${t.name}: ${rps.toFixed(0)} orders/s`, s, 'order');
    if (frames)
      for (const view of ['self', 'inclusive'] as const) {
        console.log(`  ${view}:`);
        for (const [f, us] of s[view].slice(0, 40)) console.log(`${us.toFixed(1).padStart(8)} µs  ${f}`);
      }
  }
  await bff.stop();
  if (reference) await stopTracked(reference.tracked);
} finally {
  removeScratchDir(dir);
}
