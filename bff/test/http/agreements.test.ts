/**
 * Auto-debit routes and service over `app.inject()`, with a scripted wallet behind the AgreementGateway
 * port (the flow suite covers the real sandbox): configuration, the return page and its redirect
 * option, evidence checks on the debit answer, refusals and their replays, one refresh at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { ConfigError, loadConfig } from '../../src/config';
import type { AgreementGateway, AgreementPayResult, GatewayAnswer, WalletTokens } from '../../src/payments/agreement-gateway';
import type { ChannelOrder } from '../../src/payments/channel';
import { captureLogs } from '../support/app';
import { fixture } from '../support/fixtures';

const MERCHANT = '2160400000000001';
/** The wallet user the scripted wallet signs in and binds. */
const BUYER = '2188000000000009';

/** A scripted wallet: remembers every call, issues numbered tokens, debits unless told otherwise. */
function scriptedWallet(now: () => Date) {
  let serial = 0;
  const calls: string[] = [];
  const script = {
    accessTtlMs: 24 * 3_600_000,
    payAnswer: null as null | ((order: ChannelOrder) => AgreementPayResult),
    refreshDelayMs: 0,
  };
  const issue = (): WalletTokens => {
    serial += 1;
    return {
      accessToken: `ACCESS-${serial}-${randomBytes(8).toString('hex')}`,
      refreshToken: `REFRESH-${serial}-${randomBytes(8).toString('hex')}`,
      accessTokenExpiresAt: new Date(now().getTime() + script.accessTtlMs).toISOString(),
      refreshTokenExpiresAt: new Date(now().getTime() + 30 * 86_400_000).toISOString(),
      customerId: BUYER,
    };
  };
  const gateway: AgreementGateway = {
    merchantId: MERCHANT,
    async prepare({ merchantAgreementId, state }) {
      calls.push('prepare');
      return { ok: true, value: { authUrl: `https://wallet.example/auth?mid=${merchantAgreementId}&s=${state.length}` } };
    },
    async exchangeAuthCode(code): Promise<GatewayAnswer<WalletTokens>> {
      calls.push('exchange');
      return code === 'GOOD' ? { ok: true, value: issue() } : { ok: false, code: 'INVALID_AUTH_CODE' };
    },
    async userId(): Promise<GatewayAnswer<string>> {
      calls.push('userId');
      return { ok: true, value: BUYER };
    },
    async refresh() {
      calls.push('refresh');
      if (script.refreshDelayMs) await new Promise((r) => setTimeout(r, script.refreshDelayMs));
      return { ok: true, value: issue() };
    },
    async query() {
      calls.push('query');
      return { ok: true, value: { tokenStatus: 'VALID', accessTokenExpiresAt: null, refreshTokenExpiresAt: null } };
    },
    async cancel() {
      calls.push('cancel');
      return { ok: true, value: null };
    },
    async pay(order) {
      calls.push('pay');
      if (script.payAnswer) return script.payAnswer(order);
      return {
        status: 'PAID',
        evidence: {
          source: 'agreement-pay',
          merchantId: MERCHANT,
          merchantTransId: order.merchantTransId,
          gatewayTransactionId: `ACQ${order.merchantTransId}`,
          amount: order.amount,
          currency: order.currency,
          paidAt: now().toISOString(),
          raw: '{"signed":true}',
        },
      };
    },
  };
  return { gateway, calls, script };
}

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function baseEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    ALIPAYHK_MERCHANT_PRIVATE_KEY: fixture('test-merchant-private.pem'),
    ALIPAYHK_GATEWAY_PUBLIC_KEY: fixture('test-merchant-public.pem'),
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    RATE_LIMIT_PER_MINUTE: '100000',
  };
}

