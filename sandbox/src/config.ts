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

/** `RSA2` = SHA256withRSA (default), `RSA` = SHA1withRSA. Fixed per merchant contract, never read from a message. */
export type SignAlgorithm = 'RSA2' | 'RSA';
export const SIGN_ALGORITHMS: readonly SignAlgorithm[] = ['RSA2', 'RSA'];

export interface SandboxConfig {
  host: string;
  port: number;
  dataDir: string;
  signAlgorithm: SignAlgorithm;
  /** Multiplies every notification retry delay (1 = AlipayHK's real schedule). */
  retryScale: number;
  /** The documented wire forms spoken where vendors disagree (SANDBOX_LATIPAY_AMOUNT, …: ./forms). */
  forms: WireForms;
}

export function parseSignAlgorithm(text: string | undefined): SignAlgorithm {
  if (text === undefined || text === '') return 'RSA2';
  if (text === 'RSA2' || text === 'RSA') return text;
  throw new Error(`SANDBOX_SIGN_ALGORITHM must be RSA2 or RSA, got ${JSON.stringify(text)}`);
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
    retryScale: parseScale(env.SANDBOX_RETRY_SCALE),
    forms: loadWireForms(env),
  });
}
