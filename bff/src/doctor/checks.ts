/**
 * The doctor's static checks: the same configuration the BFF reads (`loadConfig`, the same key
 * sources), judged one fact per line, with the fix beside each. Nothing here talks to a gateway.
 */
import { existsSync, readFileSync } from 'node:fs';
import { alipayHkKeyText, ConfigError, loadConfig, type AlipayHkKeyName, type Config, type Env } from '../config';
import { parseRsaKey } from '../channels/alipayhk/signing';
import { findWhitespaceDamage, inspectKey, type KeyInspection } from './inspect-key';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  /** How to fix it; empty for ok. */
  fix: string;
}

export interface DoctorReport {
  checks: Check[];
  /** Environment settings the doctor recommends, e.g. {"ALIPAYHK_SIGN_ALGORITHM":"RSA"}. */
  settings: Record<string, string>;
}

export const MIN_RSA_BITS = 2048;

const KEY_SLOTS: { name: AlipayHkKeyName; id: string; label: string; kind: 'private' | 'public'; optional: boolean }[] = [
  {
    name: 'ALIPAYHK_MERCHANT_PRIVATE_KEY',
    id: 'alipayhk.merchant-private-key',
    label: 'merchant private key',
    kind: 'private',
    optional: false,
  },
  { name: 'ALIPAYHK_GATEWAY_PUBLIC_KEY', id: 'alipayhk.gateway-public-key', label: 'AlipayHK public key', kind: 'public', optional: false },
  {
    name: 'ALIPAYHK_MERCHANT_PUBLIC_KEY',
    id: 'alipayhk.merchant-public-key',
    label: 'merchant public key',
    kind: 'public',
    optional: true,
  },
];

function check(id: string, status: CheckStatus, message: string, fix = ''): Check {
  return { id, status, message, fix };
}

/** True when the slot has a value, or (sandbox mode) its default file exists. */
function isKeyConfigured(env: Env, name: AlipayHkKeyName): boolean {
  if (env[name] || env[`${name}_FILE`]) return true;
  try {
    alipayHkKeyText(env, name);
    return true;
  } catch {
    return false;
  }
}

function checkKeySlot(env: Env, slot: (typeof KEY_SLOTS)[number], checks: Check[]): KeyInspection | null {
  if (slot.optional && !isKeyConfigured(env, slot.name)) return null;
  let text: string;
  try {
    text = alipayHkKeyText(env, slot.name);
  } catch (error) {
    checks.push(
      check(slot.id, 'fail', `${slot.label}: ${(error as Error).message}`, `set ${slot.name} (PEM or base64) or ${slot.name}_FILE`),
    );
    return null;
  }
  const damage = findWhitespaceDamage(text);
  if (damage.length > 0) {
    checks.push(
      check(
        `${slot.id}.whitespace`,
        'warn',
        `${slot.label} has ${damage.join(', ')}`,
        `rewrite ${slot.name}${env[slot.name] ? '' : '_FILE'} with LF line ends and no stray blanks (e.g. \`dos2unix\`, or \`openssl rsa\`/\`openssl pkey\` to reprint it)`,
      ),
    );
  }
  const reading = inspectKey(text);
  if (!reading.ok) {
    checks.push(
      check(
        slot.id,
        'fail',
        `${slot.label} (${slot.name}) does not parse: ${reading.problem}`,
        'paste the whole key: a PEM block (PKCS#1 or PKCS#8) or the bare base64 DER',
      ),
    );
    return null;
  }
  const key = reading.key;
  const described = `${key.format} ${key.kind} key, ${key.bits} bits, ${key.fingerprint}`;
  if (slot.kind === 'private' && key.kind === 'public') {
    checks.push(
      check(
        slot.id,
        'fail',
        `${slot.label} (${slot.name}) is a public key where the private one belongs (${described})`,
        "put the merchant's private key here: the one whose public half you gave AlipayHK",
      ),
    );
    return key;
  }
  if (slot.kind === 'public' && key.kind === 'private') {
    checks.push(
      check(
        slot.id,
        'warn',
        `${slot.label} (${slot.name}) is a private key where a public one belongs (${described})`,
        'put only the public key here: private keys belong in ALIPAYHK_MERCHANT_PRIVATE_KEY',
      ),
    );
  } else {
    checks.push(check(slot.id, 'ok', `${slot.label}: ${described}`));
  }
  if (key.bits < MIN_RSA_BITS) {
    checks.push(
      check(
        `${slot.id}.size`,
        'fail',
        `${slot.label} has ${key.bits} bits (at least ${MIN_RSA_BITS} are required)`,
        `generate a new ${MIN_RSA_BITS}-bit pair (openssl genrsa 2048) and exchange public keys with AlipayHK again`,
      ),
    );
  } else {
    // The BFF's own parser must agree, so a key the doctor passes is a key the BFF boots with.
    try {
      parseRsaKey(text, slot.kind);
    } catch (error) {
      checks.push(
        check(
          slot.id,
          'fail',
          `${slot.label}: the BFF cannot read it: ${(error as Error).message}`,
          'reprint it as PKCS#8 PEM (openssl pkey)',
        ),
      );
    }
  }
  return key;
}

