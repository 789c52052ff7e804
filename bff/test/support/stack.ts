/**
 * The whole product on loopback: the real sandbox gateway and the real BFF, each on its own port,
 * wired exactly as `pnpm start` wires them in sandbox mode (keys created by the sandbox under
 * $DATA_DIR/keys/, the BFF reading them from there). For flow tests and the mini program harness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildSandbox, type LedgerSnapshot, type Sandbox, type SandboxVariant } from '@tradepay/sandbox';
import { fromDecimalString, type Currency } from '@tradepay/shared';
import { buildApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { checkInvariants, formatInvariantReport, type GatewayLedger, type InvariantReport } from '../../src/ops/invariants';
import { captureLogs } from './app';
import { freePort } from './ports';
import { freshPostgresUrl, postgresUrl } from './stores';

export { freePort };

export interface Stack {
  bffUrl: string;
  sandboxUrl: string;
  sandbox: Sandbox;
  app: FastifyInstance;
  config: Readonly<Config>;
  logs: string[];
  /** The sandbox's pino lines (info), when started with `sandboxLogs`. */
  sandboxLogs: string[];
  /** Moves the BFF's clock forward (the sandbox keeps its own: see control.clockOffsetMs). */
  advance(ms: number): void;
  now(): Date;
  /** Another BFF process on the same store file and sandbox (for multi-instance tests). */
  secondBff(): Promise<FastifyInstance>;
  /** I1–I6 over this stack's store and the sandbox ledger. */
  invariants(): Promise<InvariantReport & { text: string }>;
  /** A session token: signed in through the sandbox wallet when `customerId` is given, else a guest. */
  session(customerId?: string): Promise<string>;
  /** JSON call to the BFF, with a session token when given. */
  api<T = any>(
    path: string,
    init?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  /** Calls the sandbox wallet as the AlipayHK app does for my.tradePay. */
  tradePay(orderStr: string, outcome?: string): Promise<{ resultCode: string }>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Both sides (default RSA2, as the tests always ran; the product default is RSA). */
  signAlgorithm?: 'RSA2' | 'RSA';
  /** Both sides' signature encoding (default base64). */
  signatureEncoding?: 'base64' | 'url';
  /** Other sandbox variants (query shape, paths, applyToken's user id). */
  sandbox?: Partial<Omit<SandboxVariant, 'signAlgorithm' | 'signatureEncoding'>> & { walletCustomerId?: string };
  /** Multiplies the gateway's notification retry schedule (default 0.001: 2 min → 120 ms). */
  retryScale?: number;
  env?: Record<string, string>;
  /** Capture the sandbox's log lines (info) in `sandboxLogs`. */
  sandboxLogs?: boolean;
}

/** The sandbox ledger as the invariants read it: AlipayHK's records plus Latipay's, in one shape. */
function withLatipay(snapshot: LedgerSnapshot): GatewayLedger {
  const { payments, refunds, callbacks } = snapshot.latipay;
  return {
    payments: [
      ...(snapshot.payments as GatewayLedger['payments']),
      ...payments.map((p) => ({
        merchantTransId: p.merchantReference,
        status: p.status.toUpperCase(),
        orderAmount: { currency: p.currency, value: String(p.amountMinor) },
        refundedMinor: p.refundedMinor,
      })),
    ],
    refunds: [
      ...(snapshot.refunds as GatewayLedger['refunds']),
      ...refunds.map((r) => ({
        merchantRefundId: r.reference,
        merchantTransId: r.merchantReference,
        refundAmount: { value: String(fromDecimalString(r.refundAmount, r.currency as Currency)) },
      })),
    ],
    notifications: [...snapshot.notifications, ...callbacks.map((c) => ({ merchantTransId: c.merchantReference, status: c.status }))],
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-stack-'));
  const signAlgorithm = options.signAlgorithm ?? 'RSA2';
  const signatureEncoding = options.signatureEncoding ?? 'base64';
  const sandboxLogs = options.sandboxLogs ? captureLogs() : undefined;
  const port = await freePort();
  const sandbox = await buildSandbox({
    dataDir,
    retryScale: options.retryScale ?? 0.001,
    signAlgorithm,
    signatureEncoding,
    // As registered offline with AlipayHK: notify.cancel comes to our notification route.
    cancelNotifyUrl: `http://127.0.0.1:${port}/notify/alipayhk`,
    ...(sandboxLogs ? { logger: { level: 'info', stream: sandboxLogs.stream } } : {}),
    ...options.sandbox,
  });
  const sandboxUrl = await sandbox.listen();
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: String(port),
    SANDBOX_PORT: new URL(sandboxUrl).port,
    ALIPAYHK_SIGN_ALGORITHM: signAlgorithm,
    ALIPAYHK_SIGNATURE_ENCODING: signatureEncoding,
    ALIPAYHK_TIMEOUT_MS: '3000',
    RECONCILE_INTERVAL_SECONDS: '0',
    RATE_LIMIT_PER_MINUTE: '100000',
    SESSION_RATE_LIMIT_PER_MINUTE: '100000',
    ADMIN_TOKEN: 'stack-admin-token-0123456789',
    // With a PostgreSQL server configured (CI), every flow test runs on it, in a schema of its own.
    ...(postgresUrl ? { DATABASE_URL: await freshPostgresUrl(postgresUrl) } : {}),
    // SQLITE_WRITER=inline|thread picks the SQLite writer every flow test runs on.
    ...(process.env.SQLITE_WRITER ? { SQLITE_WRITER: process.env.SQLITE_WRITER } : {}),
    ...options.env,
  });
  const { lines, stream } = captureLogs();
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const app = await buildApp(config, { logStream: stream, now, sleep: async () => undefined });
  const extra: FastifyInstance[] = [];
  await app.listen({ host: '127.0.0.1', port });
  const bffUrl = `http://127.0.0.1:${port}`;
  async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(bffUrl + path, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  return {
    api,
    async invariants() {
      const report = checkInvariants(await app.store.audit(), withLatipay(sandbox.ledger.snapshot()), {
        merchantIds: Object.fromEntries([...app.channels].map(([name, channel]) => [name, channel.merchantId])),
        reconcilePeriodMs: Math.max(config.reconcileIntervalMs, 60_000),
        now: now(),
      });
      return { ...report, text: formatInvariantReport(report) };
    },
    advance(ms) {
      offsetMs += ms;
    },
    now,
    async secondBff() {
      const other = await buildApp(config, { logStream: stream, now, sleep: async () => undefined });
      await other.ready();
      extra.push(other);
      return other;
    },
    async session(customerId) {
      let body: { authCode?: string } = {};
      if (customerId !== undefined) {
        const code = await fetch(`${sandboxUrl}/sandbox/wallet/authCode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customerId }),
        });
        body = { authCode: ((await code.json()) as { authCode: string }).authCode };
      }
      const res = await api<{ token: string }>('/api/session', { method: 'POST', body });
      if (res.status !== 200) throw new Error(`session: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
    bffUrl,
    sandboxUrl,
    sandbox,
    app,
    config,
    logs: lines,
    sandboxLogs: sandboxLogs?.lines ?? [],
    async tradePay(orderStr, outcome) {
      const res = await fetch(`${sandboxUrl}/sandbox/wallet/tradePay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(outcome ? { orderStr, outcome } : { orderStr }),
      });
      return (await res.json()) as { resultCode: string };
    },
    async close() {
      for (const other of extra) await other.close();
      await app.close();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value, for asynchronous effects such as notifications. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
