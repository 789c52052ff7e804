/**
 * Files at rest in live mode: the BFF creates DATA_DIR 0700 and the SQLite files (database, -wal,
 * -shm) 0600, and resets files an earlier run left readable. Under the usual umask 022 the defaults
 * would be 0755 and 0644, so these checks fail without the explicit modes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { fixture } from '../support/fixtures';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function liveConfig(dataDir: string) {
  return loadConfig({
    DATA_DIR: dataDir,
    ALIPAYHK_GATEWAY_URL: 'https://open.alipay.hk',
    ALIPAYHK_CLIENT_ID: 'LIVE_CLIENT_ID',
    ALIPAYHK_MERCHANT_ID: 'LIVE_MERCHANT_ID',
    ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
    ALIPAYHK_GATEWAY_PUBLIC_KEY: fixture('test-merchant-public.pem'),
    SESSION_SECRET: 'live-session-secret-0123456789abcdef0123',
    ADMIN_TOKEN: 'live-admin-token-0123456789',
    PUBLIC_URL: 'https://shop.example',
    RECONCILE_INTERVAL_SECONDS: '0',
  });
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('files at rest in live mode', () => {
  it('DATA_DIR is created 0700 and the SQLite files 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tradepay-modes-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    const config = liveConfig(dataDir);
    expect(config.sandboxMode).toBe(false);
    const app = await buildApp(config, { logger: false });
    try {
      await app.ready();
      // A write, so the WAL holds something.
      expect((await app.inject({ method: 'POST', url: '/api/session', payload: {} })).statusCode).toBe(200);
      expect(mode(dataDir)).toBe(0o700);
      for (const file of ['tradepay.db', 'tradepay.db-wal', 'tradepay.db-shm'])
        expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);
    } finally {
      await app.close();
    }
  });

  it('database files an earlier run left readable are reset to 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tradepay-modes-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    const first = await buildApp(liveConfig(dataDir), { logger: false });
    await first.close();
    for (const file of ['tradepay.db', 'tradepay.db-wal', 'tradepay.db-shm']) {
      writeFileSync(join(dataDir, file), '', { flag: 'a' });
      chmodSync(join(dataDir, file), 0o644);
    }
    const again = await buildApp(liveConfig(dataDir), { logger: false });
    try {
      for (const file of ['tradepay.db', 'tradepay.db-wal', 'tradepay.db-shm'])
        expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);
      // An operator's existing directory keeps its mode: only a directory the BFF creates is 0700.
      expect(mode(dataDir)).toBe(0o755);
    } finally {
      await again.close();
    }
  });
});
