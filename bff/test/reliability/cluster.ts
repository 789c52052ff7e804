/**
 * A cluster for reliability scenarios: the sandbox gateway in this process, N real BFF processes
 * on one store (PostgreSQL when DATABASE_URL points at one, else one SQLite file) behind a
 * round-robin balancer that is also the public URL the gateway notifies, and one in-process BFF
 * on the same store whose reconciler and audit the scenario drives (with its own clock).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildSandbox, type Sandbox } from '@tradepay/sandbox';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { checkInvariants, formatInvariantReport, type InvariantReport } from '../../src/ops/invariants';
import { spawnBff, type BffProcess } from '../support/process';
import { startRoundRobin, type RoundRobin } from '../support/round-robin';
import { freePort } from '../support/stack';
import { freshPostgresUrl, postgresUrl } from '../support/stores';

export const ADMIN_TOKEN = 'chaos-admin-token-0123456789';

export interface Cluster {
  store: 'postgres' | 'sqlite';
  sandbox: Sandbox;
  balancer: RoundRobin;
  bffs: (BffProcess | null)[];
  /** In-process BFF on the same store: reconciler passes and audits. */
  control: FastifyInstance;
  advance(ms: number): void;
  kill(index: number): void;
  restart(index: number): Promise<void>;
  api<T = any>(
    path: string,
    init?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  invariants(): Promise<InvariantReport & { text: string }>;
  close(): Promise<void>;
}

export async function startCluster(options: { instances: number; retryScale?: number }): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-cluster-'));
  const sandbox = await buildSandbox({ dataDir, retryScale: options.retryScale ?? 0.0005 });
  const sandboxUrl = await sandbox.listen();
  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const balancer = await startRoundRobin(ports.map((p) => `http://127.0.0.1:${p}`));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    SANDBOX_PORT: new URL(sandboxUrl).port,
    PUBLIC_URL: balancer.url,
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_SECONDS: '0',
    RATE_LIMIT_PER_MINUTE: '1000000',
    SESSION_RATE_LIMIT_PER_MINUTE: '1000000',
    ALIPAYHK_TIMEOUT_MS: '2000',
    ...(postgresUrl ? { DATABASE_URL: await freshPostgresUrl(postgresUrl) } : {}),
  };
  const bffs: (BffProcess | null)[] = await Promise.all(ports.map((port) => spawnBff(env, port)));
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const config = loadConfig({ ...env, PORT: '0' });
  const control = await buildApp(config, { logger: false, now, sleep: async () => undefined });
  await control.ready();

  async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(balancer.url + path, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body: body as T };
  }

  return {
    store: postgresUrl ? 'postgres' : 'sqlite',
    sandbox,
    balancer,
    bffs,
    control,
    api,
    advance(ms) {
      offsetMs += ms;
    },
    kill(index) {
      bffs[index]?.child.kill('SIGKILL');
      bffs[index] = null;
    },
    async restart(index) {
      bffs[index] = await spawnBff(env, ports[index]!);
    },
    async invariants() {
      const report = checkInvariants(await control.store.audit(), sandbox.ledger.snapshot() as never, {
        merchantIds: Object.fromEntries([...control.channels].map(([name, channel]) => [name, channel.merchantId])),
        reconcilePeriodMs: 60_000,
        now: now(),
      });
      return { ...report, text: formatInvariantReport(report) };
    },
    async close() {
      for (const bff of bffs) bff?.child.kill('SIGKILL');
      await Promise.all(bffs.map((b) => b?.exited));
      await control.close();
      await balancer.close();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Retries a call through the balancer until an instance answers (instances may be down). */
export async function persist<T>(call: () => Promise<{ status: number; body: T }>, attempts = 40): Promise<{ status: number; body: T }> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await call();
      if (res.status !== 502 && res.status !== 503) return res;
      last = new Error(`HTTP ${res.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100 + i * 50));
  }
  throw last;
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
