/** Reading the environment: integers, choices, URLs, key files and sandbox secrets, each failing with a ConfigError naming the variable. */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be an integer in ${min}..${max}, got ${raw}`);
  return value;
}

/**
 * TRUST_PROXY: unset, the client IP is the socket's peer and X-Forwarded-For is ignored (a client
 * cannot pick its rate-limit bucket). Behind a load balancer: its addresses or CIDRs, comma-separated.
 * "Trust everyone" is not offered: it would let any client name its own IP.
 */
export function parseTrustProxy(raw: string | undefined): false | string[] {
  if (raw === undefined || raw.trim() === '') return false;
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined || !address || isIP(address) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new ConfigError(`TRUST_PROXY must list IP addresses or CIDRs, comma-separated, got ${entry}`);
    }
  }
  return entries;
}

export function oneOf<T extends string>(env: Env, name: string, values: readonly T[]): T {
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
  if (!existsSync(file))
    throw new ConfigError(
      `${name}_FILE: ${file} does not exist${defaultFile ? ' (in sandbox mode the sandbox creates it on first start: run `pnpm start`)' : ''}`,
    );
  return readFileSync(file, 'utf8');
}
export function url(env: Env, name: string, fallback: string): string {
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
export function sandboxSecret(keysDir: string, name: string, encoding: 'hex' | 'base64' = 'hex'): string {
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
