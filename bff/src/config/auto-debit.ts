/** AlipayHK auto-debit (agreement pay) configuration. */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Currency } from '@tradepay/shared';
import { ConfigError, integer, sandboxSecret, url, type Env } from './env';

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

/**
 * Auto-debit: on when AGREEMENT_TOKEN_KEY (base64 of 32 bytes, or a file holding that in
 * AGREEMENT_TOKEN_KEY_FILE) is set, and in sandbox mode, where the key is made on first start in
 * $DATA_DIR/keys/agreement-token-key. Losing the key unbinds nobody but makes stored tokens unreadable.
 */
export function loadAutoDebitConfig(env: Env, sandboxMode: boolean, keysDir: string): AutoDebitConfig | null {
  let text: string;
  if (env.AGREEMENT_TOKEN_KEY) text = env.AGREEMENT_TOKEN_KEY;
  else if (env.AGREEMENT_TOKEN_KEY_FILE) {
    if (!existsSync(env.AGREEMENT_TOKEN_KEY_FILE))
      throw new ConfigError(`AGREEMENT_TOKEN_KEY_FILE: ${env.AGREEMENT_TOKEN_KEY_FILE} does not exist`);
    text = readFileSync(env.AGREEMENT_TOKEN_KEY_FILE, 'utf8');
  } else if (sandboxMode) text = sandboxSecret(keysDir, 'agreement-token-key', 'base64');
  else return null;
  const compact = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64') : Buffer.alloc(0);
  if (key.length !== 32)
    throw new ConfigError('AGREEMENT_TOKEN_KEY must be the base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`)');
  const returnPage = env.AGREEMENT_RETURN_PAGE_URL ? url(env, 'AGREEMENT_RETURN_PAGE_URL', '') : null;
  return Object.freeze({
    tokenKey: createSecretKey(key),
    dailyCap: integer(env, 'AGREEMENT_DAILY_CAP', 100_000, 1, 1_000_000_000_000),
    currency: 'HKD' as Currency,
    returnPageUrl: returnPage,
  });
}
