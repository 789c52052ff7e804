/**
 * Configuration from the environment (contract v1), validated and frozen. Keys are read and parsed
 * here, once: a bad key fails at boot with a message naming the variable, never at the first payment.
 * With no ALIPAYHK_GATEWAY_URL the BFF runs in sandbox mode: every channel points at the local
 * sandbox and reads the keys the sandbox created under $DATA_DIR/keys/.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { parseRsaKey, SIGN_ALGORITHMS, SIGNATURE_ENCODINGS, type ParsedRsaKey, type SignAlgorithm, type SignatureEncoding } from './channels/alipayhk/signing';
import { parseAlipayHkPaths, type AlipayHkPaths } from './channels/alipayhk/functions';
import { isCurrency, type Currency } from '@tradepay/shared';

/** The sandbox's merchant identity (the sandbox defines the same values on its side). */
export const SANDBOX_ALIPAYHK_CLIENT_ID = 'TPSANDBOXCLIENT01';
export const SANDBOX_ALIPAYHK_MERCHANT_ID = '2160400000000001';
/** The merchant id the sandbox's payment-intents token endpoint expects (the sandbox keeps its own copy). */
export const SANDBOX_INTENTS_MERCHANT_ID = 'TPSANDBOXINTENTS01';
/** The sandbox's Latipay account and wallet (the sandbox defines the same values on its side). */
export const SANDBOX_LATIPAY_USER_ID = 'U000000001';
export const SANDBOX_LATIPAY_WALLET_ID = 'W000000001';
/** The sandbox wallet settles in the catalog's currency. */
export const SANDBOX_LATIPAY_CURRENCY: Currency = 'HKD';

export interface AlipayHkConfig {
  gatewayUrl: string;
  clientId: string;
  merchantId: string;
  signAlgorithm: SignAlgorithm;
  /** `base64` (default) or `url` (encodeURIComponent of the base64): how every signature we send is written. */
  signatureEncoding: SignatureEncoding;
  /** function → gateway path: the defaults, with `ALIPAYHK_PATHS` entries replacing theirs. */
  paths: AlipayHkPaths;
  merchantPrivateKey: ParsedRsaKey;
  gatewayPublicKey: ParsedRsaKey;
  sellerName: string;
  mcc: string;
  timeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  /** PostgreSQL only: connections in the pool (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
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

/** Auto-debit: how tokens are kept and how much an agreement may be charged. */
export interface AutoDebitConfig {
  /** AES-256-GCM key for the wallet's access and refresh tokens at rest (never logged, never serialised). */
  tokenKey: KeyObject;
  /** Per agreement per Hong Kong day, in minor units of `currency`: paid and pending charges count. */
  dailyCap: number;
  currency: Currency;
  /** Where the wallet's redirect ends: null = a small page of our own; else a 302 there with agreementId and status. */
  returnPageUrl: string | null;
}

/** The payment-intents aggregator behind the H5 channel (docs/protocols/intents.md). */
export interface IntentsConfig {
  gatewayUrl: string;
  apiKey: string;
  /** The merchant name our evidence carries; null: a generic label. */
  merchantId: string | null;
  /** `uid` of the token call `GET /mch-api/v1/auth?grant_type=client_credentials&uid=…&client_secret=…`. */
  uid: string;
  /** `client_secret` of the token call; INTENTS_CLIENT_SECRET[_FILE], default the API key. */
  clientSecret: string;
  timeoutMs: number;
}

export interface LatipayConfig {
  gatewayUrl: string;
  userId: string;
  walletId: string;
  apiKey: string;
  /** The wallet's settlement currency (Latipay's create call carries none). */
  currency: Currency;
  timeoutMs: number;
  /** LATIPAY_PAY_TIME_ZONE: the zone of the offset-less `pay_time` (docs/protocols/latipay.md). */
  payTimeZone: 'UTC' | '+08:00';
  /** LATIPAY_REFUND_RESEND: `hold` a refund of unknown outcome, or `resend` it (an account that answers 562). */
  refundResend: 'hold' | 'resend';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

const DEFAULT_CATALOG = fileURLToPath(new URL('../data/catalog.json', import.meta.url));

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}, got ${raw}`);
  return value;
}

/**
 * TRUST_PROXY: unset, the client IP is the socket's peer and X-Forwarded-For is ignored (a client
 * cannot pick its rate-limit bucket). Behind a load balancer: its addresses or CIDRs, comma-separated.
 * "Trust everyone" is not offered: it would let any client name its own IP.
 */
function parseTrustProxy(raw: string | undefined): false | string[] {
  if (raw === undefined || raw.trim() === '') return false;
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined || !address || isIP(address) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new ConfigError(`TRUST_PROXY must list IP addresses or CIDRs, comma-separated, got ${entry}`);
    }
  }
  return entries;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return values[0]!;
  if (!values.includes(raw as T)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got ${raw}`);
  return raw as T;
}

