/**
 * Auto-debit end to end over loopback, browser-free: the BFF and the sandbox on their own ports; the
 * test plays the shopper's browser with plain HTTP (fetch the consent page the BFF's authUrl names,
 * post its Agree form to the sandbox, follow the 302 to the BFF's return URL).
 *
 * Tokens: the sandbox ledger never holds token values, so this file reads them the way an operator
 * with the key could: it decrypts the sealed columns from the store (AGREEMENT_TOKEN_KEY from the
 * config). That proves two things at once: the store holds them only sealed, and — by grepping every
 * log line and every body the BFF sent for the decrypted values — that they never leave the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlipayHkChannel } from '../../src/channels/alipayhk';
import { ALIPAYHK_FUNCTIONS, type CalledFunction } from '../../src/channels/alipayhk/functions';
import { createTokenCipher } from '../../src/payments/token-cipher';
import { decideOnConsentPage } from '../support/consent';
import { eventually, startStack, type Stack } from '../support/stack';

const MINUTE = 60_000;
const DAILY_CAP = 60_000; // HKD 600.00
const TART = { sku: 'EGG-TART-6', quantity: 1 }; // 4200
const MOONCAKES = { sku: 'MOONCAKE-4', quantity: 1 }; // 26800

let stack: Stack;
let token: string;
/** Every body the BFF answered in this file (JSON and HTML), to search for token values at the end. */
const bodies: string[] = [];
/** Every token value the wallet issued to us, read by decrypting the store. */
const tokens = new Set<string>();
/** authCodes and states, which must not reach the logs either. */
const oneTimeSecrets = new Set<string>();

beforeAll(async () => {
  stack = await startStack({
    env: { AGREEMENT_DAILY_CAP: String(DAILY_CAP), ALIPAYHK_TIMEOUT_MS: '1000' },
    sandbox: { walletCustomerId: '2188000000000001' },
  });
  token = await stack.session('2188000000000001');
});
afterAll(async () => stack?.close());

async function api(path: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const res = await stack.api(path, { token, ...init });
  bodies.push(JSON.stringify(res.body ?? ''));
  return res;
}

async function ledger() {
  return stack.sandbox.ledger.snapshot() as any;
}

function calls(book: any, fn: string): number {
  return book.calls[fn] ?? 0;
}

function control(patch: Parameters<Stack['sandbox']['control']['update']>[0]) {
  stack.sandbox.control.update(patch);
}

const cipher = () => createTokenCipher(stack.config.autoDebit!.tokenKey);

/** Decrypts the agreement's sealed tokens from the store and remembers them. */
async function captureTokens(agreementId: string): Promise<{ accessToken: string; refreshToken: string }> {
  const row = (await stack.app.store.getAgreement(agreementId))!;
  expect(row.accessTokenEnc).toBeTruthy();
  const accessToken = cipher().open(row.accessTokenEnc!, `${agreementId}:access`);
  const refreshToken = cipher().open(row.refreshTokenEnc!, `${agreementId}:refresh`);
  // Sealed at rest: the column is not the token, and does not contain it.
  expect(row.accessTokenEnc).not.toContain(accessToken);
  expect(row.refreshTokenEnc).not.toContain(refreshToken);
  tokens.add(accessToken);
  tokens.add(refreshToken);
  return { accessToken, refreshToken };
}

/** Starts a binding and clicks Agree/Decline on the wallet's page; returns where the wallet sends the browser. */
async function consent(decision: 'agree' | 'decline' = 'agree', asToken = token) {
  const created = await api('/api/agreements', { method: 'POST', token: asToken });
  expect(created.status).toBe(201);
  const { agreement, authUrl } = created.body as {
    agreement: { id: string; merchantAgreementId: string; status: string };
    authUrl: string;
  };
  expect(agreement.status).toBe('PENDING');
  expect(authUrl.startsWith(`${stack.sandboxUrl}/sandbox/auth?authId=`)).toBe(true);
  const location = await decideOnConsentPage(authUrl, decision);
  expect(location.startsWith(`${stack.bffUrl}/api/agreements/return?`)).toBe(true);
  const params = new URL(location).searchParams;
  for (const key of ['auth_code', 'state']) if (params.get(key)) oneTimeSecrets.add(params.get(key)!);
  return { agreement, location, params };
}

