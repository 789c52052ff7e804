/**
 * No secret leaves the server: after a full run of the product (sign-in, orders, payments,
 * notifications, refunds, admin calls), no configured key, token or signature appears in the captured
 * logs, the mini program bundle, or the H5 pages and their assets.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMiniapp } from '../../../miniapp/scripts/build';
import { cutSignedParts } from '../../src/channels/alipayhk/sign-content';
import { eventually, startStack, type Stack } from '../support/stack';

let stack: Stack;
const secrets = new Map<string, string>();

/** Long enough pieces that a match is a leak, not chance: the body lines of a PEM, whole tokens. */
function remember(name: string, value: string | null | undefined) {
  if (!value) return;
  const pem = value.includes('-----BEGIN');
  if (pem) {
    for (const [i, line] of value.split('\n').entries())
      if (line.length >= 40 && !line.startsWith('-----')) secrets.set(`${name} line ${i}`, line);
  } else if (value.length >= 16) secrets.set(name, value);
}

function leaks(text: string): string[] {
  return [...secrets].filter(([, value]) => text.includes(value)).map(([name]) => name);
}

beforeAll(async () => {
  stack = await startStack();
  const keys = stack.sandbox.keys;
  remember('merchant private key', keys.merchantPrivatePem);
  remember('gateway private key', keys.gatewayPrivatePem);
  remember('latipay api key', keys.latipayApiKey);
  remember('intents api key', keys.intentsApiKey);
  remember('admin token', stack.config.adminToken);
  remember('session secret', stack.config.sessionSecret);

  // A full run: every secret above is used, and the tokens and signatures it makes are collected.
  const token = await stack.session('2188000011112222');
  remember('session token', token);
  const created = await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'MOONCAKE-4', quantity: 1 }] } });
  remember('orderStr signature', cutSignedParts(created.body.payment.orderStr, 'request').signature);
  await stack.tradePay(created.body.payment.orderStr, 'success');
  await eventually(
    async () => (await stack.api(`/api/orders/${created.body.order.id}`, { token })).body.order.status === 'SUCCEEDED',
    'payment',
  );
  const refund = await stack.api(`/admin/orders/${created.body.order.id}/refunds`, {
    method: 'POST',
    body: {},
    headers: { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': 'secret-scan-refund' },
  });
  expect(refund.status).toBe(201);
  await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 1 }], channel: 'latipay' } });
}, 60_000);

afterAll(async () => stack?.close());

describe('secrets stay on the server', () => {
  it('the scan knows what to look for', () => {
    expect(secrets.size).toBeGreaterThan(20);
    // …and would see one: a line of the key planted in a text is found.
    const planted = [...secrets].find(([name]) => name.startsWith('merchant private key'))!;
    expect(leaks(`x ${planted[1]} y`)).toContain(planted[0]);
  });

  it('logs hold no key, token or signature', () => {
    expect(stack.logs.length).toBeGreaterThan(10);
    expect(leaks(stack.logs.join('\n'))).toEqual([]);
    expect(stack.logs.join('\n')).not.toMatch(/PRIVATE KEY|Bearer [A-Za-z0-9._-]{20,}/);
  });

  it('the mini program bundle holds none', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'tradepay-dist-'));
    await buildMiniapp({ outDir, typecheck: false, log: () => undefined });
    const files = listFiles(outDir);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(leaks(text), file).toEqual([]);
      expect(text, file).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    }
  }, 60_000);

  it('the H5 pages and their assets hold none', async () => {
    const page = await fetch(`${stack.bffUrl}/h5/`);
    if (page.status === 404) return expect(page.status).toBe(404); // the H5 channel is not mounted in this build
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => new URL(m[1]!, `${stack.bffUrl}/h5/`).toString())
      .filter((u) => u.startsWith(stack.bffUrl));
    const texts = [html, ...(await Promise.all(assets.map(async (u) => (await fetch(u)).text())))];
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) {
      expect(leaks(text)).toEqual([]);
      expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
