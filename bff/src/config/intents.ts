/** The H5 channel's payment-intents aggregator configuration. */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, integer, sandboxSecret, url, type Env } from './env';

/** The merchant id the sandbox's payment-intents token endpoint expects (the sandbox keeps its own copy). */
export const SANDBOX_INTENTS_MERCHANT_ID = 'TPSANDBOXINTENTS01';

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

/**
 * The H5 channel (payment intents): on when INTENTS_GATEWAY_URL is set, and in sandbox mode, where it
 * points at the local sandbox and reads $DATA_DIR/keys/intents-api-key (made here, same format, if the
 * BFF starts before the sandbox).
 */
export function loadIntentsConfig(env: Env, sandboxMode: boolean, sandboxUrl: string, keysDir: string): IntentsConfig | null {
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
    if (!existsSync(env.INTENTS_CLIENT_SECRET_FILE))
      throw new ConfigError(`INTENTS_CLIENT_SECRET_FILE: ${env.INTENTS_CLIENT_SECRET_FILE} does not exist`);
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