/** A key given inline (PEM or base64) as NAME, or as a file path in NAME_FILE. */
export function keyText(env: Env, name: string, defaultFile: string | null): string {
  const inline = env[name];
  if (inline) return inline.replace(/\\n/g, '\n');
  const file = env[`${name}_FILE`] ?? defaultFile;
  if (!file) throw new ConfigError(`${name} or ${name}_FILE is required`);
  if (!existsSync(file)) throw new ConfigError(`${name}_FILE: ${file} does not exist${defaultFile ? ' (in sandbox mode the sandbox creates it on first start: run `pnpm start`)' : ''}`);
  return readFileSync(file, 'utf8');
}

/** Where sandbox mode reads each AlipayHK key when none is configured (the sandbox writes them). */
export const SANDBOX_KEY_FILES = {
  ALIPAYHK_MERCHANT_PRIVATE_KEY: 'merchant-private.pem',
  ALIPAYHK_GATEWAY_PUBLIC_KEY: 'gateway-public.pem',
  ALIPAYHK_MERCHANT_PUBLIC_KEY: 'merchant-public.pem',
} as const;

export type AlipayHkKeyName = keyof typeof SANDBOX_KEY_FILES;

/** The text of an AlipayHK key, from where the BFF reads it (the doctor reads the same). */
export function alipayHkKeyText(env: Env, name: AlipayHkKeyName): string {
  const sandboxMode = !env.ALIPAYHK_GATEWAY_URL;
  return keyText(env, name, sandboxMode ? join(resolve(env.DATA_DIR || '.data'), 'keys', SANDBOX_KEY_FILES[name]) : null);
}