function checkKeys(env: Env, checks: Check[]): void {
  const [merchantPrivate, gatewayPublic, merchantPublic] = KEY_SLOTS.map((slot) => checkKeySlot(env, slot, checks));
  if (merchantPrivate && merchantPublic) {
    checks.push(
      merchantPrivate.fingerprint === merchantPublic.fingerprint
        ? check('alipayhk.key-pair', 'ok', `merchant private and public keys are one pair (${merchantPrivate.fingerprint})`)
        : check(
            'alipayhk.key-pair',
            'fail',
            `merchant private key (${merchantPrivate.fingerprint}) and ALIPAYHK_MERCHANT_PUBLIC_KEY (${merchantPublic.fingerprint}) are not one pair`,
            'configure the public half of the merchant private key, and give AlipayHK that one',
          ),
    );
  }
  if (!gatewayPublic) return;
  if (merchantPrivate && gatewayPublic.fingerprint === merchantPrivate.fingerprint) {
    checks.push(
      check(
        'alipayhk.gateway-key-distinct',
        'fail',
        `keys swapped: ALIPAYHK_GATEWAY_PUBLIC_KEY is the merchant's own public key (${gatewayPublic.fingerprint})`,
        'put the public key AlipayHK returned to you in ALIPAYHK_GATEWAY_PUBLIC_KEY; your own public key is the one you gave AlipayHK',
      ),
    );
  } else if (merchantPublic && gatewayPublic.fingerprint === merchantPublic.fingerprint) {
    checks.push(
      check(
        'alipayhk.gateway-key-distinct',
        'fail',
        `ALIPAYHK_GATEWAY_PUBLIC_KEY is the same key as ALIPAYHK_MERCHANT_PUBLIC_KEY (${gatewayPublic.fingerprint})`,
        "ALIPAYHK_GATEWAY_PUBLIC_KEY must be AlipayHK's public key, not one of yours",
      ),
    );
  } else if (merchantPrivate) {
    checks.push(
      check('alipayhk.gateway-key-distinct', 'ok', `AlipayHK public key (${gatewayPublic.fingerprint}) is none of the merchant's keys`),
    );
  }
}

function secretFrom(env: Env, name: string): string | null {
  if (env[name]) return env[name].trim();
  const file = env[`${name}_FILE`];
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  return null;
}

function checkChannelSecrets(env: Env, sandboxMode: boolean, checks: Check[]): void {
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

function checkSecrets(env: Env, sandboxMode: boolean, checks: Check[]): void {
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

function checkPublicUrl(config: Readonly<Config> | null, env: Env, sandboxMode: boolean, checks: Check[]): void {
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

export function runStaticChecks(env: Env): { checks: Check[]; config: Readonly<Config> | null } {
  const checks: Check[] = [];
  const sandboxMode = !env.ALIPAYHK_GATEWAY_URL;
  let config: Readonly<Config> | null = null;
  try {
    config = loadConfig(env);
    checks.push(
      check(
        'config',
        'ok',
        `configuration loads (${sandboxMode ? 'sandbox mode' : `live mode, AlipayHK at ${config.alipayhk.gatewayUrl}`}; signing ${config.alipayhk.signAlgorithm})`,
      ),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      check('config', 'fail', `the BFF would not start: ${error.message}`, 'fix the setting named; README "Configuration" lists them all'),
    );
  }
  checkKeys(env, checks);
  checkChannelSecrets(env, sandboxMode, checks);
  checkPublicUrl(config, env, sandboxMode, checks);
  checkSecrets(env, sandboxMode, checks);
  return { checks, config };
}

export function isFailing(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}

/** `ok|warn|fail <what> — <how to fix>` */
export function toCheckLine(c: Check): string {
  return `${c.status.padEnd(4)} ${c.message}${c.fix ? ` — ${c.fix}` : ''}`;
}
