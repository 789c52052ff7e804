/** The Latipay channel's configuration. */
import { existsSync, readFileSync } from 'node:fs';
import { isCurrency, type Currency } from '@tradepay/shared';
import { ConfigError, integer, oneOf, sandboxSecret, url, type Env } from './env';

/** The sandbox's Latipay account and wallet (the sandbox defines the same values on its side). */
export const SANDBOX_LATIPAY_USER_ID = 'U000000001';
export const SANDBOX_LATIPAY_WALLET_ID = 'W000000001';
/** The sandbox wallet settles in the catalog's currency. */
export const SANDBOX_LATIPAY_CURRENCY: Currency = 'HKD';

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

/**
 * Latipay: on in sandbox mode (pointing at the local sandbox, api key from
 * $DATA_DIR/keys/latipay-api-key) and in live mode when LATIPAY_USER_ID is set.
 */
export function loadLatipayConfig(env: Env, sandboxMode: boolean, sandboxUrl: string, keysDir: string): LatipayConfig | null {
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
