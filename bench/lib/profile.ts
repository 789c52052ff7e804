/**
 * Where the event-loop thread's CPU goes in an order: a V8 CPU profile (`node --cpu-prof`) of the BFF
 * under load, each sample charged to the innermost frame that names a part of the request (a file
 * of ours or a library's); samples in frames of no part (natives, V8 builtins) climb to their caller.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Part =
  | 'HTTP and routing'
  | 'session and rate limit'
  | 'validation'
  | 'idempotency, pricing, ids'
  | 'store (SQLite)'
  | 'signing (event-loop side)'
  | 'response serialisation'
  | 'logging'
  | 'garbage collection'
  | 'other';

const RULES: [RegExp, Part][] = [
  [/\/bff\/src\/store\/|better-sqlite3|\/pg\/|pg-protocol/, 'store (SQLite)'],
  [/\/bff\/src\/channels\/|node-rsa|node:internal\/crypto\/sig/, 'signing (event-loop side)'],
  [/\/bff\/src\/auth\/|@fastify\/jwt|fast-jwt|@fastify\/rate-limit|\/bff\/src\/ops\/rate|toad-cache/, 'session and rate limit'],
  [/\/bff\/src\/payments\/|\/bff\/src\/catalog\/|\/shared\/src\//, 'idempotency, pricing, ids'],
  [/pino|sonic-boom|thread-stream/, 'logging'],
  [/fast-json-stringify|fastify\/lib\/reply\.js|fastify\/lib\/schemas\.js/, 'response serialisation'],
  [/\/ajv\/|fastify\/lib\/validation\.js|@fastify\/ajv-compiler|typebox/, 'validation'],
  [
    /fastify|find-my-way|avvio|light-my-request|secure-json-parse|\/bff\/src\/routes\/|\/bff\/src\/app\.ts|node:_http|node:http|node:net|node:internal\/stream|node:internal\/http|node:stream|node:events/,
    'HTTP and routing',
  ],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuSplit {
  /** Share of the event loop's busy samples per part (idle excluded). */
  shares: Record<Part, number>;
  samples: number;
}

/**
 * `window`: only samples taken in it (CLOCK_MONOTONIC µs, as `process.hrtime` gives in any process
 * on the machine and V8 stamps its samples), so start-up and warm-up are left out.
 */
export function readCpuSplit(dir: string, window?: { fromUs: number; toUs: number }): CpuSplit | null {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return null;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    startTime: number;
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Part | 'idle'>();
  const partOf = (id: number): Part | 'idle' => {
    const known = memo.get(id);
    if (known) return known;
    const frame = byId.get(id)!.callFrame;
    let part: Part | 'idle' | undefined;
    if (frame.functionName === '(idle)') part = 'idle';
    else if (frame.functionName === '(garbage collector)') part = 'garbage collection';
    else part = RULES.find(([pattern]) => pattern.test(frame.url))?.[1];
    if (!part) part = parent.has(id) ? partOf(parent.get(id)!) : 'other';
    memo.set(id, part);
    return part;
  };
  const counts = new Map<Part, number>();
  let busy = 0;
  let at = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const part = partOf(id);
    if (part === 'idle') continue;
    busy++;
    counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  const shares = Object.fromEntries(
    [...RULES.map(([, p]) => p), 'garbage collection', 'other'].map((p) => [p, (counts.get(p as Part) ?? 0) / Math.max(1, busy)]),
  ) as Record<Part, number>;
  return { shares, samples: busy };
}