/** The browser follows the wallet's redirect to the BFF (no session: it is a browser redirect). */
async function follow(location: string) {
  const res = await fetch(location, { redirect: 'manual' });
  const html = await res.text();
  bodies.push(html);
  return { status: res.status, html, contentType: res.headers.get('content-type') ?? '' };
}

async function bind(asToken = token) {
  const started = await consent('agree', asToken);
  const back = await follow(started.location);
  expect(back.status).toBe(200);
  expect(back.html).toContain('data-outcome="bound"');
  const read = await api(`/api/agreements/${started.agreement.id}`, { token: asToken });
  expect(read.body.agreement.status).toBe('ACTIVE');
  await captureTokens(started.agreement.id);
  return { ...started, id: started.agreement.id };
}

async function charge(agreementId: string, items: object[] = [TART], headers: Record<string, string> = {}) {
  return api(`/api/agreements/${agreementId}/charges`, { method: 'POST', body: { items }, headers });
}

/** Calls the gateway as the BFF would, bypassing the BFF's own checks (to see what the wallet says). */
async function gatewayCall(fn: CalledFunction, body: object, accessToken?: string) {
  const channel = stack.app.channels.get('alipayhk') as AlipayHkChannel;
  const reply = await channel.client.call<any>(fn, body, undefined, accessToken ? { accessToken } : undefined);
  return reply.payload.body;
}

