/** The AlipayHK channel's configuration: gateway, merchant identity, signing and keys. */
import { join, resolve } from 'node:path';
import {
  parseRsaKey,
  SIGN_ALGORITHMS,
  SIGNATURE_ENCODINGS,
  type ParsedRsaKey,
  type SignAlgorithm,
  type SignatureEncoding,
} from '../channels/alipayhk/signing';
import type { AlipayHkChannelConfig } from '../channels/alipayhk';
import { parseAlipayHkPaths, type AlipayHkPaths } from '../channels/alipayhk/functions';
import { ConfigError, integer, keyText, url, type Env } from './env';

export const SANDBOX_ALIPAYHK_CLIENT_ID = 'TPSANDBOXCLIENT01';
export const SANDBOX_ALIPAYHK_MERCHANT_ID = '2160400000000001';

/** The ALIPAYHK_* settings: what the channel is built from, less the URLs back to us (notifyUrl comes from PUBLIC_URL). */
export type AlipayHkConfig = Omit<AlipayHkChannelConfig, 'notifyUrl' | 'returnUrl'>;

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

/** ALIPAYHK_*: in sandbox mode (no ALIPAYHK_GATEWAY_URL) the local sandbox's identity and keys. */
export function loadAlipayHkConfig(env: Env, sandboxMode: boolean, sandboxUrl: string): Readonly<AlipayHkConfig> {
  // SHA1withRSA by default: AlipayHK's pages for these functions name it (docs/protocols/alipayhk.md#what-is-signed,
  // https://global.alipay.com/docs/ac/PC2Mobile/signreq); RSA2 is for contracts that say SHA256withRSA.
  const signAlgorithm = (env.ALIPAYHK_SIGN_ALGORITHM || 'RSA') as SignAlgorithm;
  if (!SIGN_ALGORITHMS.includes(signAlgorithm)) throw new ConfigError(`ALIPAYHK_SIGN_ALGORITHM must be RSA or RSA2, got ${signAlgorithm}`);
  const signatureEncoding = (env.ALIPAYHK_SIGNATURE_ENCODING || 'base64') as SignatureEncoding;
  if (!SIGNATURE_ENCODINGS.includes(signatureEncoding))
    throw new ConfigError(`ALIPAYHK_SIGNATURE_ENCODING must be base64 or url, got ${signatureEncoding}`);
  let paths: AlipayHkPaths;
  try {
    paths = parseAlipayHkPaths(env.ALIPAYHK_PATHS);
  } catch (error) {
    throw new ConfigError(`ALIPAYHK_PATHS ${(error as Error).message}`);
  }
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
  return Object.freeze(alipayhk);
}
