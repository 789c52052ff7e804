/**
 * The CPU of a request by part, from `perf script` text: each main-thread sample is charged to the
 * innermost JS frame outside Node's core that names a part (PARTS below); samples inside SQLite count
 * as the store. Shared by perf-split.dev.ts (orders) and perf-notify.dev.ts (notifications).
 */
import { spawn, spawnSync } from 'node:child_process';

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

const IN_SQLITE = /sqlite3_step|Statement::JS_run|sqlite3VdbeHalt|sqlite3_exec/;
const inSqlite = (frames: string[]) => frames.some((f) => IN_SQLITE.test(f));

function partOf(frames: string[]): string {
  if (inSqlite(frames)) return 'store (SQLite, commit included)';
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

/** A JS frame's function and file, without the address and the directories. */
const frameName = (f: string) => f.replace(/^JS:[*~^]?/, '').replace(/(\s)\S*\//, '$1');

/**
 * perf script text → µs per request by part (main thread), by thread name, and totals; with `frames`, also the
 * innermost frames outside Node's core (self; SQLite's own when inside it) and the project's frames
 * anywhere on the stack (inclusive).
 */
export function split(script: string, mainTid: number, requests: number, msPerSample: number, frames = false) {
  const parts = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const threads = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let all = 0;
  let main = 0;
  for (const block of script.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    all += 1;
    // The first line is "<thread name> <tid>" (perf script -F comm,tid,…).
    const [, comm = '?', tid] = /^\s*(.*?)\s+(\d+)\s*$/.exec(lines[0]!) ?? [];
    add(threads, Number(tid) === mainTid ? `${comm} (event loop)` : `${comm} (other threads)`);
    if (Number(tid) !== mainTid) continue;
    main += 1;
    const stack = lines.slice(1).map((l) => l.trim().replace(/^[0-9a-f]+\s+/, ''));
    add(parts, partOf(stack));
    if (!frames) continue;
    const js = stack.filter((f) => f.startsWith('JS:'));
    add(self, inSqlite(stack) ? 'SQLite' : frameName(js.find((f) => !/ node:/.test(f)) ?? stack[0] ?? '?'));
    for (const name of new Set(js.filter((f) => /\/bff\/src\/|\/bench\/lib\//.test(f)).map(frameName))) add(inclusive, name);
  }
  const us = (n: number) => (n * msPerSample * 1000) / requests;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([p, n]) => [p, us(n)] as const);
  return {
    allUs: us(all),
    mainUs: us(main),
    parts: sorted(parts),
    threads: sorted(threads),
    self: sorted(self),
    inclusive: sorted(inclusive),
  };
}

/** Whether `perf` is installed and may attach to our own processes (root, or perf_event_paranoid ≤ 1). */
export function perfUsable(): boolean {
  const probe = spawnSync('perf', ['stat', '-e', 'task-clock', '--', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Samples per second per thread: a prime, so sampling does not beat with timers. */
export const PERF_HZ = 997;

/** `perf record` of every thread of a process until stop() (SIGINT, which makes perf write its file). */
export function recordPerf(pid: number, data: string): { stop(): Promise<void> } {
  const perf = spawn('perf', ['record', '-F', String(PERF_HZ), '-g', '-o', data, '-p', String(pid)], { stdio: 'ignore' });
  const exited = new Promise((resolve) => perf.on('exit', resolve));
  return {
    async stop() {
      perf.kill('SIGINT');
      await exited;
    },
  };
}

/** The split of a recorded file: µs per request by part for the main thread `pid`. */
export function splitRecording(data: string, pid: number, requests: number, frames = false): ReturnType<typeof split> {
  const text = spawnSync('perf', ['script', '-i', data, '-F', 'comm,tid,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  return split(text, pid, requests, 1000 / PERF_HZ, frames);
}

/** Prints a split under a heading line. */
export function printSplit(heading: string, s: Pick<ReturnType<typeof split>, 'allUs' | 'mainUs' | 'parts'>, unit: string, top = 24): void {
  console.log(`\n${heading}; CPU per ${unit} ${s.allUs.toFixed(0)} µs (all threads), ${s.mainUs.toFixed(0)} µs (event loop)`);
  for (const [part, us] of s.parts.slice(0, top)) console.log(`${us.toFixed(1).padStart(8)} µs  ${part}`);
}

/** The split of one server's CPU per request while `load` runs (perf records `seconds` of it). */
export async function splitUnderLoad(
  pid: number,
  data: string,
  seconds: number,
  load: () => Promise<{ rps: number }>,
  frames = false,
): Promise<ReturnType<typeof split>> {
  const perf = spawn('perf', ['record', '-F', String(PERF_HZ), '-g', '-o', data, '-p', String(pid), '--', 'sleep', String(seconds)], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => perf.on('exit', resolve));
  const { rps } = await load();
  await exited;
  return splitRecording(data, pid, rps * seconds, frames);
}
