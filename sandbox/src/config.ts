/**
 * Sandbox defaults. These constants are the sandbox's own: the BFF defines its own copies for sandbox
 * mode, so a typo on either side shows up as a refused call instead of being silently shared.
 */

import { loadWireForms, type WireForms } from './forms';

/** `head.clientId` the sandbox gateway accepts (AlipayHK issues one per partner; ≤ 32 chars). */
export const SANDBOX_CLIENT_ID = 'TPSANDBOXCLIENT01';
/** `body.merchantId` the sandbox gateway accepts (AlipayHK merchant ids look like 2160400000002012). */
export const SANDBOX_MERCHANT_ID = '2160400000000001';
export const DEFAULT_SANDBOX_PORT = 3100;
export const DEFAULT_DATA_DIR = '.data';

/**
 * `RSA` = SHA1withRSA (default: AlipayHK's pages for these functions name it,
 * https://global.alipay.com/docs/ac/PC2Mobile/signreq), `RSA2` = SHA256withRSA. Fixed per merchant
 * contract, never read from a message.
 */
export type SignAlgorithm = 'RSA2' | 'RSA';
export const SIGN_ALGORITHMS: readonly SignAlgorithm[] = ['RSA2', 'RSA'];

/**
 * How signatures are written, both ways (docs/protocols/alipayhk.md#what-is-signed, unsettled): `base64` as on the sign pages
 * (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/sign), or `url`, `encodeURIComponent` of it, as
 * in the "API Structure (v1)" example (https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_structure_v1).
 * A `url` gateway form-decodes what it receives, so a raw base64 holding `+` fails there.
 */
export type SignatureEncoding = 'base64' | 'url';
export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = ['base64', 'url'];

/**
 * Where payQuery puts `acquirementStatus` (docs/protocols/alipayhk.md#functions, unsettled): `flat` at the top of the
 * body, `nested` in `statusDetail` as the sibling iPay wallets do (DANA, GCash public client code).
 */
export type QueryShape = 'flat' | 'nested';
export const QUERY_SHAPES: readonly QueryShape[] = ['flat', 'nested'];

/**
 * Which spelling of the three disputed paths the gateway answers (docs/protocols/alipayhk.md#endpoints): `camel`
 * (`payQuery.htm`, `payCancel.htm`), `lower` (`payquery.htm`, `paycancel.htm`,
 * https://global.alipay.com/docs/ac/publicapi/payquery), or `any` (both; the default).
 */
export type PathCase = 'any' | 'camel' | 'lower';
export const PATH_CASES: readonly PathCase[] = ['any', 'camel', 'lower'];
/** `refund.htm`, `grefund.htm` (https://global.alipay.com/docs/ac/publicapi/refund), or `any` (both; the default). */
export type RefundPath = 'any' | 'refund' | 'grefund';
export const REFUND_PATHS: readonly RefundPath[] = ['any', 'refund', 'grefund'];

/** The gateway variants a sandbox can speak; each is a `buildSandbox` option and a `SANDBOX_*` variable. */
export interface SandboxVariant {
  signAlgorithm: SignAlgorithm;
  signatureEncoding: SignatureEncoding;
  queryShape: QueryShape;
  pathCase: PathCase;
  refundPath: RefundPath;
  /** false: applyToken's answer names no user (as AlipayHK documents it); getUserInfo does. */
  applyTokenUserId: boolean;
}

export const DEFAULT_VARIANT: Readonly<SandboxVariant> = Object.freeze({
  signAlgorithm: 'RSA',
  signatureEncoding: 'base64',
  queryShape: 'flat',
  pathCase: 'any',
  refundPath: 'any',
  applyTokenUserId: true,
});

export interface SandboxConfig extends SandboxVariant {
  host: string;
  port: number;
  dataDir: string;
  /** Multiplies every notification retry delay (1 = AlipayHK's real schedule). */
  retryScale: number;
  /** `SANDBOX_CANCEL_NOTIFY_URL`: where notify.cancel goes (registered offline with AlipayHK); null: not sent. */
  cancelNotifyUrl: string | null;
  /** The documented wire forms spoken where vendors disagree (SANDBOX_LATIPAY_AMOUNT, …: ./forms). */
  forms: WireForms;
}

export function parseSignAlgorithm(text: string | undefined): SignAlgorithm {
  return parseChoice('SANDBOX_SIGN_ALGORITHM', text, SIGN_ALGORITHMS, DEFAULT_VARIANT.signAlgorithm);
}

function parseChoice<T extends string>(name: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined || text === '') return fallback;
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new Error(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
}

function parseFlag(name: string, text: string | undefined, fallback: boolean): boolean {
  if (text === undefined || text === '') return fallback;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new Error(`${name} must be true or false, got ${JSON.stringify(text)}`);
}

function parsePort(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_SANDBOX_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SANDBOX_PORT must be 0..65535, got ${JSON.stringify(text)}`);
  return port;
}

function parseScale(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale < 0) throw new Error(`SANDBOX_RETRY_SCALE must be a number ≥ 0, got ${JSON.stringify(text)}`);
  return scale;
}

/** Reads the process environment once, at start-up; a bad value stops the process with a clear message. */
export function loadSandboxConfig(env: NodeJS.ProcessEnv): SandboxConfig {
  return Object.freeze({
    // Loopback only: the sandbox holds test keys and must never be reachable from the network.
    host: '127.0.0.1',
    port: parsePort(env.SANDBOX_PORT),
    dataDir: env.DATA_DIR || DEFAULT_DATA_DIR,
    signAlgorithm: parseSignAlgorithm(env.SANDBOX_SIGN_ALGORITHM),
    signatureEncoding: parseChoice(
      'SANDBOX_SIGNATURE_ENCODING',
      env.SANDBOX_SIGNATURE_ENCODING,
      SIGNATURE_ENCODINGS,
      DEFAULT_VARIANT.signatureEncoding,
    ),
    queryShape: parseChoice('SANDBOX_QUERY_SHAPE', env.SANDBOX_QUERY_SHAPE, QUERY_SHAPES, DEFAULT_VARIANT.queryShape),
    pathCase: parseChoice('SANDBOX_PATH_CASE', env.SANDBOX_PATH_CASE, PATH_CASES, DEFAULT_VARIANT.pathCase),
    refundPath: parseChoice('SANDBOX_REFUND_PATH', env.SANDBOX_REFUND_PATH, REFUND_PATHS, DEFAULT_VARIANT.refundPath),
    applyTokenUserId: parseFlag('SANDBOX_APPLYTOKEN_USER_ID', env.SANDBOX_APPLYTOKEN_USER_ID, DEFAULT_VARIANT.applyTokenUserId),
    retryScale: parseScale(env.SANDBOX_RETRY_SCALE),
    cancelNotifyUrl: env.SANDBOX_CANCEL_NOTIFY_URL || null,
    forms: loadWireForms(env),
  });
}
