/**
 * wrk (the Debian package): a C load generator, so the cores stay with the server under test. Each
 * run gets a Lua script (method, body, headers, or a request() that varies the path) ending in a
 * done() that prints one machine-readable line, parsed by parseWrkOutput.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, pinPrefix, runCollect } from './processes';

export interface WrkResult {
  requests: number;
  durationS: number;
  /** Completed requests per second, errors included (see `errors`). */
  rps: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** Socket errors plus non-2xx/3xx answers. */
  errorsTotal: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

const MARKER = 'WRK_RESULT ';

/** Appended to every script: one JSON line with the summary and latency percentiles (µs). */
const DONE_LUA = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "${MARKER}{\\"requests\\":%d,\\"duration_us\\":%d,\\"bytes\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%d,\\"p90\\":%d,\\"p99\\":%d,\\"max\\":%d,\\"mean\\":%.1f}\\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;

/** A Lua string literal (long brackets cannot be closed by JSON or tokens). */
function luaString(text: string): string {
  return `[==[${text}]==]`;
}

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`)
    .join('\n');
}

/** The same POST body on every request. */
export function postScript(body: string, headers: Record<string, string>): string {
  return `wrk.method = "POST"\nwrk.body = ${luaString(body)}\n${headerLines({ 'Content-Type': 'application/json', ...headers })}\n${DONE_LUA}`;
}

/** GETs spread uniformly over `paths` (a fixed seed, so runs are comparable). */
export function randomGetScript(paths: readonly string[], headers: Record<string, string>): string {
  return `wrk.method = "GET"
${headerLines(headers)}
local paths = {
${paths.map((p) => `  ${luaString(p)},`).join('\n')}
}
local n = #paths
math.randomseed(20260101)
request = function()
  return wrk.format(nil, paths[math.random(n)])
end
${DONE_LUA}`;
}

/**
 * One connection, one request every `delayMs` (wrk's delay() hook): a light prober. Debian's wrk 4.1
 * has no fixed-rate mode, so the pace is "delay after each answer", close to 1000/delayMs per second.
 */
export function pacedGetScript(delayMs: number): string {
  return `wrk.method = "GET"\nfunction delay()\n  return ${delayMs}\nend\n${DONE_LUA}`;
}

export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout.slice(-2000)}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, number>;
  const n = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`wrk result lacks ${key}: ${line}`);
    return value;
  };
  const durationS = n('duration_us') / 1e6;
  const errors = { connect: n('connect'), read: n('read'), write: n('write'), status: n('status'), timeout: n('timeout') };
  return {
    requests: n('requests'),
    durationS,
    rps: durationS > 0 ? n('requests') / durationS : 0,
    bytes: n('bytes'),
    errors,
    errorsTotal: errors.connect + errors.read + errors.write + errors.status + errors.timeout,
    latencyMs: { p50: n('p50') / 1000, p90: n('p90') / 1000, p99: n('p99') / 1000, max: n('max') / 1000, mean: n('mean') / 1000 },
  };
}

export interface WrkRun {
  url: string;
  script: string;
  /** Where the script file goes (a scratch dir). */
  dir: string;
  connections: number;
  threads?: number;
  durationS: number;
  /** Answers slower than this count as timeout errors. */
  timeoutS?: number;
  cpus?: string | null;
}

let scriptCount = 0;

export function assertWrk(): void {
  if (!hasCommand('wrk')) {
    throw new Error('wrk is not installed: apt-get update && apt-get install -y wrk (Debian package; the HTTP figures need it)');
  }
}

export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const file = join(run.dir, `wrk-${++scriptCount}.lua`);
  writeFileSync(file, run.script);
  const threads = Math.min(run.threads ?? 1, run.connections);
  const args = [
    '-t',
    String(threads),
    '-c',
    String(run.connections),
    '-d',
    `${run.durationS}s`,
    '--timeout',
    `${run.timeoutS ?? 10}s`,
    '-s',
    file,
    run.url,
  ];
  const prefix = pinPrefix(run.cpus);
  const [command, ...rest] = prefix.length ? [...prefix, 'wrk', ...args] : ['wrk', ...args];
  const result = await runCollect(command!, rest, { timeoutMs: (run.durationS + 30) * 1000 });
  // wrk reports a Lua error on stderr and then runs anyway, with the default request: never trust that.
  if (result.code !== 0 || result.stderr.trim()) throw new Error(`wrk failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  return parseWrkOutput(result.stdout);
}