function parseKey(env: Env, name: AlipayHkKeyName, kind: 'private' | 'public'): ParsedRsaKey {
  try {
    return parseRsaKey(alipayHkKeyText(env, name), kind);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

function url(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got ${value}`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Sandbox mode only: a random secret kept beside the sandbox keys, made on first start, so a
 * developer needs no set-up and the value survives restarts. Live mode must configure its own.
 */
function sandboxSecret(keysDir: string, name: string, encoding: 'hex' | 'base64' = 'hex'): string {
  const file = join(keysDir, name);
  if (!existsSync(file)) {
    mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    // Written aside, then linked into place: the file appears whole or not at all, so processes
    // starting together never read a half-written secret; the first link wins, the rest read it.
    const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(aside, randomBytes(32).toString(encoding), { mode: 0o600 });
    try {
      linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(aside);
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * Latipay: on in sandbox mode (pointing at the local sandbox, api key from
 * $DATA_DIR/keys/latipay-api-key) and in live mode when LATIPAY_USER_ID is set.
 */
function loadLatipayConfig(env: Env, sandboxMode: boolean, sandboxUrl: string, keysDir: string): LatipayConfig | null {
  if (!sandboxMode && !env.LATIPAY_USER_ID) return null;
  const live = !sandboxMode;
  const required = (name: string, fallback: string): string => {
    const value = env[name] || (live ? '' : fallback);
    if (!value) throw new ConfigError(`${name} is required when LATIPAY_USER_ID is set`);
    return value;
  };
  let apiKey: string;
  if (env.LATIPAY_API_KEY) apiKey = env.LATIPAY_API_KEY.trim();
  else if (env.LATIPAY_API_KEY_FILE) {
    if (!existsSync(env.LATIPAY_API_KEY_FILE)) throw new ConfigError(`LATIPAY_API_KEY_FILE: ${env.LATIPAY_API_KEY_FILE} does not exist`);
    apiKey = readFileSync(env.LATIPAY_API_KEY_FILE, 'utf8').trim();
  } else if (sandboxMode) {
    // Written by the sandbox on first start; made here (same format) if the BFF starts first.
    apiKey = sandboxSecret(keysDir, 'latipay-api-key');
  } else throw new ConfigError('LATIPAY_API_KEY or LATIPAY_API_KEY_FILE is required when LATIPAY_USER_ID is set');
  if (!apiKey) throw new ConfigError('LATIPAY_API_KEY is empty');
  const currency = required('LATIPAY_CURRENCY', SANDBOX_LATIPAY_CURRENCY);
  if (!isCurrency(currency)) throw new ConfigError(`LATIPAY_CURRENCY must be a supported currency code, got ${currency}`);
  return Object.freeze({
    gatewayUrl: url(env, 'LATIPAY_GATEWAY_URL', sandboxMode ? sandboxUrl : 'https://api.latipay.net'),
    userId: required('LATIPAY_USER_ID', SANDBOX_LATIPAY_USER_ID),
    walletId: required('LATIPAY_WALLET_ID', SANDBOX_LATIPAY_WALLET_ID),
    apiKey,
    currency,
    timeoutMs: integer(env, 'LATIPAY_TIMEOUT_MS', 10_000, 100, 120_000),
    payTimeZone: oneOf(env, 'LATIPAY_PAY_TIME_ZONE', ['UTC', '+08:00'] as const),
    refundResend: oneOf(env, 'LATIPAY_REFUND_RESEND', ['hold', 'resend'] as const),
  });
}

/**
 * The H5 channel (payment intents): on when INTENTS_GATEWAY_URL is set, and in sandbox mode, where it
 * points at the local sandbox and reads $DATA_DIR/keys/intents-api-key (made here, same format, if the
 * BFF starts before the sandbox).
 */
function loadIntentsConfig(env: Env, sandboxMode: boolean, sandboxUrl: string, keysDir: string): IntentsConfig | null {
  const live = Boolean(env.INTENTS_GATEWAY_URL);
  if (!live && !sandboxMode) return null;
  let apiKey: string;
  if (env.INTENTS_API_KEY) apiKey = env.INTENTS_API_KEY.trim();
  else if (env.INTENTS_API_KEY_FILE) {
    if (!existsSync(env.INTENTS_API_KEY_FILE)) throw new ConfigError(`INTENTS_API_KEY_FILE: ${env.INTENTS_API_KEY_FILE} does not exist`);
    apiKey = readFileSync(env.INTENTS_API_KEY_FILE, 'utf8').trim();
  } else if (!live) apiKey = sandboxSecret(keysDir, 'intents-api-key');
  else throw new ConfigError('INTENTS_API_KEY or INTENTS_API_KEY_FILE is required when INTENTS_GATEWAY_URL is set');
  if (apiKey.length < 16) throw new ConfigError('INTENTS_API_KEY must have at least 16 characters');
  const merchantId = env.INTENTS_MERCHANT_ID || (live ? null : SANDBOX_INTENTS_MERCHANT_ID);
  if (merchantId !== null && merchantId.length > 64) throw new ConfigError('INTENTS_MERCHANT_ID must have at most 64 characters');
  const uid = env.INTENTS_UID || (live ? '' : SANDBOX_INTENTS_MERCHANT_ID);
  if (!uid) throw new ConfigError('INTENTS_UID is required when INTENTS_GATEWAY_URL is set (the uid of the token call)');
  let clientSecret = apiKey;
  if (env.INTENTS_CLIENT_SECRET) clientSecret = env.INTENTS_CLIENT_SECRET.trim();
  else if (env.INTENTS_CLIENT_SECRET_FILE) {
    if (!existsSync(env.INTENTS_CLIENT_SECRET_FILE)) throw new ConfigError(`INTENTS_CLIENT_SECRET_FILE: ${env.INTENTS_CLIENT_SECRET_FILE} does not exist`);
    clientSecret = readFileSync(env.INTENTS_CLIENT_SECRET_FILE, 'utf8').trim();
  }
  if (!clientSecret) throw new ConfigError('INTENTS_CLIENT_SECRET is empty');
  return Object.freeze({
    gatewayUrl: url(env, 'INTENTS_GATEWAY_URL', sandboxUrl),
    apiKey,
    merchantId,
    uid,
    clientSecret,
    timeoutMs: integer(env, 'INTENTS_TIMEOUT_MS', 10_000, 100, 120_000),
  });
}

/**
 * Auto-debit: on when AGREEMENT_TOKEN_KEY (base64 of 32 bytes, or a file holding that in
 * AGREEMENT_TOKEN_KEY_FILE) is set, and in sandbox mode, where the key is made on first start in
 * $DATA_DIR/keys/agreement-token-key. Losing the key unbinds nobody but makes stored tokens unreadable.
 */
function loadAutoDebitConfig(env: Env, sandboxMode: boolean, keysDir: string): AutoDebitConfig | null {
  let text: string;
  if (env.AGREEMENT_TOKEN_KEY) text = env.AGREEMENT_TOKEN_KEY;
  else if (env.AGREEMENT_TOKEN_KEY_FILE) {
    if (!existsSync(env.AGREEMENT_TOKEN_KEY_FILE)) throw new ConfigError(`AGREEMENT_TOKEN_KEY_FILE: ${env.AGREEMENT_TOKEN_KEY_FILE} does not exist`);
    text = readFileSync(env.AGREEMENT_TOKEN_KEY_FILE, 'utf8');
  } else if (sandboxMode) text = sandboxSecret(keysDir, 'agreement-token-key', 'base64');
  else return null;
  const compact = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new ConfigError('AGREEMENT_TOKEN_KEY must be the base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`)');
  const returnPage = env.AGREEMENT_RETURN_PAGE_URL ? url(env, 'AGREEMENT_RETURN_PAGE_URL', '') : null;
  return Object.freeze({
    tokenKey: createSecretKey(key),
    dailyCap: integer(env, 'AGREEMENT_DAILY_CAP', 100_000, 1, 1_000_000_000_000),
    currency: 'HKD' as Currency,
    returnPageUrl: returnPage,
  });
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR || '.data');
  const sandboxPort = integer(env, 'SANDBOX_PORT', 3100, 0, 65535);
  const sandboxMode = !env.ALIPAYHK_GATEWAY_URL;
  const keysDir = join(dataDir, 'keys');
  // SHA1withRSA by default: AlipayHK's pages for these functions name it (docs/protocols/alipayhk.md#what-is-signed,
  // https://global.alipay.com/docs/ac/PC2Mobile/signreq); RSA2 is for contracts that say SHA256withRSA.
  const signAlgorithm = (env.ALIPAYHK_SIGN_ALGORITHM || 'RSA') as SignAlgorithm;
  if (!SIGN_ALGORITHMS.includes(signAlgorithm)) throw new ConfigError(`ALIPAYHK_SIGN_ALGORITHM must be RSA or RSA2, got ${signAlgorithm}`);
  const signatureEncoding = (env.ALIPAYHK_SIGNATURE_ENCODING || 'base64') as SignatureEncoding;
  if (!SIGNATURE_ENCODINGS.includes(signatureEncoding)) throw new ConfigError(`ALIPAYHK_SIGNATURE_ENCODING must be base64 or url, got ${signatureEncoding}`);
  let paths: AlipayHkPaths;
  try {
    paths = parseAlipayHkPaths(env.ALIPAYHK_PATHS);
  } catch (error) {
    throw new ConfigError(`ALIPAYHK_PATHS ${(error as Error).message}`);
  }
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const adminToken = env.ADMIN_TOKEN || (sandboxMode ? sandboxSecret(keysDir, 'admin-token') : null);
  if (adminToken !== null && adminToken.length < 16) throw new ConfigError('ADMIN_TOKEN must have at least 16 characters');
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must have at least 16 characters');
  const sessionSecret = env.SESSION_SECRET || (sandboxMode ? sandboxSecret(keysDir, 'session-secret') : '');
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET is required (at least 32 characters)');

  const alipayhk: AlipayHkConfig = {
    gatewayUrl: url(env, 'ALIPAYHK_GATEWAY_URL', sandboxUrl),
    clientId: env.ALIPAYHK_CLIENT_ID || (sandboxMode ? SANDBOX_ALIPAYHK_CLIENT_ID : ''),
    merchantId: env.ALIPAYHK_MERCHANT_ID || (sandboxMode ? SANDBOX_ALIPAYHK_MERCHANT_ID : ''),
    signAlgorithm,
    signatureEncoding,
    paths,
    merchantPrivateKey: parseKey(env, 'ALIPAYHK_MERCHANT_PRIVATE_KEY', 'private'),
    gatewayPublicKey: parseKey(env, 'ALIPAYHK_GATEWAY_PUBLIC_KEY', 'public'),
    sellerName: env.ALIPAYHK_SELLER_NAME || 'TradePay Demo Shop',
    mcc: env.ALIPAYHK_MCC || '5499',
    timeoutMs: integer(env, 'ALIPAYHK_TIMEOUT_MS', 10_000, 100, 120_000),
  };
  if (!alipayhk.clientId || alipayhk.clientId.length > 32) throw new ConfigError('ALIPAYHK_CLIENT_ID is required (≤32 characters)');
  if (!alipayhk.merchantId) throw new ConfigError('ALIPAYHK_MERCHANT_ID is required');

  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl: env.DATABASE_URL || `sqlite://${join(dataDir, 'tradepay.db')}`,
    // Side-by-side sweeps were inconclusive on the shared machine (BENCHMARKS.md, "PostgreSQL"): the size the store had.
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
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
    alipayhk: Object.freeze(alipayhk),
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
