import { afterEach, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app';

let t: TestApp | undefined;
afterEach(async () => t?.close());

it('GET / in sandbox mode links the docs, the H5 checkout, the ledger, the mini program and the terminal walk-through', async () => {
  t = await buildTestApp({ SANDBOX_PORT: '3999' });
  const res = await t.app.inject({ url: '/' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.body).toContain(`href="${t.config.publicUrl}/docs"`);
  expect(res.body).toContain(`href="${t.config.publicUrl}/h5/"`);
  expect(res.body).toContain('href="http://127.0.0.1:3999/sandbox/ledger"');
  expect(res.body).toMatch(/miniapp\/dist<\/code> in the Alipay Mini Program Studio/);
  expect(res.body).toContain('sandbox pay ord_');
});

it('GET / in live mode answers the plain 404 JSON', async () => {
  t = await buildTestApp({
    ALIPAYHK_GATEWAY_URL: 'http://127.0.0.1:9',
    ALIPAYHK_CLIENT_ID: 'C1',
    ALIPAYHK_MERCHANT_ID: 'M1',
    SESSION_SECRET: 's'.repeat(40),
  });
  const res = await t.app.inject({ url: '/' });
  expect(res.statusCode).toBe(404);
  expect(res.headers['content-type']).toContain('application/json');
  expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such route' }, requestId: expect.any(String) });
});
