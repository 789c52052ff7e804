/**
 * `pnpm run doctor` static checks: each key mistake merchants make is named by its own check id,
 * and the exit code and `--json` shape follow from the checks.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor';
import { runStaticChecks, type Check } from '../../src/doctor/checks';
import { fixture } from '../support/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'tradepay-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const merchantPrivatePem = fixture('test-merchant-private.pem');
const merchantPublicPem = fixture('test-merchant-public.pem');
const gateway = generateKeyPairSync('rsa', { modulusLength: 2048 });
const gatewayPublicPem = gateway.publicKey.export({ type: 'spki', format: 'pem' }) as string;

const LIVE = {
  ALIPAYHK_GATEWAY_URL: 'https://gateway.invalid',
  ALIPAYHK_CLIENT_ID: 'CLIENT0001',
  ALIPAYHK_MERCHANT_ID: '2160400000009999',
  SESSION_SECRET: '8f0c2b7e5a1d4c3b9e6f7a8b0c1d2e3f4a5b6c7d8e9f0a1b',
  ADMIN_TOKEN: 'c0ffee12deadbeef3456789abcdef012',
  PUBLIC_URL: 'https://shop.example.com',
};

let n = 0;
function file(text: string): string {
  const path = join(dir, `key-${(n += 1)}.pem`);
  writeFileSync(path, text);
  return path;
}

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dir,
    ...LIVE,
    ALIPAYHK_MERCHANT_PRIVATE_KEY_FILE: file(merchantPrivatePem),
    ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(gatewayPublicPem),
    ...overrides,
  };
}

function byId(checks: Check[], id: string): Check {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
}

function bareBase64(key: KeyObject, type: 'pkcs1' | 'pkcs8' | 'spki'): string {
  return (key.export({ type, format: 'der' } as never) as Buffer).toString('base64');
}

describe('doctor: static checks', () => {
  it('a good live configuration passes every check, and exits 0', async () => {
    const e = env({ ALIPAYHK_MERCHANT_PUBLIC_KEY_FILE: file(merchantPublicPem) });
    const { checks } = runStaticChecks(e);
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(byId(checks, 'alipayhk.key-pair').message).toContain('one pair');
    expect(byId(checks, 'alipayhk.gateway-key-distinct').status).toBe('ok');
    const out: string[] = [];
    expect(await runDoctor([], { env: e, out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
    expect(out.every((line) => /^ok {3}/.test(line))).toBe(true);
  });

  it('swapped keys: the merchant public key configured as AlipayHK’s', () => {
    const { checks } = runStaticChecks(env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(merchantPublicPem) }));
    const c = byId(checks, 'alipayhk.gateway-key-distinct');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/keys swapped/);
    expect(c.fix).toMatch(/AlipayHK returned/);
  });

  it('AlipayHK’s key configured as the merchant public key too', () => {
    const { checks } = runStaticChecks(env({ ALIPAYHK_MERCHANT_PUBLIC_KEY_FILE: file(gatewayPublicPem) }));
    expect(byId(checks, 'alipayhk.key-pair').status).toBe('fail');
    expect(byId(checks, 'alipayhk.gateway-key-distinct')).toMatchObject({ status: 'fail' });
  });

  it('a public key where the private one belongs', () => {
    const { checks } = runStaticChecks(env({ ALIPAYHK_MERCHANT_PRIVATE_KEY_FILE: file(merchantPublicPem) }));
    const c = byId(checks, 'alipayhk.merchant-private-key');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/public key where the private one belongs/);
    expect(byId(checks, 'config').status).toBe('fail');
  });

  it('a private key where a public one belongs is a warning', () => {
    const checks = runStaticChecks(env({ ALIPAYHK_MERCHANT_PUBLIC_KEY_FILE: file(merchantPrivatePem) })).checks;
    expect(byId(checks, 'alipayhk.merchant-public-key')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/is a private key where a public one belongs/),
      fix: expect.stringContaining('private keys belong in ALIPAYHK_MERCHANT_PRIVATE_KEY'),
    });
    expect(checks.some((c) => c.id === 'alipayhk.merchant-public-key.size')).toBe(false);
  });

  it('names PKCS#1, PKCS#8 and bare base64 inputs, and each parses', () => {
    const key = createPrivateKey(merchantPrivatePem);
    const forms = [
      { text: key.export({ type: 'pkcs1', format: 'pem' }) as string, format: 'PKCS#1 PEM private key' },
      { text: key.export({ type: 'pkcs8', format: 'pem' }) as string, format: 'PKCS#8 PEM private key' },
      { text: bareBase64(key, 'pkcs1'), format: 'bare base64 (PKCS#1 DER) private key' },
      { text: bareBase64(key, 'pkcs8'), format: 'bare base64 (PKCS#8 DER) private key' },
    ];
    for (const form of forms) {
      const c = byId(runStaticChecks(env({ ALIPAYHK_MERCHANT_PRIVATE_KEY_FILE: file(form.text) })).checks, 'alipayhk.merchant-private-key');
      expect(c, form.format).toMatchObject({ status: 'ok' });
      expect(c.message).toContain(`${form.format}, 2048 bits`);
    }
    const gatewayForms = [
      { text: gateway.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string, format: 'PKCS#1 PEM public key' },
      { text: bareBase64(gateway.publicKey, 'spki'), format: 'bare base64 (PKCS#8 DER) public key' },
    ];
    for (const form of gatewayForms) {
      const c = byId(runStaticChecks(env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(form.text) })).checks, 'alipayhk.gateway-public-key');
      expect(c.message, form.format).toContain(form.format);
      expect(c.status).toBe('ok');
    }
  });

  it('a key that is neither PEM nor base64 fails by name', () => {
    const c = byId(
      runStaticChecks(env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file('ssh-rsa AAAA… merchant@laptop') })).checks,
      'alipayhk.gateway-public-key',
    );
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/does not parse/);
  });

  it('CRLF line ends and trailing blanks in a key file: warned by the whitespace check', () => {
    const crlf = merchantPrivatePem.replace(/\n/g, '\r\n');
    const { checks } = runStaticChecks(env({ ALIPAYHK_MERCHANT_PRIVATE_KEY_FILE: file(crlf) }));
    const c = byId(checks, 'alipayhk.merchant-private-key.whitespace');
    expect(c.status).toBe('warn');
    expect(c.message).toContain('CRLF line endings');
    const blanks = gatewayPublicPem.replace(/\n/g, '  \n');
    expect(
      byId(runStaticChecks(env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(blanks) })).checks, 'alipayhk.gateway-public-key.whitespace')
        .message,
    ).toContain('spaces or tabs');
    expect(runStaticChecks(env()).checks.some((x) => x.id.endsWith('.whitespace'))).toBe(false);
  });

  it('a 1024-bit key fails the size check', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { checks } = runStaticChecks(
      env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(small.publicKey.export({ type: 'spki', format: 'pem' }) as string) }),
    );
    const c = byId(checks, 'alipayhk.gateway-public-key.size');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('1024 bits');
    expect(byId(checks, 'alipayhk.gateway-public-key').message).toContain('1024 bits');
  });

  it('merchant private and public keys that are not one pair', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const c = byId(runStaticChecks(env({ ALIPAYHK_MERCHANT_PUBLIC_KEY_FILE: file(other) })).checks, 'alipayhk.key-pair');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/not one pair/);
  });

  it('Latipay and aggregator secrets when their channels are on', () => {
    const latipay = runStaticChecks(
      env({ LATIPAY_USER_ID: 'U000000042', LATIPAY_WALLET_ID: 'W000000042', LATIPAY_CURRENCY: 'HKD' }),
    ).checks;
    expect(byId(latipay, 'latipay.secret')).toMatchObject({ status: 'fail' });
    expect(byId(latipay, 'latipay.secret').fix).toContain('LATIPAY_API_KEY');
    const withKey = runStaticChecks(
      env({ LATIPAY_USER_ID: 'U000000042', LATIPAY_WALLET_ID: 'W000000042', LATIPAY_CURRENCY: 'HKD', LATIPAY_API_KEY: 'k'.repeat(32) }),
    ).checks;
    expect(byId(withKey, 'latipay.secret').status).toBe('ok');
    expect(byId(runStaticChecks(env({ INTENTS_GATEWAY_URL: 'https://pay.example.com' })).checks, 'intents.secret').status).toBe('fail');
    expect(
      byId(runStaticChecks(env({ INTENTS_GATEWAY_URL: 'https://pay.example.com', INTENTS_API_KEY: 'short' })).checks, 'intents.secret')
        .status,
    ).toBe('fail');
  });

  it('PUBLIC_URL must be https in live mode', () => {
    expect(byId(runStaticChecks(env({ PUBLIC_URL: 'http://shop.example.com' })).checks, 'public-url')).toMatchObject({ status: 'fail' });
    const { PUBLIC_URL: _, ...unset } = env();
    expect(byId(runStaticChecks(unset).checks, 'public-url').status).toBe('fail');
  });

  it('SESSION_SECRET and ADMIN_TOKEN strength', () => {
    expect(byId(runStaticChecks(env({ SESSION_SECRET: 'too-short' })).checks, 'session-secret').status).toBe('fail');
    expect(byId(runStaticChecks(env({ SESSION_SECRET: 'a'.repeat(40) })).checks, 'session-secret').status).toBe('warn');
    expect(byId(runStaticChecks(env({ ADMIN_TOKEN: 'admin' })).checks, 'admin-token').status).toBe('fail');
    expect(byId(runStaticChecks(env({ ADMIN_TOKEN: 'abcdefghijklmnopq' })).checks, 'admin-token').status).toBe('warn');
  });

  it('exits 1 on a failure; --json prints the checks and the settings', async () => {
    const out: string[] = [];
    const code = await runDoctor(['--json'], {
      env: env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(merchantPublicPem) }),
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as { checks: Check[]; settings: Record<string, string> };
    expect(report.settings).toEqual({});
    expect(byId(report.checks, 'alipayhk.gateway-key-distinct')).toEqual(
      expect.objectContaining({ status: 'fail', message: expect.any(String), fix: expect.any(String) }),
    );
    const lines: string[] = [];
    await runDoctor([], {
      env: env({ ALIPAYHK_GATEWAY_PUBLIC_KEY_FILE: file(merchantPublicPem) }),
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    expect(lines.find((l) => l.includes('keys swapped'))).toMatch(/^fail keys swapped: .* — put the public key/);
  });

  it('a usage error exits 2', async () => {
    expect(await runDoctor(['verify'], { env: env(), out: () => undefined, err: () => undefined })).toBe(2);
    expect(await runDoctor(['--bogus'], { env: env(), out: () => undefined, err: () => undefined })).toBe(2);
  });
});
