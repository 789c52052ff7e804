/**
 * `pnpm run doctor verify <file|->`: for one raw body, the content cut out, the key and algorithm
 * tried, the verdict, and the likely cause when it fails.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlipayHkClient } from '../../src/channels/alipayhk/client';
import { ALIPAYHK_FUNCTIONS } from '../../src/channels/alipayhk/functions';
import { cutSignedParts } from '../../src/channels/alipayhk/sign-content';
import { createRsaSigner, createRsaVerifier, parseRsaKey, type SignAlgorithm } from '../../src/channels/alipayhk/signing';
import { signTestNotification } from '../../src/channels/alipayhk/testing';
import { runDoctor } from '../../src/cli/doctor';
import { fixture } from '../support/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'tradepay-doctor-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const merchantPrivatePem = fixture('test-merchant-private.pem');
const merchantPublicPem = fixture('test-merchant-public.pem');
const gateway = generateKeyPairSync('rsa', { modulusLength: 2048 });
const gatewayPrivate = parseRsaKey(gateway.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'private');
const gatewayPublicPem = gateway.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const merchantPrivate = parseRsaKey(merchantPrivatePem, 'private');

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dir,
    ALIPAYHK_GATEWAY_URL: 'https://gateway.invalid',
    ALIPAYHK_CLIENT_ID: 'CLIENT0001',
    ALIPAYHK_MERCHANT_ID: '2160400000009999',
    SESSION_SECRET: '8f0c2b7e5a1d4c3b9e6f7a8b0c1d2e3f4a5b6c7d8e9f0a1b',
    PUBLIC_URL: 'https://shop.example.com',
    ALIPAYHK_SIGN_ALGORITHM: 'RSA2',
    ALIPAYHK_MERCHANT_PRIVATE_KEY: merchantPrivatePem,
    ALIPAYHK_GATEWAY_PUBLIC_KEY: gatewayPublicPem,
    ...overrides,
  };
}

/** A notify.pay as AlipayHK sends it, signed with `key` (the gateway's unless a test says otherwise). */
function notification(key = gatewayPrivate, algorithm: SignAlgorithm = 'RSA2'): Promise<string> {
  return signTestNotification(
    { clientId: 'CLIENT0001', merchantTransId: 'T-0001', amount: { currency: 'HKD', value: '12800' } },
    key,
    algorithm,
  );
}

/** A notification whose signature holds both + and / (most do; retried until one does). */
async function notificationWithPlusAndSlash(): Promise<string> {
  for (;;) {
    const raw = await notification();
    const { signature } = cutSignedParts(raw, 'request');
    if (signature.includes('+') && signature.includes('/')) return raw;
  }
}

