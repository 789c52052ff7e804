/**
 * Configuration from the environment (contract v1), validated and frozen. Keys are read and parsed
 * here, once: a bad key fails at boot with a message naming the variable, never at the first payment.
 * With no ALIPAYHK_GATEWAY_URL the BFF runs in sandbox mode: every channel points at the local
 * sandbox and reads the keys the sandbox created under $DATA_DIR/keys/.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAlipayHkConfig, type AlipayHkConfig } from './config/alipayhk';
import { loadAutoDebitConfig, type AutoDebitConfig } from './config/auto-debit';
import { ConfigError, integer, oneOf, parseTrustProxy, sandboxSecret, url, type Env } from './config/env';
import { loadIntentsConfig, type IntentsConfig } from './config/intents';
import { loadLatipayConfig, type LatipayConfig } from './config/latipay';

export { ConfigError, keyText, type Env } from './config/env';
export {
  SANDBOX_ALIPAYHK_CLIENT_ID,
  SANDBOX_ALIPAYHK_MERCHANT_ID,
  SANDBOX_KEY_FILES,
  alipayHkKeyText,
  type AlipayHkConfig,
  type AlipayHkKeyName,
} from './config/alipayhk';
export { SANDBOX_INTENTS_MERCHANT_ID, type IntentsConfig } from './config/intents';
export { SANDBOX_LATIPAY_CURRENCY, SANDBOX_LATIPAY_USER_ID, SANDBOX_LATIPAY_WALLET_ID, type LatipayConfig } from './config/latipay';
export type { AutoDebitConfig } from './config/auto-debit';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  /** PostgreSQL only: connections in the pool (DATABASE_POOL_SIZE); 4 measured best on 2 cores (BENCHMARKS.md, PostgreSQL). */
  databasePoolSize: number;
  /** SQLite only: `thread` runs the store on a writer thread of its own, `inline` on the event loop (SQLITE_WRITER). */
  sqliteWriter: 'inline' | 'thread';
  sandboxMode: boolean;
  sandboxPort: number;
  /** The origin gateways reach us at (notify URLs are built from it). */
  publicUrl: string;
  adminToken: string | null;
  /** Bearer token of `GET /metrics` when set (else ADMIN_TOKEN), so a scraper need not hold the admin one. */
  metricsToken: string | null;
  sessionSecret: string;
  sessionTtlSeconds: number;
  catalogFile: string;
  orderTtlMs: number;
  /** 0 disables the periodic reconciler (tests run passes by hand). */
  reconcileIntervalMs: number;
  reconcileRatePerSecond: number;
  /** Requests per minute per buyer (or per IP before sign-in) on /api routes; notifications are never limited. */
  rateLimitPerMinute: number;
  /** Sign-ins (`POST /api/session`) per client IP per minute. */
  sessionRateLimitPerMinute: number;
  /** Proxies (addresses/CIDRs) whose X-Forwarded-For names the client; false: none. */
  trustProxy: false | string[];
  logLevel: string;
  /** `json` (one object a line, for collectors) or `pretty` (pino-pretty, for a terminal; `pnpm start` sets it). */
  logFormat: 'json' | 'pretty';
  alipayhk: AlipayHkConfig;
  /** null when the channel is off: live mode without LATIPAY_USER_ID. */
  latipay: LatipayConfig | null;
  /** The H5 channel's aggregator; null when off: live mode without INTENTS_GATEWAY_URL. */
  intents: IntentsConfig | null;
  /** AlipayHK auto-debit (agreement pay); null when off: live mode without AGREEMENT_TOKEN_KEY. */
  autoDebit: AutoDebitConfig | null;
}

const DEFAULT_CATALOG = fileURLToPath(new URL('../data/catalog.json', import.meta.url));

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR || '.data');
  const sandboxPort = integer(env, 'SANDBOX_PORT', 3100, 0, 65535);
  const sandboxMode = !env.ALIPAYHK_GATEWAY_URL;
  const keysDir = join(dataDir, 'keys');
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const adminToken = env.ADMIN_TOKEN || (sandboxMode ? sandboxSecret(keysDir, 'admin-token') : null);
  if (adminToken !== null && adminToken.length < 16) throw new ConfigError('ADMIN_TOKEN must have at least 16 characters');
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must have at least 16 characters');
  const sessionSecret = env.SESSION_SECRET || (sandboxMode ? sandboxSecret(keysDir, 'session-secret') : '');
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET is required (at least 32 characters)');

  const alipayhk = loadAlipayHkConfig(env, sandboxMode, sandboxUrl);

  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl: env.DATABASE_URL || `sqlite://${join(dataDir, 'tradepay.db')}`,
    // Side-by-side sweeps were inconclusive on the shared machine (BENCHMARKS.md, "PostgreSQL"): the size the store had.
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 4, 1, 1000),
    // The first is the default: in side-by-side rounds (bench/sqlite-writer.dev.ts) the writer thread
    // answered fewer orders per second for more CPU per order than the store on the event loop, while
    // keeping /healthz's p99 under order load closer to idle (4.1x against 5.4x): thread trades the one for the other.
    sqliteWriter: oneOf(env, 'SQLITE_WRITER', ['inline', 'thread'] as const),
    sandboxMode,
    sandboxPort,
    publicUrl: url(env, 'PUBLIC_URL', `http://${host}:${port}`),
    adminToken,
    metricsToken,
    sessionSecret,
    sessionTtlSeconds: integer(env, 'SESSION_TTL_SECONDS', 2 * 3600, 60, 30 * 24 * 3600),
    reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_SECONDS', 30, 0, 3600) * 1000,
    reconcileRatePerSecond: integer(env, 'RECONCILE_RATE', 20, 1, 1000),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000),
    sessionRateLimitPerMinute: integer(env, 'SESSION_RATE_LIMIT_PER_MINUTE', 30, 1, 1_000_000),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    catalogFile: env.CATALOG_FILE ? resolve(env.CATALOG_FILE) : DEFAULT_CATALOG,
    orderTtlMs: integer(env, 'ORDER_TTL_SECONDS', 15 * 60, 60, 7 * 24 * 3600) * 1000,
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: logFormat(env.LOG_FORMAT),
    alipayhk,
    latipay: loadLatipayConfig(env, sandboxMode, sandboxUrl, keysDir),
    intents: loadIntentsConfig(env, sandboxMode, sandboxUrl, keysDir),
    autoDebit: loadAutoDebitConfig(env, sandboxMode, keysDir),
  };
  return Object.freeze(config);
}

function logFormat(value: string | undefined): 'json' | 'pretty' {
  if (value === undefined || value === '' || value === 'json') return 'json';
  if (value === 'pretty') return 'pretty';
  throw new ConfigError(`LOG_FORMAT must be json or pretty, got ${value}`);
}