describe('bind → charge → unbind', () => {
  it('binds through the consent page, charges without the shopper, unbinds; a later charge is refused by the BFF and by the wallet', async () => {
    const { id, params } = await bind();
    const stored = (await stack.app.store.getAgreement(id))!;
    expect(stored.merchantAgreementId).toBe(params.get('merchantAgreementId'));
    expect((await ledger()).agreements.find((a: any) => a.merchantAgreementId === stored.merchantAgreementId)).toMatchObject({
      status: 'ACTIVE',
    });

    const paid = await charge(id, [TART, { ...TART }]);
    expect(paid.status).toBe(201);
    expect(paid.body.order).toMatchObject({ status: 'SUCCEEDED', channel: 'alipayhk', amount: { currency: 'HKD', value: '8400' } });
    const order = (await stack.app.store.getOrder(paid.body.order.id))!;
    expect(order.agreementId).toBe(id);
    const debits = (await ledger()).payments.filter((p: any) => p.merchantAgreementId === stored.merchantAgreementId);
    expect(debits).toHaveLength(1);
    expect(debits[0]).toMatchObject({
      merchantTransId: order.merchantTransId,
      status: 'PAID',
      orderAmount: { currency: 'HKD', value: '8400' },
    });
    expect((await api(`/api/orders/${order.id}`)).body.order.status).toBe('SUCCEEDED');
    const view = (await api(`/api/agreements/${id}`)).body.agreement;
    expect(view).toMatchObject({
      status: 'ACTIVE',
      chargedToday: { currency: 'HKD', value: '8400' },
      dailyLimit: { value: String(DAILY_CAP) },
    });

    const { accessToken } = await captureTokens(id);
    const revoked = await api(`/api/agreements/${id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.agreement.status).toBe('REVOKED');
    expect((await ledger()).agreements.find((a: any) => a.merchantAgreementId === stored.merchantAgreementId).status).toBe('REVOKED');
    // The store forgets the tokens of an ended agreement.
    expect(await stack.app.store.getAgreement(id)).toMatchObject({ accessTokenEnc: null, refreshTokenEnc: null });

    const before = await ledger();
    const refused = await charge(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('AGREEMENT_NOT_ACTIVE');
    const after = await ledger();
    expect(calls(after, ALIPAYHK_FUNCTIONS.agreementPay)).toBe(calls(before, ALIPAYHK_FUNCTIONS.agreementPay));
    expect(after.payments.filter((p: any) => p.merchantAgreementId === stored.merchantAgreementId)).toHaveLength(1);
    // The wallet refuses the old token too, whoever asks.
    const direct = await gatewayCall(
      ALIPAYHK_FUNCTIONS.agreementPay,
      {
        merchantId: stack.config.alipayhk.merchantId,
        productCode: 'AUTO_DEBIT',
        merchantTransId: `TPX${Date.now()}`,
        order: { orderAmount: { currency: 'HKD', value: '4200' }, orderTitle: 'x' },
      },
      accessToken,
    );
    expect(direct.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'AGREEMENT_REVOKED' });
    expect((await ledger()).payments.filter((p: any) => p.merchantAgreementId === stored.merchantAgreementId)).toHaveLength(1);
    // Unbinding again is harmless.
    expect((await api(`/api/agreements/${id}`, { method: 'DELETE' })).body.agreement.status).toBe('REVOKED');
  });

  it('a declined consent ends as DECLINED: no code, no token, no charge', async () => {
    const { agreement, location, params } = await consent('decline');
    // The documented decline: authResult=FAIL and no code (https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_doc-auth_url).
    expect(params.get('authResult')).toBe('FAIL');
    expect(params.get('auth_code')).toBeNull();
    const back = await follow(location);
    expect(back.status).toBe(200);
    expect(back.html).toContain('data-outcome="declined"');
    expect((await api(`/api/agreements/${agreement.id}`)).body.agreement.status).toBe('DECLINED');
    expect((await charge(agreement.id)).status).toBe(409);
  });

  it('lists the buyer’s own agreements, newest first, without tokens', async () => {
    const list = await api('/api/agreements');
    expect(list.status).toBe(200);
    expect(list.body.agreements.length).toBeGreaterThanOrEqual(2);
    const created = list.body.agreements.map((a: any) => a.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    for (const a of list.body.agreements)
      expect(Object.keys(a).sort()).toEqual([
        'activatedAt',
        'chargedToday',
        'createdAt',
        'dailyLimit',
        'endedAt',
        'failureCode',
        'id',
        'merchantAgreementId',
        'status',
        'updatedAt',
      ]);
  });
});

describe('the wallet’s return is checked', () => {
  it('a wrong state is refused and changes nothing; the right one still binds', async () => {
    const { agreement, location } = await consent();
    const forged = new URL(location);
    forged.searchParams.set('state', 'x'.repeat(43));
    const redeemedBefore = (await ledger()).authCodes.redeemed;
    const back = await follow(forged.href);
    expect(back.status).toBe(400);
    expect(back.contentType).toContain('text/html');
    expect(back.html).toContain('data-outcome="rejected"');
    // Missing state, and a state for another agreement, are refused the same way.
    const missing = new URL(location);
    missing.searchParams.delete('state');
    expect((await follow(missing.href)).status).toBe(400);
    const other = await consent();
    const crossed = new URL(location);
    crossed.searchParams.set('state', other.params.get('state')!);
    expect((await follow(crossed.href)).status).toBe(400);
    expect((await ledger()).authCodes.redeemed).toBe(redeemedBefore);
    expect((await stack.app.store.getAgreement(agreement.id))!.status).toBe('PENDING');
    // The genuine redirect still works.
    const real = await follow(location);
    expect(real.status).toBe(200);
    expect((await stack.app.store.getAgreement(agreement.id))!.status).toBe('ACTIVE');
    await captureTokens(agreement.id);
  });

  it('a replayed return (same state and code again) is refused and changes nothing', async () => {
    const { id, location } = await bind();
    const before = (await stack.app.store.getAgreement(id))!;
    const redeemedBefore = (await ledger()).authCodes;
    const replay = await follow(location);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('data-outcome="rejected"');
    const after = (await stack.app.store.getAgreement(id))!;
    expect(after).toEqual(before);
    // No second exchange reached the wallet.
    expect((await ledger()).authCodes).toEqual(redeemedBefore);
  });

  it('an authCode redeemed before our exchange (a retry after a timeout) still binds with the same token, as AlipayHK documents', async () => {
    const { agreement, location, params } = await consent();
    const first = await gatewayCall(ALIPAYHK_FUNCTIONS.applyToken, {
      grantType: 'AUTHORIZATION_CODE',
      authMerchantId: stack.config.alipayhk.merchantId,
      authSite: 'ALIPAY_HK',
      authCode: params.get('auth_code'),
    });
    expect(first.resultInfo.resultStatus).toBe('S');
    const back = await follow(location);
    expect(back.status).toBe(200);
    const stored = await captureTokens(agreement.id);
    expect(stored.accessToken).toBe(first.accessTokenInfo.accessToken);
  });

  it('a sign-in authCode (my.getAuthCode: no agreement scope) on the consent return does not make the agreement ACTIVE', async () => {
    const { agreement, location } = await consent('decline');
    const signIn = await fetch(`${stack.sandboxUrl}/sandbox/wallet/authCode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: '2188000000000001' }),
    });
    const code = ((await signIn.json()) as { authCode: string }).authCode;
    oneTimeSecrets.add(code);
    const forged = new URL(location);
    forged.searchParams.delete('authResult');
    forged.searchParams.set('auth_code', code);
    const back = await follow(forged.href);
    expect(back.status).toBe(422);
    expect(await stack.app.store.getAgreement(agreement.id)).toMatchObject({
      status: 'FAILED',
      failureCode: 'SCOPE_NOT_GRANTED',
      accessTokenEnc: null,
    });
    expect((await charge(agreement.id)).status).toBe(409);
  });

  it('another wallet user agreeing to my agreement: FAILED, cancelled at the wallet, charges refused', async () => {
    const created = await api('/api/agreements', { method: 'POST' });
    const { agreement, authUrl } = created.body as { agreement: { id: string; merchantAgreementId: string }; authUrl: string };
    const location = await decideOnConsentPage(authUrl, 'agree', '2188000000000777');
    oneTimeSecrets.add(new URL(location).searchParams.get('auth_code')!);
    const back = await follow(location);
    expect(back.status).toBe(422);
    expect(back.html).toContain('WALLET_USER_MISMATCH');
    expect(await stack.app.store.getAgreement(agreement.id)).toMatchObject({
      status: 'FAILED',
      failureCode: 'WALLET_USER_MISMATCH',
      accessTokenEnc: null,
    });
    const atWallet = (await ledger()).agreements.find((a: any) => a.merchantAgreementId === agreement.merchantAgreementId);
    expect(atWallet.status).toBe('REVOKED');
    expect((await charge(agreement.id)).status).toBe(409);
  });

  it('a guest cannot start a binding: 403 WALLET_SIGN_IN_REQUIRED', async () => {
    const guest = await stack.session();
    const res = await api('/api/agreements', { method: 'POST', token: guest });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('WALLET_SIGN_IN_REQUIRED');
  });

  it('an authCode older than 10 minutes fails the binding', async () => {
    const { agreement, location } = await consent();
    control({ clockOffsetMs: 11 * MINUTE });
    try {
      const back = await follow(location);
      expect(back.status).toBe(422);
      expect(back.html).toContain('AUTH_CODE_EXPIRED');
    } finally {
      control({ clockOffsetMs: 0 });
    }
    expect(await stack.app.store.getAgreement(agreement.id)).toMatchObject({ status: 'FAILED', failureCode: 'AUTH_CODE_EXPIRED' });
    expect((await ledger()).authCodes.expired).toBeGreaterThanOrEqual(1);
  });

  it('an unanswered exchange leaves the agreement PENDING, so reloading the page completes it', async () => {
    const { agreement, location } = await consent();
    control({ failNext: { count: 1, mode: '5xx' } });
    const first = await follow(location);
    expect(first.status).toBe(502);
    expect(first.html).toContain('data-outcome="unavailable"');
    expect((await stack.app.store.getAgreement(agreement.id))!.status).toBe('PENDING');
    const reload = await follow(location);
    expect(reload.status).toBe(200);
    expect((await stack.app.store.getAgreement(agreement.id))!.status).toBe('ACTIVE');
    await captureTokens(agreement.id);
  });
});