let n = 0;
async function verify(raw: string, overrides: Record<string, string> = {}) {
  const path = join(dir, `body-${(n += 1)}.json`);
  writeFileSync(path, raw);
  const lines: string[] = [];
  const code = await runDoctor(['verify', path], { env: env(overrides), out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const jsonLines: string[] = [];
  await runDoctor(['verify', path, '--json'], { env: env(overrides), out: (l) => jsonLines.push(l), err: (l) => jsonLines.push(l) });
  const report = JSON.parse(jsonLines.join('\n')) as {
    checks: { id: string; status: string; message: string; fix: string }[];
    settings: Record<string, string>;
    verify: { cause: string | null; content: string | null };
  };
  return { code, text: lines.join('\n'), report, cause: report.verify.cause };
}

describe('doctor verify', () => {
  it('a genuine notification verifies: prints the exact content, the algorithm and the key fingerprint, exit 0', async () => {
    const raw = await notification();
    const { code, text, report, cause } = await verify(raw);
    expect(code).toBe(0);
    expect(cause).toBeNull();
    expect(report.checks[0]).toMatchObject({ id: 'verify', status: 'ok' });
    const { content } = cutSignedParts(raw, 'request');
    expect(report.verify.content).toBe(content);
    expect(text).toContain(content);
    expect(text).toMatch(/algorithm {2}RSA2 \(SHA256withRSA\)/);
    expect(text).toMatch(/key {8}ALIPAYHK_GATEWAY_PUBLIC_KEY SHA256:[A-Za-z0-9+/]{43}/);
  });

  it('reads the body from stdin with -', async () => {
    const raw = await notification();
    const lines: string[] = [];
    const code = await runDoctor(['verify', '-'], {
      env: env(),
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      readStdin: async () => raw,
    });
    expect(code).toBe(0);
    expect(lines.some((l) => l.startsWith('ok'))).toBe(true);
  });

  it('one of our own requests (an orderStr) is judged against the merchant key', async () => {
    const client = createAlipayHkClient({
      gatewayUrl: 'https://gateway.invalid',
      clientId: 'CLIENT0001',
      signer: createRsaSigner(merchantPrivate, 'RSA2'),
      verifier: createRsaVerifier(merchantPrivate, 'RSA2'),
      timeoutMs: 1000,
    });
    const signed = await client.signRequest(ALIPAYHK_FUNCTIONS.payQuery, { merchantId: '2160400000009999', merchantTransId: 'T-1' });
    const { code, text } = await verify(signed.text);
    expect(code).toBe(0);
    expect(text).toContain('expected signer: the merchant');
  });

  it('a re-serialised body: verifies only after re-serialising', async () => {
    const pretty = JSON.stringify(JSON.parse(await notification()), null, 2);
    const { code, cause, report } = await verify(pretty);
    expect(code).toBe(1);
    expect(cause).toBe('re-serialised');
    expect(report.checks[0]?.message).toMatch(/modified on its way/);
  });

  it('a swapped key: the body was signed with the merchant’s own key', async () => {
    const { code, cause, report } = await verify(await notification(merchantPrivate));
    expect(code).toBe(1);
    expect(cause).toBe('keys-swapped');
    expect(report.checks[0]?.message).toMatch(/^keys swapped/);
  });

  it('a swapped key: ALIPAYHK_GATEWAY_PUBLIC_KEY holds the merchant’s public key', async () => {
    const { code, cause, report } = await verify(await notification(), { ALIPAYHK_GATEWAY_PUBLIC_KEY: merchantPublicPem });
    expect(code).toBe(1);
    expect(cause).toBe('merchant-key-as-gateway-key');
    expect(report.checks[0]?.message).toMatch(/^keys swapped: ALIPAYHK_GATEWAY_PUBLIC_KEY is the merchant's own public key/);
  });

  it('a URL-encoded signature: encoded twice', async () => {
    const raw = await notificationWithPlusAndSlash();
    const { signature } = cutSignedParts(raw, 'request');
    const twice = raw.replace(signature, encodeURIComponent(encodeURIComponent(signature)));
    const { code, cause, report } = await verify(twice);
    expect(code).toBe(1);
    expect(cause).toBe('url-encoded-signature');
    expect(report.checks[0]?.message).toMatch(/encoded twice .*; decoded twice it verifies/);
  });

  it('a URL-encoded signature: form-decoded on its way (+ became spaces)', async () => {
    const raw = await notificationWithPlusAndSlash();
    const { signature } = cutSignedParts(raw, 'request');
    const formDecoded = raw.replace(signature, signature.replace(/\+/g, ' '));
    const { code, cause, report } = await verify(formDecoded);
    expect(code).toBe(1);
    expect(cause).toBe('url-encoded-signature');
    expect(report.checks[0]?.message).toMatch(/form-decoded.*with the \+ restored it verifies/);
  });

  it('a URL-encoded signature (once) verifies, and the gateway’s encoding is recommended', async () => {
    const raw = await notificationWithPlusAndSlash();
    const { signature } = cutSignedParts(raw, 'request');
    const { code, report } = await verify(raw.replace(signature, encodeURIComponent(signature)));
    expect(code).toBe(0);
    expect(report.settings).toEqual({ ALIPAYHK_SIGNATURE_ENCODING: 'url' });
  });

  it('the wrong algorithm: recommends the one that verifies', async () => {
    const { code, cause, report } = await verify(await notification(gatewayPrivate, 'RSA'));
    expect(code).toBe(1);
    expect(cause).toBe('wrong-algorithm');
    expect(report.settings).toEqual({ ALIPAYHK_SIGN_ALGORITHM: 'RSA' });
    const back = await verify(await notification(gatewayPrivate, 'RSA'), { ALIPAYHK_SIGN_ALGORITHM: 'RSA' });
    expect(back.code).toBe(0);
  });

  it('trailing bytes after the envelope', async () => {
    const { code, cause } = await verify(`${await notification()}\u0000garbage`);
    expect(code).toBe(1);
    expect(cause).toBe('trailing-bytes');
  });

  it('a tampered body signed by nobody we know', async () => {
    const raw = (await notification()).replace('"value":"12800"', '"value":"12900"');
    const { code, cause, report } = await verify(raw);
    expect(code).toBe(1);
    expect(cause).toBe('unknown-key-or-modified');
    expect(report.checks[0]?.fix).toMatch(/SHA256:/);
  });

  it('a body that is not an envelope', async () => {
    const { code, cause } = await verify('merchantTransId=T-1&signature=abc');
    expect(code).toBe(1);
    expect(cause).toBe('malformed');
  });
});
