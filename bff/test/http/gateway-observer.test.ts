/**
 * The app's gateway calls go through the one transport: `buildApp(config, { observeGateway })` sees
 * each of them, and a gateway that redirects a sign-in (applyToken) makes the sign-in fail as
 * "gateway unavailable" without the redirect being followed. In sandbox mode the sign-in's request id
 * is passed down to the call and sent along.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import type { GatewayCallEvent } from '../../src/channels/gateway-transport';
import { ALIPAYHK_FUNCTIONS } from '../../src/channels/alipayhk/functions';
import { loadConfig } from '../../src/config';
import { fixture } from '../support/fixtures';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('gateway calls of the app', () => {
  it('a redirected sign-in is "gateway unavailable", seen by the observer, and nothing follows the redirect', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-observer-'));
    dirs.push(dataDir);
    const config = loadConfig({
      DATA_DIR: dataDir,
      ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
      ALIPAYHK_GATEWAY_PUBLIC_KEY: fixture('test-merchant-public.pem'),
      ADMIN_TOKEN: 'test-admin-token-0123456789',
      RECONCILE_INTERVAL_SECONDS: '0',
    });
    const calls: { url: string; redirect: RequestInit['redirect']; requestId: string | null }[] = [];
    // A fetch that would follow redirects if asked to: the transport must not ask.
    const redirecting: typeof fetch = async (input, init) => {
      calls.push({ url: String(input), redirect: init?.redirect, requestId: new Headers(init?.headers).get('x-request-id') });
      return new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/steal' } });
    };
    const events: GatewayCallEvent[] = [];
    const app = await buildApp(config, { logger: false, fetch: redirecting, observeGateway: (event) => events.push(event) });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'x-request-id': 'signin-attempt-1' },
        payload: { authCode: 'a-wallet-auth-code' },
      });
      expect(res.statusCode).toBe(502);
      expect(res.json().error.code).toBe('GATEWAY_UNAVAILABLE');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.url.startsWith(config.alipayhk.gatewayUrl)).toBe(true);
      expect(calls[0]!.redirect).toBe('error');
      expect(calls[0]!.requestId).toBe('signin-attempt-1');
      expect(events).toEqual([
        expect.objectContaining({
          gateway: 'alipayhk',
          name: ALIPAYHK_FUNCTIONS.applyToken,
          outcome: 'unknown',
          reason: 'redirect',
          status: 302,
        }),
      ]);
    } finally {
      await app.close();
    }
  });
});
