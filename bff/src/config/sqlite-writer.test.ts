import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { fixture } from '../../test/support/fixtures';

const env = (extra: Record<string, string>) => ({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'tradepay-config-')),
  ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
  ALIPAYHK_GATEWAY_PUBLIC_KEY: fixture('test-merchant-public.pem'),
  ...extra,
});

it('SQLITE_WRITER: inline by default, thread when asked, anything else refused by name', () => {
  expect(loadConfig(env({})).sqliteWriter).toBe('inline');
  expect(loadConfig(env({ SQLITE_WRITER: 'thread' })).sqliteWriter).toBe('thread');
  expect(loadConfig(env({ SQLITE_WRITER: 'inline' })).sqliteWriter).toBe('inline');
  expect(() => loadConfig(env({ SQLITE_WRITER: 'threads' }))).toThrow(ConfigError);
  expect(() => loadConfig(env({ SQLITE_WRITER: 'threads' }))).toThrow(/SQLITE_WRITER/);
});
