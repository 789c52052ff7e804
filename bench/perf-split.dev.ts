// Ad-hoc (not part of pnpm bench): where an order's CPU goes, measured by `perf` (true CPU time of
// every thread, not V8's wall-clock samples), for the BFF and the reference route under the same wrk
// load, one after the other. Each main-thread sample is charged to the innermost JS frame outside
// Node's core that names a part (PARTS below); samples inside SQLite count as the store.
//   [BENCH_BFF_SERVER=/other/copy/bff/src/server.ts] [SECS=6] [ONLY=bff] node --import tsx bench/perf-split.dev.ts
// Needs `perf` (linux-perf) and permission to attach (root, or kernel.perf_event_paranoid ≤ 1).
import { spawn, spawnSync } from 'node:child_process';
import { createSession, ORDER_BODY, prepareDataDir, startBff } from './lib/bff';
import { startReference } from './lib/order-rounds';
import { installCleanup, makeScratchDir, removeScratchDir, stopTracked } from './lib/processes';
import { postScript, runWrk } from './lib/wrk';

const PARTS: [RegExp, string][] = [
  [/better-sqlite3|\/bff\/src\/store\/|reference-commit/, 'store (JS side)'],
  [/@fastify\+cors/, 'cors'],
  [/@fastify\+rate-limit|toad-cache|\/bff\/src\/auth\/rate-limit/, 'rate limit'],
  [/fast-jwt|@fastify\+jwt|\/bff\/src\/auth\//, 'session'],
  [/pino|sonic-boom|\/bff\/src\/app\/logging/, 'logging'],
  [/prom-client|\/bff\/src\/ops\/metrics/, 'metrics'],
  [/\/bff\/src\/ops\/request-id/, 'request id'],
  [/security-headers/, 'security headers'],
  [/fast-json-stringify|fastify\/lib\/reply\.js/, 'reply and serialisation'],
  [/ajv|fastify\/lib\/validation/, 'validation'],
  [/fastify@|find-my-way|avvio|secure-json-parse|fast-querystring|fastify-plugin|@fastify\+/, 'fastify'],
  [/\/bff\/src\/channels\//, 'channel (orderStr, verify)'],
  [/\/bff\/src\/payments\/|\/bff\/src\/catalog|\/shared\/src/, 'payments'],
  [/\/bff\/src\/routes\//, 'routes'],
  [/reference-server|notify-reference/, 'reference handler'],
];
const NODE_PARTS: [RegExp, string][] = [
  [/node:internal\/crypto|node:crypto/, 'node crypto'],
  [/node:_http|node:net|node:internal\/streams|node:stream|node:events|node:internal\/http/, 'node http'],
  [/async_hooks/, 'async hooks'],
  [/timers|task_queues/, 'timers and ticks'],
];

function partOf(frames: string[]): string {
  if (frames.some((f) => /sqlite3_step|Statement::JS_run|sqlite3VdbeHalt|sqlite3_exec/.test(f))) return 'store (SQLite, commit included)';
  const js = frames.filter((f) => f.startsWith('JS:'));
  const ours = js.find((f) => !/ node:/.test(f));
  if (ours) return PARTS.find(([re]) => re.test(ours))?.[1] ?? `other JS: ${ours.replace(/^JS:\S*\s/, '').replace(/.*\//, '')}`;
  for (const f of js) {
    const part = NODE_PARTS.find(([re]) => re.test(f));
    if (part) return part[1];
  }
  if (js.length) return 'other Node core';
  const all = frames.join(' ');
  if (/Scavenge|MarkCompact|Heap::|GCTracer/.test(all)) return 'garbage collection';
  if (/llhttp|Parser::|uv__read|uv__write|uv__stream|writev|epoll|uv__io_poll/.test(all)) return 'HTTP parser and sockets (native)';
  return 'other native';
}

/** perf script text → µs per order by part (main thread), and totals. */
function split(script: string, mainTid: number, orders: number, msPerSample: number) {
  const parts = new Map<string, number>();
  let all = 0;
  let main = 0;
  for (const block of script.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    all += 1;
    if (Number(lines[0]!.trim()) !== mainTid) continue;
    main += 1;
    const frames = lines.slice(1).map((l) => l.trim().replace(/^[0-9a-f]+\s+/, ''));
    const part = partOf(frames);
    parts.set(part, (parts.get(part) ?? 0) + 1);
  }
  const us = (n: number) => (n * msPerSample * 1000) / orders;
  return { allUs: us(all), mainUs: us(main), parts: [...parts].sort((a, b) => b[1] - a[1]).map(([p, n]) => [p, us(n)] as const) };
}

installCleanup();
const HZ = 997;
const secs = Number(process.env.SECS ?? 6);
const dir = makeScratchDir('perf-split');
try {
  await prepareDataDir(dir);
  const env = { NODE_OPTIONS: '--perf-basic-prof' };
  const bff = await startBff({ dataDir: dir, env });
  const session = await createSession(bff.url);
  process.env.NODE_OPTIONS = '--perf-basic-prof';
  const reference = process.env.ONLY === 'bff' ? null : await startReference('store', dir);
  const script = postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` });
  const targets = [{ name: 'bff', url: bff.url, pid: bff.pid }];
  if (reference) targets.push({ name: 'reference', url: reference.url, pid: reference.tracked.child.pid! });
  for (const t of targets) {
    const url = `${t.url}/api/orders`;
    await runWrk({ url, script, dir, connections: 16, durationS: 2 });
    const data = `${dir}/${t.name}.perf`;
    const perf = spawn('perf', ['record', '-F', String(HZ), '-g', '-o', data, '-p', String(t.pid), '--', 'sleep', String(secs)], {
      stdio: 'ignore',
    });
    const load = await runWrk({ url, script, dir, connections: 16, durationS: secs + 1 });
    await new Promise((r) => perf.on('exit', r));
    const text = spawnSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
    const orders = load.rps * secs;
    const s = split(text, t.pid, orders, 1000 / HZ);
    console.log(
      `\n${t.name}: ${load.rps.toFixed(0)} orders/s; CPU per order ${s.allUs.toFixed(0)} µs (all threads), ${s.mainUs.toFixed(0)} µs (event loop)`,
    );
    for (const [part, us] of s.parts.slice(0, 24)) console.log(`${us.toFixed(1).padStart(8)} µs  ${part}`);
  }
  await bff.stop();
  if (reference) await stopTracked(reference.tracked);
} finally {
  removeScratchDir(dir);
}
