/**
 * Everything the run starts, it stops: child processes are tracked and killed on exit (normal or
 * signal), scratch directories are removed. Only processes started here are ever signalled, by pid.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bff/test/support/ports';

const children = new Set<ChildProcess>();
const scratchDirs = new Set<string>();
let installed = false;

export function makeScratchDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tradepay-bench-${label}-`));
  scratchDirs.add(dir);
  return dir;
}

export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  scratchDirs.delete(dir);
}

function cleanupSync(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

/** Kills what is left and removes scratch dirs on exit, Ctrl-C or SIGTERM. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n[bench] ${signal}: stopping children and removing scratch dirs\n`);
      cleanupSync();
      process.exit(130);
    });
  }
}

export interface Tracked {
  child: ChildProcess;
  /** The last lines the process printed (stdout and stderr), for error messages. */
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns a tracked child; its output is kept in a small ring buffer unless `inherit` is asked. */
export function startTracked(command: string, args: readonly string[], options: SpawnOptions = {}): Tracked {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
    child.on('error', (error) => {
      lines.push(String(error));
      children.delete(child);
      resolve(-1);
    });
  });
  return { child, output: () => lines.join('\n'), exited };
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopTracked(tracked: Tracked, graceMs = 10_000): Promise<void> {
  const { child } = tracked;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await tracked.exited;
  clearTimeout(timer);
}

/** Runs a command to completion and returns its output (tracked, so an interrupted run kills it). */
export async function runCollect(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.on('error', (error) => {
      stderr += String(error);
      resolve(-1);
    });
  });
  if (timer) clearTimeout(timer);
  children.delete(child);
  return { code, stdout, stderr };
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** `taskset -c <cpus>` in front of a command when asked and available; [] otherwise. */
export function pinPrefix(cpus: string | null | undefined): string[] {
  return cpus && hasCommand('taskset') ? ['taskset', '-c', cpus] : [];
}

export { freePort };

/** Polls `url` until it answers 2xx; fails early when the process exits. */
export async function waitForHttp(url: string, tracked: Tracked, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void tracked.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`process exited before ${url} answered:\n${tracked.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${tracked.output()}`);
}

function statusField(pid: number, field: string): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) pids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone, or no /proc
  }
  return pids;
}

/**
 * Peak resident set (VmHWM) of a process and its descendants, summed: for a cluster the workers'
 * peaks need not coincide, so this is an upper bound. Read it before stopping the process.
 */
export function treePeakRss(pid: number): number | null {
  const own = statusField(pid, 'VmHWM');
  if (own === null) return null;
  return own + childPids(pid).reduce((sum, child) => sum + (treePeakRss(child) ?? 0), 0);
}

let clockTicks: number | null = null;

/** CPU seconds (user + system, every thread) used so far by a process and its descendants. */
export function treeCpuSeconds(pid: number): number | null {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces): state is [0], utime [11], stime [12].
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const own = (Number(fields[11]) + Number(fields[12])) / clockTicks;
  return own + childPids(pid).reduce((sum, child) => sum + (treeCpuSeconds(child) ?? 0), 0);
}

export interface ThreadTimes {
  /** Nanoseconds on a CPU, and runnable but waiting for one (scheduler statistics). */
  onCpuNs: number;
  waitingNs: number;
  atMs: number;
}

/** /proc/<pid>/task/<tid>/schedstat of one thread (the main thread when tid = pid); null without it. */
export function threadTimes(pid: number, tid = pid): ThreadTimes | null {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { onCpuNs: onCpu!, waitingNs: waiting!, atMs: performance.now() };
  } catch {
    return null;
  }
}

/**
 * How a thread spent a stretch of wall time: on a CPU, runnable but waiting for a CPU (other
 * processes on this shared machine), or neither — asleep, which for a busy event loop means blocked
 * in a system call (a synchronous fsync) or with nothing to do.
 */
export function threadShares(
  before: ThreadTimes | null,
  after: ThreadTimes | null,
  /** The active part of the stretch, when the load ended before `after` was read. */
  activeMs?: number,
): { onCpu: number; waitingForCpu: number; asleep: number } | null {
  if (!before || !after) return null;
  const wallNs = (activeMs ?? after.atMs - before.atMs) * 1e6;
  const onCpu = (after.onCpuNs - before.onCpuNs) / wallNs;
  const waitingForCpu = (after.waitingNs - before.waitingNs) / wallNs;
  return { onCpu, waitingForCpu, asleep: Math.max(0, 1 - onCpu - waitingForCpu) };
}

export interface MachineCpu {
  busyTicks: number;
  stealTicks: number;
  atMs: number;
}

/** The whole machine's CPU counters (/proc/stat, first line); null without /proc. */
export function machineCpu(): MachineCpu | null {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { busyTicks: user! + nice! + system! + irq! + softirq!, stealTicks: steal ?? 0, atMs: performance.now() };
  } catch {
    return null;
  }
}

/** Cores the whole machine kept busy between two readings, and cores stolen by the hypervisor. */
export function machineCores(before: MachineCpu | null, after: MachineCpu | null): { busy: number; stolen: number } | null {
  if (!before || !after || !clockTicks) return null;
  const seconds = (after.atMs - before.atMs) / 1000;
  return {
    busy: (after.busyTicks - before.busyTicks) / clockTicks / seconds,
    stolen: (after.stealTicks - before.stealTicks) / clockTicks / seconds,
  };
}
