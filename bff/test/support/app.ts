/**
 * Builds the real BFF for `app.inject()` tests: real config parsing, real SQLite in a temp dir,
 * a generated gateway key pair (the test plays the gateway), and captured log lines.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { parseRsaKey, type ParsedRsaKey } from '../../src/channels/alipayhk/signing';
import { loadConfig, type Config } from '../../src/config';
import { fixture } from './fixtures';

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<Config>;
  gatewayPrivateKey: ParsedRsaKey;
  merchantPublicKey: ParsedRsaKey;
  logs: string[];
  /** Authorization header of a guest session made for this app. */
  auth: { authorization: string };
  newSession(): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

let gatewayPair: { privatePem: string; publicPem: string } | undefined;

function gatewayKeys() {
  gatewayPair ??= (() => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    };
  })();
  return gatewayPair;
}

export function captureLogs(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

export async function buildTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-test-'));
  const gateway = gatewayKeys();
  const config = loadConfig({
    DATA_DIR: dataDir,
    ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
    ALIPAYHK_GATEWAY_PUBLIC_KEY: gateway.publicPem,
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    RATE_LIMIT_PER_MINUTE: '100000',
    // The tests' signed fixtures are SHA256withRSA; the product default (RSA) is covered by the flow tests.
    ALIPAYHK_SIGN_ALGORITHM: 'RSA2',
    ...env,
  });
  const { lines, stream } = captureLogs();
  const app = await buildApp(config, { logStream: stream, sleep: async () => undefined });
  await app.ready();
  const newSession = async () => {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: {} });
    if (res.statusCode !== 200) throw new Error(`session: ${res.statusCode} ${res.body}`);
    return { authorization: `Bearer ${res.json().token}` };
  };
  const auth = await newSession();
  return {
    auth,
    newSession,
    app,
    config,
    gatewayPrivateKey: parseRsaKey(gateway.privatePem, 'private'),
    merchantPublicKey: parseRsaKey(fixture('test-merchant-public.pem'), 'public'),
    logs: lines,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
