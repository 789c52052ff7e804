import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRsaKey } from './alipayhk/rsa-key';
import { signEnvelope, verifyEnvelope } from './alipayhk/signature';
import { ensureSandboxKeys, KEY_FILES } from './keys';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-keys-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('ensureSandboxKeys', () => {
  it('creates the key set on first start with private material at 0600, and reuses it later', async () => {
    const dataDir = await tempDir();
    const first = await ensureSandboxKeys(dataDir);
    const dir = join(dataDir, 'keys');
    for (const [field, file] of Object.entries(KEY_FILES)) {
      const text = await readFile(join(dir, file), 'utf8');
      expect(text.trim()).toBe(first[field as keyof typeof first].trim());
    }
    expect(first.merchantPrivatePem).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(first.gatewayPrivatePem).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(first.merchantPublicPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(first.gatewayPublicPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(first.latipayApiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.intentsApiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.latipayApiKey).not.toBe(first.intentsApiKey);
    for (const file of [KEY_FILES.merchantPrivatePem, KEY_FILES.gatewayPrivatePem, KEY_FILES.latipayApiKey, KEY_FILES.intentsApiKey]) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    }
    // The pairs match: what the private half signs, the public half verifies.
    const text = signEnvelope('request', { a: 1 }, parseRsaKey(first.gatewayPrivatePem, 'RSA2', 'private'));
    expect(verifyEnvelope('request', text, parseRsaKey(first.gatewayPublicPem, 'RSA2', 'public'))).toEqual({ a: 1 });

    expect(await ensureSandboxKeys(dataDir)).toEqual(first);
  });

  it('rebuilds a missing public key from its private key', async () => {
    const dataDir = await tempDir();
    const first = await ensureSandboxKeys(dataDir);
    await unlink(join(dataDir, 'keys', KEY_FILES.merchantPublicPem));
    const second = await ensureSandboxKeys(dataDir);
    expect(second.merchantPrivatePem).toBe(first.merchantPrivatePem);
    expect(second.merchantPublicPem.trim()).toBe(first.merchantPublicPem.trim());
  });
});