async function setup(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-agr-'));
  dirs.push(dataDir);
  const config = loadConfig({ ...baseEnv(dataDir), ...env });
  const now = () => new Date();
  const wallet = scriptedWallet(now);
  const { lines, stream } = captureLogs();
  // Buyers sign in with the wallet (a guest cannot bind): the scripted identity names BUYER.
  const identity = { exchangeAuthCode: async () => ({ buyerId: `alipayhk:${BUYER}` }) };
  const app = await buildApp(config, { logStream: stream, sleep: async () => undefined, agreementGateway: wallet.gateway, identity });
  apps.push(app);
  await app.ready();
  const session = await app.inject({ method: 'POST', url: '/api/session', payload: { authCode: 'WALLET-CODE' } });
  const auth = { authorization: `Bearer ${session.json().token}` };
  async function pending() {
    const res = await app.inject({ method: 'POST', url: '/api/agreements', headers: auth });
    expect(res.statusCode).toBe(201);
    const { agreement, authUrl } = res.json();
    // The state went to the wallet only (the scripted wallet echoes its length): 32 random bytes, base64url.
    expect(new URL(authUrl).searchParams.get('s')).toBe('43');
    return agreement as { id: string; merchantAgreementId: string };
  }
  return { app, config, wallet, logs: lines, auth, dataDir, pending };
}

/** The `state` the service sent to the wallet (captured from the prepare call). */
function captureState(wallet: ReturnType<typeof scriptedWallet>) {
  const states: string[] = [];
  const prepare = wallet.gateway.prepare.bind(wallet.gateway);
  wallet.gateway.prepare = async (input) => {
    states.push(input.state);
    return prepare(input);
  };
  return states;
}

async function bound(t: Awaited<ReturnType<typeof setup>>) {
  const states = captureState(t.wallet);
  const agreement = await t.pending();
  const back = await t.app.inject({
    method: 'GET',
    url: `/api/agreements/return?${new URLSearchParams({ authCode: 'GOOD', state: states.at(-1)!, merchantAgreementId: agreement.merchantAgreementId })}`,
  });
  return { agreement, back, state: states.at(-1)! };
}

describe('configuration', () => {
  it('sandbox mode makes a base64 key of 32 bytes (0600) on first start and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-agr-cfg-'));
    dirs.push(dataDir);
    const first = loadConfig(baseEnv(dataDir));
    const file = join(dataDir, 'keys', 'agreement-token-key');
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig(baseEnv(dataDir));
    expect(second.autoDebit!.tokenKey.equals(first.autoDebit!.tokenKey)).toBe(true);
    expect(first.autoDebit).toMatchObject({ dailyCap: 100_000, currency: 'HKD', returnPageUrl: null });
    // The key never serialises.
    expect(JSON.stringify(first.autoDebit)).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('AGREEMENT_TOKEN_KEY must be base64 of exactly 32 bytes; the cap an integer', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradepay-agr-cfg-'));
    dirs.push(dataDir);
    expect(() => loadConfig({ ...baseEnv(dataDir), AGREEMENT_TOKEN_KEY: randomBytes(16).toString('base64') })).toThrow(ConfigError);
    expect(() => loadConfig({ ...baseEnv(dataDir), AGREEMENT_TOKEN_KEY: 'not base64!' })).toThrow(/AGREEMENT_TOKEN_KEY/);
    expect(() => loadConfig({ ...baseEnv(dataDir), AGREEMENT_DAILY_CAP: '1.5' })).toThrow(/AGREEMENT_DAILY_CAP/);
    expect(() => loadConfig({ ...baseEnv(dataDir), AGREEMENT_RETURN_PAGE_URL: 'javascript:alert(1)' })).toThrow(
      /AGREEMENT_RETURN_PAGE_URL/,
    );
    const key = randomBytes(32);
    expect(
      loadConfig({ ...baseEnv(dataDir), AGREEMENT_TOKEN_KEY: key.toString('base64'), AGREEMENT_DAILY_CAP: '5000' }).autoDebit,
    ).toMatchObject({ dailyCap: 5000 });
  });

  it('live mode without AGREEMENT_TOKEN_KEY turns auto-debit off: a clear 400', async () => {
    const t = await setup({
      ALIPAYHK_GATEWAY_URL: 'http://127.0.0.1:9',
      ALIPAYHK_CLIENT_ID: 'C1',
      ALIPAYHK_MERCHANT_ID: MERCHANT,
      SESSION_SECRET: 's'.repeat(40),
    });
    expect(t.config.autoDebit).toBeNull();
    const res = await t.app.inject({ method: 'POST', url: '/api/agreements', headers: t.auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('AUTO_DEBIT_UNAVAILABLE');
    expect(t.wallet.calls).toEqual([]);
  });
});

