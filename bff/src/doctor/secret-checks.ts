/** The doctor's checks of the other secrets and settings: channel secrets, SESSION_SECRET, ADMIN_TOKEN, PUBLIC_URL. */
import { existsSync, readFileSync } from 'node:fs';
import type { Config, Env } from '../config';
import { check, type Check } from './report';

function secretFrom(env: Env, name: string): string | null {
  if (env[name]) return env[name].trim();
  const file = env[`${name}_FILE`];
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  return null;
}

export function checkChannelSecrets(env: Env, sandboxMode: boolean, checks: Check[]): void {
  if (sandboxMode) {
    checks.push(check('latipay.secret', 'ok', 'Latipay and aggregator secrets: sandbox mode makes them under $DATA_DIR/keys/'));
    return;
  }
  if (env.LATIPAY_USER_ID) {
    const apiKey = secretFrom(env, 'LATIPAY_API_KEY');
    const missing = ['LATIPAY_WALLET_ID', 'LATIPAY_CURRENCY'].filter((name) => !env[name]);
    if (!apiKey)
      checks.push(
        check(
          'latipay.secret',
          'fail',
          'Latipay is on (LATIPAY_USER_ID) but has no api key',
          'set LATIPAY_API_KEY or LATIPAY_API_KEY_FILE to the key from the Latipay merchant portal',
        ),
      );
    else if (missing.length > 0)
      checks.push(
        check(
          'latipay.secret',
          'fail',
          `Latipay is on but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
          `set ${missing.join(' and ')}`,
        ),
      );
    else
      checks.push(check('latipay.secret', 'ok', `Latipay: user ${env.LATIPAY_USER_ID}, wallet ${env.LATIPAY_WALLET_ID}, api key present`));
  } else checks.push(check('latipay.secret', 'ok', 'Latipay is off (no LATIPAY_USER_ID)'));
  if (env.INTENTS_GATEWAY_URL) {
    const apiKey = secretFrom(env, 'INTENTS_API_KEY');
    if (!apiKey)
      checks.push(
        check(
          'intents.secret',
          'fail',
          'the H5 aggregator is on (INTENTS_GATEWAY_URL) but has no api key',
          'set INTENTS_API_KEY or INTENTS_API_KEY_FILE',
        ),
      );
    else if (apiKey.length < 16)
      checks.push(
        check('intents.secret', 'fail', 'INTENTS_API_KEY is shorter than 16 characters', 'use the api key the aggregator issued, whole'),
      );
    else checks.push(check('intents.secret', 'ok', 'H5 aggregator: api key present'));
    // The token call is GET /mch-api/v1/auth?grant_type=client_credentials&uid=…&client_secret=… (docs/protocols/intents.md).
    if (!env.INTENTS_UID?.trim())
      checks.push(
        check(
          'intents.uid',
          'fail',
          'the H5 aggregator is on but INTENTS_UID (the uid of its token call) is not set',
          'set INTENTS_UID to the uid the aggregator issued',
        ),
      );
    else checks.push(check('intents.uid', 'ok', `H5 aggregator: uid ${env.INTENTS_UID.trim()}`));
  } else checks.push(check('intents.secret', 'ok', 'H5 aggregator is off (no INTENTS_GATEWAY_URL)'));
}

/** A secret that is long enough may still be guessable: few distinct characters, or one repeated. */
function isGuessable(secret: string): boolean {
  return new Set(secret).size < 10;
}

export function checkSecrets(env: Env, sandboxMode: boolean, checks: Check[]): void {
  const session = env.SESSION_SECRET;
  if (!session) {
    checks.push(
      sandboxMode
        ? check('session-secret', 'ok', 'SESSION_SECRET: made at random in sandbox mode')
        : check(
            'session-secret',
            'fail',
            'SESSION_SECRET is not set',
            'set SESSION_SECRET to 32+ random characters (openssl rand -hex 32)',
          ),
    );
  } else if (session.length < 32)
    checks.push(check('session-secret', 'fail', `SESSION_SECRET has ${session.length} characters (at least 32)`, 'openssl rand -hex 32'));
  else if (isGuessable(session))
    checks.push(check('session-secret', 'warn', 'SESSION_SECRET is long but made of few distinct characters', 'openssl rand -hex 32'));
  else checks.push(check('session-secret', 'ok', `SESSION_SECRET: ${session.length} characters`));

  const admin = env.ADMIN_TOKEN;
  if (!admin)
    checks.push(
      check('admin-token', 'ok', sandboxMode ? 'ADMIN_TOKEN: made at random in sandbox mode' : 'ADMIN_TOKEN not set: the admin API is off'),
    );
  else if (admin.length < 16)
    checks.push(check('admin-token', 'fail', `ADMIN_TOKEN has ${admin.length} characters (at least 16)`, 'openssl rand -hex 32'));
  else if (admin.length < 32 || isGuessable(admin))
    checks.push(check('admin-token', 'warn', 'ADMIN_TOKEN is weak (under 32 characters or few distinct ones)', 'openssl rand -hex 32'));
  else checks.push(check('admin-token', 'ok', `ADMIN_TOKEN: ${admin.length} characters`));
}

export function checkPublicUrl(config: Readonly<Config> | null, env: Env, sandboxMode: boolean, checks: Check[]): void {
  if (sandboxMode) return;
  const value = config?.publicUrl ?? env.PUBLIC_URL ?? '';
  if (!env.PUBLIC_URL)
    checks.push(
      check(
        'public-url',
        'fail',
        'PUBLIC_URL is not set in live mode: notify URLs would point at localhost',
        'set PUBLIC_URL to the https origin AlipayHK reaches the BFF at',
      ),
    );
  else if (!value.startsWith('https://'))
    checks.push(
      check(
        'public-url',
        'fail',
        `PUBLIC_URL is not https in live mode (${value})`,
        'serve the BFF behind TLS and set PUBLIC_URL=https://…',
      ),
    );
  else checks.push(check('public-url', 'ok', `PUBLIC_URL: ${value}`));
}