describe('charges', () => {
  let agreementId: string;
  beforeAll(async () => {
    agreementId = (await bind()).id;
  });

  it('another buyer’s agreement is a 404 on every route', async () => {
    const other = await stack.session('2188000000000002');
    const guest = await stack.session();
    for (const who of [other, guest]) {
      expect((await api(`/api/agreements/${agreementId}`, { token: who })).status).toBe(404);
      expect((await api(`/api/agreements/${agreementId}`, { method: 'DELETE', token: who })).status).toBe(404);
      const stolen = await api(`/api/agreements/${agreementId}/charges`, { method: 'POST', body: { items: [TART] }, token: who });
      expect(stolen.status).toBe(404);
      expect(stolen.body.error.code).toBe('AGREEMENT_NOT_FOUND');
      expect((await api('/api/agreements', { token: who })).body.agreements.map((a: any) => a.id)).not.toContain(agreementId);
    }
    // Unknown ids look the same; no session is a 401.
    expect((await api('/api/agreements/agr_AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await stack.api(`/api/agreements/${agreementId}`)).status).toBe(401);
    expect((await stack.app.store.getAgreement(agreementId))!.status).toBe('ACTIVE');
  });

  it('a client amount (or any unknown field) is a 400; nothing is created or charged', async () => {
    const before = await ledger();
    const orders = (await stack.app.store.listOrders({ limit: 10_000 })).length;
    for (const body of [
      { items: [TART], amount: { currency: 'HKD', value: '1' } },
      { items: [TART], amount: '1' },
      { items: [{ ...TART, price: '1' }] },
      { items: [TART], currency: 'HKD' },
      { items: [] },
    ]) {
      const res = await api(`/api/agreements/${agreementId}/charges`, { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await stack.app.store.listOrders({ limit: 10_000 })).length).toBe(orders);
    expect((await ledger()).calls).toEqual(before.calls);
  });

  it('the daily cap counts paid and pending charges; over it is a 422 with no gateway call', async () => {
    expect((await charge(agreementId, [MOONCAKES, MOONCAKES])).status).toBe(201); // 53600
    const before = await ledger();
    const over = await charge(agreementId, [MOONCAKES]); // 53600 + 26800 > 60000
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('DAILY_CAP_EXCEEDED');
    expect((await ledger()).calls).toEqual(before.calls);
    // What fits still goes through: 53600 + 4200 ≤ 60000 …
    expect((await charge(agreementId, [TART])).status).toBe(201);
    // … and the view says how much is used.
    expect((await api(`/api/agreements/${agreementId}`)).body.agreement.chargedToday.value).toBe('57800');
    // A new Hong Kong day starts from zero.
    stack.advance(24 * 60 * MINUTE);
    try {
      expect((await charge(agreementId, [MOONCAKES])).status).toBe(201);
    } finally {
      stack.advance(-24 * 60 * MINUTE);
    }
  });

  it('an unknown outcome leaves the charge PENDING (it counts against the cap); a retry with the same Idempotency-Key finishes that same charge', async () => {
    const fresh = (await bind()).id;
    const key = `charge-${Date.now()}`;
    control({ failNext: { count: 1, mode: 'U' } });
    const first = await charge(fresh, [MOONCAKES, MOONCAKES], { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(first.body.order.status).toBe('PENDING');
    // Pending money counts: 53600 pending + 26800 > 60000.
    const over = await charge(fresh, [MOONCAKES]);
    expect(over.status).toBe(422);
    const again = await charge(fresh, [MOONCAKES, MOONCAKES], { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body.order).toMatchObject({ id: first.body.order.id, status: 'SUCCEEDED' });
    // Same key, same answer; same key with another body is refused.
    expect((await charge(fresh, [MOONCAKES, MOONCAKES], { 'idempotency-key': key })).body.order.id).toBe(first.body.order.id);
    expect((await charge(fresh, [TART], { 'idempotency-key': key })).status).toBe(422);
    const merchantAgreementId = (await stack.app.store.getAgreement(fresh))!.merchantAgreementId;
    expect((await ledger()).payments.filter((p: any) => p.merchantAgreementId === merchantAgreementId)).toHaveLength(1);
  });

  it('an unknown outcome left alone is settled by the lifecycle: confirm/reconciler query, then close at expiry', async () => {
    const fresh = (await bind()).id;
    control({ failNext: { count: 1, mode: 'timeout' } });
    const pending = await charge(fresh, [TART]);
    expect(pending.status).toBe(202);
    const id = pending.body.order.id;
    // Confirm asks the gateway (payQuery): it never saw the debit, so the order stays PENDING.
    const confirmed = await api(`/api/orders/${id}/confirm`, { method: 'POST', body: { resultCode: '6004' } });
    expect(confirmed.body.order.status).toBe('PENDING');
    stack.advance(16 * MINUTE);
    await stack.app.reconciler.runOnce();
    expect((await api(`/api/orders/${id}`)).body.order.status).toBe('CANCELLED');
    // A closed charge no longer counts against the cap.
    expect((await api(`/api/agreements/${fresh}`)).body.agreement.chargedToday.value).toBe('0');
  });

  it('a refusal by the wallet fails the order with the wallet’s code', async () => {
    const fresh = (await bind()).id;
    const mid = (await stack.app.store.getAgreement(fresh))!.merchantAgreementId;
    // Revoked in the wallet app (not through us) and its notify.cancel lost: the BFF still believes ACTIVE.
    control({ dropRate: 1 });
    try {
      expect(
        (
          await gatewayCall(ALIPAYHK_FUNCTIONS.cancelByAuthInfo, {
            authMerchantId: stack.config.alipayhk.merchantId,
            merchantAgreementId: mid,
          })
        ).resultInfo.resultStatus,
      ).toBe('S');
    } finally {
      control({ dropRate: 0 });
    }
    const res = await charge(fresh);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('AGREEMENT_NOT_ACTIVE');
    expect(res.body.error.message).toContain('AGREEMENT_REVOKED');
    const [order] = (await stack.app.store.listOrders({ limit: 10_000 })).filter((o) => o.agreementId === fresh);
    expect(order!.status).toBe('FAILED');
    expect((await stack.app.store.getAgreement(fresh))!.status).toBe('REVOKED');
  });

  it('the user unbinding in the wallet reaches the BFF as a signed notify.cancel: REVOKED, tokens erased, acknowledged', async () => {
    const fresh = (await bind()).id;
    const mid = (await stack.app.store.getAgreement(fresh))!.merchantAgreementId;
    const res = await fetch(`${stack.sandboxUrl}/sandbox/wallet/agreements/${mid}/unbind`, { method: 'POST' });
    expect(res.status).toBe(200);
    await eventually(
      async () => (await stack.app.store.getAgreement(fresh))!.status === 'REVOKED',
      'notify.cancel to revoke the agreement',
    );
    expect(await stack.app.store.getAgreement(fresh)).toMatchObject({ status: 'REVOKED', accessTokenEnc: null, refreshTokenEnc: null });
    await eventually(
      async () => stack.sandbox.cancelNotifications().find((n) => n.merchantAgreementId === mid)?.status === 'acknowledged',
      'the signed ack of notify.cancel',
    );
    expect((await charge(fresh)).status).toBe(409);
  });

  it('GET asks the wallet when the stored status is older than a minute, and sees a revocation made in the wallet', async () => {
    const fresh = (await bind()).id;
    const mid = (await stack.app.store.getAgreement(fresh))!.merchantAgreementId;
    control({ dropRate: 1 }); // its notify.cancel is lost
    try {
      await gatewayCall(ALIPAYHK_FUNCTIONS.cancelByAuthInfo, {
        authMerchantId: stack.config.alipayhk.merchantId,
        merchantAgreementId: mid,
      });
    } finally {
      control({ dropRate: 0 });
    }
    const queriesBefore = calls(await ledger(), ALIPAYHK_FUNCTIONS.queryByAuthInfo);
    expect((await api(`/api/agreements/${fresh}`)).body.agreement.status).toBe('ACTIVE'); // checked moments ago
    expect(calls(await ledger(), ALIPAYHK_FUNCTIONS.queryByAuthInfo)).toBe(queriesBefore);
    stack.advance(61_000);
    expect((await api(`/api/agreements/${fresh}`)).body.agreement.status).toBe('REVOKED');
    expect(calls(await ledger(), ALIPAYHK_FUNCTIONS.queryByAuthInfo)).toBe(queriesBefore + 1);
    expect((await charge(fresh)).status).toBe(409);
  });
});

describe('token refresh', () => {
  afterAll(() => control({ clockOffsetMs: 0, accessTokenTtlMs: 86_400_000, refreshTokenTtlMs: 30 * 86_400_000 }));

  it('an access token past its expiry is refreshed before the charge, which succeeds', async () => {
    control({ accessTokenTtlMs: 2_000 });
    const { id } = await bind();
    const old = await captureTokens(id);
    control({ clockOffsetMs: 10_000 }); // the wallet's clock: the token is now expired there
    const res = await charge(id);
    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe('SUCCEEDED');
    const fresh = await captureTokens(id);
    expect(fresh.accessToken).not.toBe(old.accessToken);
    const mid = (await stack.app.store.getAgreement(id))!.merchantAgreementId;
    expect((await ledger()).agreements.find((a: any) => a.merchantAgreementId === mid).tokensIssued).toBe(2);
    control({ clockOffsetMs: 0 });
  });

  it('when the wallet says the token expired although our clock disagrees, the BFF refreshes once and retries', async () => {
    control({ accessTokenTtlMs: 20 * MINUTE });
    const { id } = await bind();
    control({ clockOffsetMs: 21 * MINUTE });
    const res = await charge(id);
    expect(res.status).toBe(201);
    const mid = (await stack.app.store.getAgreement(id))!.merchantAgreementId;
    expect((await ledger()).agreements.find((a: any) => a.merchantAgreementId === mid).tokensIssued).toBe(2);
    await captureTokens(id);
    control({ clockOffsetMs: 0 });
  });

  it('a binding whose refresh token ran out is EXPIRED: a clear 409, no order, no debit', async () => {
    control({ accessTokenTtlMs: 1_000, refreshTokenTtlMs: 2_000 });
    const { id } = await bind();
    control({ clockOffsetMs: 10_000 });
    const orders = (await stack.app.store.listOrders({ limit: 10_000 })).length;
    const res = await charge(id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('AGREEMENT_NOT_ACTIVE');
    expect((await api(`/api/agreements/${id}`)).body.agreement).toMatchObject({ status: 'EXPIRED', failureCode: 'INVALID_REFRESH_TOKEN' });
    expect((await stack.app.store.listOrders({ limit: 10_000 })).length).toBe(orders);
    control({ clockOffsetMs: 0 });
  });
});

describe('secrets', () => {
  it('no access or refresh token (nor an authCode or state) appears in any log line or any response', async () => {
    expect(tokens.size).toBeGreaterThanOrEqual(10);
    const logs = stack.logs.join('\n');
    const answered = bodies.join('\n');
    for (const value of tokens) {
      expect(logs.includes(value), 'a token in the logs').toBe(false);
      expect(answered.includes(value), 'a token in a response').toBe(false);
    }
    for (const value of oneTimeSecrets) expect(logs.includes(value), 'an authCode or state in the logs').toBe(false);
  });

  it('the store and the gateway ledger agree (invariants I1–I6)', async () => {
    const report = await stack.invariants();
    expect(report.ok, report.text).toBe(true);
  });
});