describe('the return route', () => {
  it('binds and answers a small page with strict headers; the logged URL masks the authCode and state', async () => {
    const t = await setup();
    const { agreement, back, state } = await bound(t);
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toContain('text/html');
    expect(back.headers['content-security-policy']).toContain("default-src 'none'");
    expect(back.headers['cache-control']).toBe('no-store');
    expect(back.body).toContain('自動扣款已設定');
    expect(back.body).not.toContain('<script');
    const logs = t.logs.join('\n');
    expect(logs).toContain('authCode=[Redacted]');
    expect(logs).not.toContain(state);
    // The exchange, then the grant is checked with the wallet (queryByAuthInfo).
    expect(t.wallet.calls).toEqual(['prepare', 'exchange', 'query']);
    const read = await t.app.inject({ method: 'GET', url: `/api/agreements/${agreement.id}`, headers: t.auth });
    expect(read.json().agreement.status).toBe('ACTIVE');
  });

  it('a guest cannot start a binding: 403 WALLET_SIGN_IN_REQUIRED, nothing sent to the wallet', async () => {
    const t = await setup();
    const guest = await t.app.inject({ method: 'POST', url: '/api/session', payload: {} });
    const res = await t.app.inject({ method: 'POST', url: '/api/agreements', headers: { authorization: `Bearer ${guest.json().token}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('WALLET_SIGN_IN_REQUIRED');
    expect(t.wallet.calls).toEqual([]);
  });

  it('a sign-in authCode (no agreement granted) on the return does not make the agreement ACTIVE', async () => {
    const t = await setup();
    // The wallet redeems the code but knows no agreement for this merchantAgreementId: a my.getAuthCode code.
    t.wallet.gateway.query = async () => ({ ok: false, code: 'AGREEMENT_NOT_EXIST' });
    const { agreement, back } = await bound(t);
    expect(back.statusCode).toBe(422);
    const stored = (await t.app.store.getAgreement(agreement.id))!;
    expect(stored.status).toBe('FAILED');
    expect(stored.failureCode).toBe('SCOPE_NOT_GRANTED');
    expect(stored.accessTokenEnc).toBeNull();
  });

  it('another wallet user agreeing: FAILED WALLET_USER_MISMATCH, cancelled at the wallet, tokens never stored', async () => {
    const t = await setup();
    const exchange = t.wallet.gateway.exchangeAuthCode.bind(t.wallet.gateway);
    t.wallet.gateway.exchangeAuthCode = async (code) => {
      const answer = await exchange(code);
      return answer.ok ? { ok: true, value: { ...answer.value, customerId: '2188000000000666' } } : answer;
    };
    const { agreement, back } = await bound(t);
    expect(back.statusCode).toBe(422);
    const stored = (await t.app.store.getAgreement(agreement.id))!;
    expect(stored).toMatchObject({ status: 'FAILED', failureCode: 'WALLET_USER_MISMATCH', accessTokenEnc: null });
    expect(t.wallet.calls).toEqual(['prepare', 'exchange', 'query', 'cancel']);
  });

  it('applyToken without a user id: getUserInfo names the wallet user', async () => {
    const t = await setup();
    const exchange = t.wallet.gateway.exchangeAuthCode.bind(t.wallet.gateway);
    t.wallet.gateway.exchangeAuthCode = async (code) => {
      const answer = await exchange(code);
      return answer.ok ? { ok: true, value: { ...answer.value, customerId: null } } : answer;
    };
    const { agreement, back } = await bound(t);
    expect(back.statusCode).toBe(200);
    expect((await t.app.store.getAgreement(agreement.id))!.status).toBe('ACTIVE');
    expect(t.wallet.calls).toEqual(['prepare', 'exchange', 'userId', 'query']);
  });

  it('with AGREEMENT_RETURN_PAGE_URL it redirects there with the agreement and its status', async () => {
    const t = await setup({ AGREEMENT_RETURN_PAGE_URL: 'https://shop.example/autodebit/done?from=wallet' });
    const { agreement, back } = await bound(t);
    expect(back.statusCode).toBe(302);
    const target = new URL(back.headers.location as string);
    expect(target.origin + target.pathname).toBe('https://shop.example/autodebit/done');
    expect(Object.fromEntries(target.searchParams)).toEqual({ from: 'wallet', agreementId: agreement.id, status: 'ACTIVE' });
  });

  it('an unknown extra parameter changes nothing: the documented return binds', async () => {
    const t = await setup();
    const states = captureState(t.wallet);
    const agreement = await t.pending();
    const q = {
      state: states[0]!,
      merchantAgreementId: agreement.merchantAgreementId,
      auth_code: 'GOOD',
      auth_site: 'ALIPAY_HK',
      client_id: t.config.alipayhk.clientId,
      authResult: 'SUCCESS',
    };
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/agreements/return?${new URLSearchParams({ ...q, extra: '1', status: 'ACTIVE' })}`,
    });
    expect(res.statusCode).toBe(200);
    expect((await t.app.store.getAgreement(agreement.id))!.status).toBe('ACTIVE');
  });

  it("AlipayHK's documented redirect (fixture: parameter names, order, client_id and auth_site as printed) binds", async () => {
    const t = await setup();
    const states = captureState(t.wallet);
    const agreement = await t.pending();
    const sample = new URL(fixture('alipayhk/consent-redirect.url.txt').trim());
    const ours: Record<string, string> = { state: states[0]!, merchantAgreementId: agreement.merchantAgreementId, auth_code: 'GOOD' };
    const query = new URLSearchParams([...sample.searchParams].map(([name, value]): [string, string] => [name, ours[name] ?? value]));
    expect([...query.keys()]).toEqual(['client_id', 'auth_site', 'auth_code', 'merchantAgreementId', 'state']);
    const res = await t.app.inject({ method: 'GET', url: `/api/agreements/return?${query}` });
    expect(res.statusCode).toBe(200);
    expect((await t.app.store.getAgreement(agreement.id))!.status).toBe('ACTIVE');
    expect(t.wallet.calls).toContain('exchange');
  });

  it('authResult=FAIL does not bind (DECLINED), ERROR ends it FAILED; no code is exchanged', async () => {
    const t = await setup();
    const states = captureState(t.wallet);
    for (const [authResult, status] of [
      ['FAIL', 'DECLINED'],
      ['ERROR', 'FAILED'],
    ] as const) {
      const agreement = await t.pending();
      const q = { state: states.at(-1)!, merchantAgreementId: agreement.merchantAgreementId, auth_site: 'ALIPAY_HK', authResult };
      const res = await t.app.inject({ method: 'GET', url: `/api/agreements/return?${new URLSearchParams(q)}` });
      expect(res.statusCode).toBeLessThan(500);
      expect((await t.app.store.getAgreement(agreement.id))!.status).toBe(status);
    }
    expect(t.wallet.calls).not.toContain('exchange');
  });

  it('a malformed return (repeated or conflicting parameters, both code and error) is a 400 page and changes nothing', async () => {
    const t = await setup();
    const states = captureState(t.wallet);
    const agreement = await t.pending();
    const q = { state: states[0]!, merchantAgreementId: agreement.merchantAgreementId };
    for (const url of [
      `/api/agreements/return?${new URLSearchParams({ ...q, authCode: 'GOOD' })}&authCode=GOOD`,
      `/api/agreements/return?${new URLSearchParams({ ...q, authCode: 'GOOD', auth_code: 'OTHER' })}`,
      `/api/agreements/return?${new URLSearchParams({ ...q, authCode: 'GOOD', error: 'USER_DECLINED' })}`,
      `/api/agreements/return?${new URLSearchParams({ ...q })}`,
      `/api/agreements/return`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('data-outcome="rejected"');
    }
    expect(t.wallet.calls).toEqual(['prepare']);
    expect((await t.app.store.getAgreement(agreement.id))!.status).toBe('PENDING');
  });

  it('refuses a body on routes that take none', async () => {
    const t = await setup();
    const res = await t.app.inject({ method: 'POST', url: '/api/agreements', headers: t.auth, payload: { merchantAgreementId: 'mine' } });
    expect(res.statusCode).toBe(400);
    expect(t.wallet.calls).toEqual([]);
  });
});

describe('charges against a scripted wallet', () => {
  const TART = { sku: 'EGG-TART-6', quantity: 1 };

  it('a debit answer that does not match the order (amount) never marks it paid', async () => {
    const t = await setup();
    const { agreement } = await bound(t);
    t.wallet.script.payAnswer = (order) => ({
      status: 'PAID',
      evidence: {
        source: 'agreement-pay',
        merchantId: MERCHANT,
        merchantTransId: order.merchantTransId,
        gatewayTransactionId: 'ACQ1',
        amount: order.amount - 1,
        currency: order.currency,
        paidAt: null,
        raw: '{}',
      },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/agreements/${agreement.id}/charges`,
      headers: t.auth,
      payload: { items: [TART] },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().order.status).toBe('PENDING');
    expect(t.logs.join('\n')).toContain('does not match the order');
  });

  it('a refusal fails the order with the wallet’s code; the same Idempotency-Key replays the same refusal without a second call', async () => {
    const t = await setup();
    const { agreement } = await bound(t);
    t.wallet.script.payAnswer = () => ({ status: 'REFUSED', code: 'USER_BALANCE_NOT_ENOUGH' });
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/agreements/${agreement.id}/charges`,
        headers: { ...t.auth, 'idempotency-key': 'refused-0001' },
        payload: { items: [TART] },
      });
    const first = await send();
    expect(first.statusCode).toBe(422);
    expect(first.json().error.code).toBe('CHARGE_DECLINED');
    expect(first.json().error.message).toContain('USER_BALANCE_NOT_ENOUGH');
    const [order] = await t.app.store.listOrders({ limit: 10 });
    expect(order).toMatchObject({ status: 'FAILED', agreementId: agreement.id });
    const pays = t.wallet.calls.filter((c) => c === 'pay').length;
    const again = await send();
    expect(again.statusCode).toBe(422);
    expect(again.json().error).toEqual(first.json().error);
    expect(t.wallet.calls.filter((c) => c === 'pay').length).toBe(pays);
    // A refused charge does not count against the cap.
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/agreements/${agreement.id}`, headers: t.auth })).json().agreement.chargedToday.value,
    ).toBe('0');
  });

  it('concurrent charges with an expiring token refresh it once', async () => {
    const t = await setup();
    t.wallet.script.accessTtlMs = 60_000; // inside the 5-minute refresh margin
    const { agreement } = await bound(t);
    t.wallet.script.accessTtlMs = 24 * 3_600_000;
    t.wallet.script.refreshDelayMs = 50;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.app.inject({ method: 'POST', url: `/api/agreements/${agreement.id}/charges`, headers: t.auth, payload: { items: [TART] } }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(t.wallet.calls.filter((c) => c === 'refresh')).toHaveLength(1);
    expect((await t.app.store.getAgreement(agreement.id))!.tokenVersion).toBe(2);
  });
});

describe('what the mini program sends (JSON content type on every call, GET and POST only)', () => {
  const JSON_TYPE = { 'content-type': 'application/json' };

  it('POST /api/agreements with an empty JSON body starts a binding', async () => {
    const t = await setup();
    const res = await t.app.inject({ method: 'POST', url: '/api/agreements', headers: { ...t.auth, ...JSON_TYPE }, payload: '' });
    expect(res.statusCode).toBe(201);
    expect(res.json().agreement.status).toBe('PENDING');
  });

  it('POST /api/agreements/:id/revoke unbinds like DELETE: cancelled at the wallet, REVOKED; others get 404; a body is refused', async () => {
    const t = await setup();
    const { agreement } = await bound(t);
    const other = { authorization: `Bearer ${(await t.app.inject({ method: 'POST', url: '/api/session', payload: {} })).json().token}` };
    const foreign = await t.app.inject({
      method: 'POST',
      url: `/api/agreements/${agreement.id}/revoke`,
      headers: { ...other, ...JSON_TYPE },
      payload: '{}',
    });
    expect(foreign.statusCode).toBe(404);
    const withBody = await t.app.inject({
      method: 'POST',
      url: `/api/agreements/${agreement.id}/revoke`,
      headers: t.auth,
      payload: { reason: 'x' },
    });
    expect(withBody.statusCode).toBe(400);
    expect(t.wallet.calls).not.toContain('cancel');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/agreements/${agreement.id}/revoke`,
      headers: { ...t.auth, ...JSON_TYPE },
      payload: '',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().agreement.status).toBe('REVOKED');
    expect(t.wallet.calls).toContain('cancel');
    const read = await t.app.inject({ method: 'GET', url: `/api/agreements/${agreement.id}`, headers: t.auth });
    expect(read.json().agreement.status).toBe('REVOKED');
  });
});

describe('POST /api/agreements/:id/sign-contract (my.signContract inside the mini program)', () => {
  it("binds with the app's {authCode, authState}: the same exchange as the return URL; single use; state checked; this buyer only", async () => {
    const t = await setup();
    const states = captureState(t.wallet);
    const agreement = await t.pending();
    const url = `/api/agreements/${agreement.id}/sign-contract`;
    const other = { authorization: `Bearer ${(await t.app.inject({ method: 'POST', url: '/api/session', payload: {} })).json().token}` };
    expect(
      (await t.app.inject({ method: 'POST', url, headers: other, payload: { authCode: 'GOOD', authState: states.at(-1) } })).statusCode,
    ).toBe(404);
    const wrongState = await t.app.inject({
      method: 'POST',
      url,
      headers: t.auth,
      payload: { authCode: 'GOOD', authState: 'not-the-state' },
    });
    expect(wrongState.statusCode).toBe(400);
    expect(wrongState.json().error.code).toBe('AGREEMENT_RETURN_REJECTED');
    expect(t.wallet.calls).not.toContain('exchange');

    const res = await t.app.inject({ method: 'POST', url, headers: t.auth, payload: { authCode: 'GOOD', authState: states.at(-1) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().agreement.status).toBe('ACTIVE');
    expect(t.wallet.calls.filter((c) => c === 'exchange')).toHaveLength(1);
    const replay = await t.app.inject({ method: 'POST', url, headers: t.auth, payload: { authCode: 'GOOD', authState: states.at(-1) } });
    expect(replay.statusCode).toBe(400);
    expect(t.wallet.calls.filter((c) => c === 'exchange')).toHaveLength(1);
  });

  it('a code the wallet refuses leaves the agreement FAILED with its code; a missing field is a 400', async () => {
    const t = await setup();
    const states = captureState(t.wallet);
    const agreement = await t.pending();
    const url = `/api/agreements/${agreement.id}/sign-contract`;
    expect((await t.app.inject({ method: 'POST', url, headers: t.auth, payload: { authCode: 'BAD' } })).statusCode).toBe(400);
    const res = await t.app.inject({ method: 'POST', url, headers: t.auth, payload: { authCode: 'BAD', authState: states.at(-1) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().agreement).toMatchObject({ status: 'FAILED', failureCode: 'INVALID_AUTH_CODE' });
  });
});
