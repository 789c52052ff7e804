import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../app';
import { cashierOrderStr, signedRequest, tradePay, verifyIndependently } from '../testing/fixtures';
import { ALIPAYHK_FUNCTIONS, toGatewayPath } from './functions';
import { useSandbox } from '../testing/sandbox-suite';

const suite = useSandbox({ signAlgorithm: 'RSA2' });
const { keys, oauthCall, call } = suite;

const { agreementPay, applyToken, prepareForRedirect, queryByAuthInfo, cancelByAuthInfo, payQuery, payCancel, refund } = ALIPAYHK_FUNCTIONS;
const MINUTE = 60_000;
const REDIRECT = 'https://shop.example/agreements/return?from=app';

function prepareBody(merchantAgreementId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    authSite: 'ALIPAY_HK',
    scopes: ['AUTH_AGREEMENTPAY'],
    terminalType: 'WAP',
    merchantRedirectUrl: REDIRECT,
    agreementPayAuthInfo: { merchantAgreementId },
    state: `st-${merchantAgreementId}`,
    ...overrides,
  };
}

/** prepareForRedirect → the path + query of `authSiteUrl` (inject needs no host). */
async function prepare(merchantAgreementId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const { body } = (await oauthCall(prepareForRedirect, prepareBody(merchantAgreementId, overrides))).response;
  expect(body.resultInfo.resultCode, JSON.stringify(body.resultInfo)).toBe('SUCCESS');
  const url = new URL(body.authSiteUrl as string);
  expect(url.pathname).toBe('/sandbox/auth');
  return url.pathname + url.search;
}

function openPage(pathAndQuery: string) {
  return suite.sb.app.inject({ method: 'GET', url: pathAndQuery });
}

function authIdOf(pathAndQuery: string): string {
  return new URL(pathAndQuery, 'http://x').searchParams.get('authId') as string;
}

function decide(authId: string, decision: string, extra: Record<string, string> = {}) {
  return suite.sb.app.inject({
    method: 'POST',
    url: '/sandbox/auth/decision',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ authId, decision, ...extra }).toString(),
  });
}

async function redeem(authCode: string) {
  return (await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'AUTHORIZATION_CODE', authCode })).response.body;
}

/** The whole binding: prepare → page → Agree → applyToken. */
async function bind(merchantAgreementId: string): Promise<{ accessToken: string; refreshToken: string; customerId: string }> {
  const page = await prepare(merchantAgreementId);
  const res = await decide(authIdOf(page), 'agree');
  expect(res.statusCode).toBe(302);
  const authCode = new URL(res.headers.location as string).searchParams.get('auth_code') as string;
  const body = await redeem(authCode);
  expect(body.resultInfo.resultCode).toBe('SUCCESS');
  return { accessToken: body.accessTokenInfo.accessToken, refreshToken: body.accessTokenInfo.refreshToken, customerId: body.customerId };
}

function payBody(merchantTransId: string, value = '1500', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    productCode: 'AUTO_DEBIT',
    merchantTransId,
    order: { orderAmount: { currency: 'HKD', value }, orderTitle: 'Monthly box', orderDetail: '1 x box' },
    ...extra,
  };
}
async function debit(accessToken: string | undefined, merchantTransId: string, value = '1500', extra: Record<string, unknown> = {}) {
  const head = accessToken === undefined ? {} : { accessToken };
  return (await call(agreementPay, payBody(merchantTransId, value, extra), head)).response.body;
}

describe('auto-debit binding: prepareForRedirect → auth page → decision → applyToken', () => {
  it('walks the whole flow and debits, queries and refunds like a wallet payment', async () => {
    const page = await prepare('AG-1', { merchantRedirectUrl: 'https://shop.example/back?from=app&x=1#done' });

    const html = await openPage(page);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.headers['content-security-policy']).toContain('form-action \'self\' https://shop.example');
    expect(html.body).toMatch(/<html lang="en">/);
    expect(html.body).toContain('<meta name="viewport"');
    expect(html.body).toMatch(/<button type="submit" class="primary">Agree <span lang="zh-Hant">同意<\/span><\/button>/);
    expect(html.body).toMatch(/<button type="submit">Decline <span lang="zh-Hant">拒絕<\/span><\/button>/);
    expect(html.body.match(/<form method="post" action="\/sandbox\/auth\/decision">/g)).toHaveLength(2);
    expect(html.body).toContain(suite.sb.merchantId);
    expect(html.body).toContain('AG-1');
    expect(html.body).toContain('AUTH_AGREEMENTPAY');
    expect(html.body).toContain('shop.example');

    const decision = await decide(authIdOf(page), 'agree');
    expect(decision.statusCode).toBe(302);
    const location = decision.headers.location as string;
    // The merchant's own query and fragment stay as they were; ours is appended: exactly the documented set
    // (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/prepare, …/a_points_display/api_doc-auth_url).
    expect(location).toMatch(
      new RegExp(`^https://shop\\.example/back\\?from=app&x=1&state=st-AG-1&auth_site=ALIPAY_HK&merchantAgreementId=AG-1&client_id=${suite.sb.clientId}&auth_code=[^&]+&authResult=SUCCESS#done$`),
    );
    const authCode = new URL(location).searchParams.get('auth_code') as string;

    const token = await redeem(authCode);
    expect(token.resultInfo.resultCode).toBe('SUCCESS');
    expect(token.customerId).toMatch(/^2188\d{12}$/);
    // The consent page agrees as the wallet's own buyer (the device is signed in as them) unless told otherwise.
    expect(token.customerId).toBe(suite.sb.walletCustomerId);
    expect(token.accessTokenInfo.tokenStatus).toBe('VALID');
    expect(token.accessTokenInfo.expiresIn).toMatch(/\+08:00$/);
    // Same rules as wallet codes: redeemed again while valid, the same token (PC2Mobile errorhandling page).
    const again = await redeem(authCode);
    expect(again.resultInfo.resultCode).toBe('SUCCESS');
    expect(again.accessTokenInfo.accessToken).toBe(token.accessTokenInfo.accessToken);

    const paid = await debit(token.accessTokenInfo.accessToken, 'AD-1', '1500', { notifyUrl: 'http://127.0.0.1:9/notify/alipayhk', extendInfo: '{"k":1}' });
    expect(paid.resultInfo).toEqual({ resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' });
    // The documented answer carries acquirementId only (seed 002): no echo of the id or the amount.
    expect(Object.keys(paid).sort()).toEqual(['acquirementId', 'resultInfo']);
    expect(paid.acquirementId).toMatch(/^\d{28}$/);
    const ledger = suite.sb.ledger.snapshot();
    expect(ledger.payments).toMatchObject([{ acquirementId: paid.acquirementId, status: 'PAID', merchantAgreementId: 'AG-1', outcome: null, extendInfo: '{"k":1}' }]);
    expect(ledger.notifications).toMatchObject([{ acquirementId: paid.acquirementId, notifyUrl: 'http://127.0.0.1:9/notify/alipayhk' }]);

    const query = (await call(payQuery, { merchantTransId: 'AD-1' })).response.body;
    expect(query).toMatchObject({ acquirementStatus: 'SUCCESS', acquirementId: paid.acquirementId, merchantTransId: 'AD-1', orderAmount: { currency: 'HKD', value: '1500' } });
    const refunded = (await call(refund, { acquirementId: paid.acquirementId, merchantRefundId: 'ADR-1', refundAmount: { currency: 'HKD', value: '500' } })).response.body;
    expect(refunded.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.findPayment({ acquirementId: paid.acquirementId })?.refundedMinor).toBe(500);

    const status = (await oauthCall(queryByAuthInfo, { merchantAgreementId: 'AG-1' })).response.body;
    expect(status).toEqual({
      resultInfo: expect.objectContaining({ resultStatus: 'S' }),
      merchantAgreementId: 'AG-1',
      tokenStatus: 'VALID',
      expiresIn: token.accessTokenInfo.expiresIn,
      reExpiresIn: token.accessTokenInfo.reExpiresIn,
    });

    // The ledger shows the agreement and its expiries, never a code or a token.
    const after = suite.sb.ledger.snapshot();
    expect(after.agreements).toEqual([
      expect.objectContaining({ merchantAgreementId: 'AG-1', customerId: token.customerId, status: 'ACTIVE', revokedAt: null, tokensIssued: 1, authMerchantId: suite.sb.merchantId }),
    ]);
    expect(Date.parse(after.agreements[0]?.accessTokenExpiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(after.authCodes).toEqual({ issued: 1, redeemed: 2, expired: 0, invalid: 0 });
    const text = JSON.stringify((await suite.sb.app.inject({ method: 'GET', url: '/sandbox/ledger' })).json());
    for (const secret of [authCode, token.accessTokenInfo.accessToken, token.accessTokenInfo.refreshToken]) expect(text).not.toContain(secret);
  });

  it('payCancel of an auto-debit payment refunds it fully, like a wallet payment', async () => {
    const { accessToken } = await bind('AG-cancel-pay');
    const paid = await debit(accessToken, 'AD-cancel', '800');
    expect((await call(payCancel, { acquirementId: paid.acquirementId })).response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.snapshot().refunds).toMatchObject([{ acquirementId: paid.acquirementId, refundAmount: { value: '800' }, source: 'payCancel' }]);
    expect((await call(payQuery, { acquirementId: paid.acquirementId })).response.body.acquirementStatus).toBe('CLOSED');
  });

  it('escapes merchant-supplied text in the page and keeps it intact in the redirect', async () => {
    const state = `"><script>alert(1)</script><img src=x onerror='alert(2)'>&amp;`;
    const page = await prepare('AG-<b>"x"</b>', { state, merchantRedirectUrl: "https://shop.example/it's'onmouseover=alert(3)'/r?a=1&t=2" });
    const html = (await openPage(page)).body;
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>"x"');
    expect(html).not.toContain("'onmouseover");
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(2)&#39;&gt;&amp;amp;');
    expect(html).toContain('AG-&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(html).toContain('it&#39;s&#39;onmouseover=alert(3)&#39;/r?a=1&amp;t=2');
    // The only tags are our own.
    expect(html.match(/<script/gi)).toBeNull();

    const location = (await decide(authIdOf(page), 'agree')).headers.location as string;
    const params = new URL(location).searchParams;
    expect(params.get('state')).toBe(state);
    expect(params.get('merchantAgreementId')).toBe('AG-<b>"x"</b>');
    expect(params.get('t')).toBe('2');
    expect(location.startsWith("https://shop.example/it's'onmouseover=alert(3)'/r?a=1&t=2&state=")).toBe(true);
  });

  it('Decline redirects with authResult=FAIL and no code; nothing is bound', async () => {
    const page = await prepare('AG-no');
    const res = await decide(authIdOf(page), 'decline');
    expect(res.statusCode).toBe(302);
    const location = res.headers.location as string;
    expect(location).toBe(`${REDIRECT}&state=st-AG-no&auth_site=ALIPAY_HK&merchantAgreementId=AG-no&client_id=${suite.sb.clientId}&authResult=FAIL`);
    expect(new URL(location).searchParams.has('auth_code')).toBe(false);
    expect(suite.sb.ledger.snapshot().authCodes.issued).toBe(0);
    // The other answer is refused now; the same one lands in the same place.
    expect((await decide(authIdOf(page), 'agree')).statusCode).toBe(409);
    expect((await decide(authIdOf(page), 'decline')).headers.location).toBe(location);
    expect((await oauthCall(queryByAuthInfo, { merchantAgreementId: 'AG-no' })).response.body.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'AGREEMENT_NOT_EXIST' });
  });

  it('a double Agree lands on the same redirect with the same single code', async () => {
    const page = await prepare('AG-twice', { state: undefined });
    const first = (await decide(authIdOf(page), 'agree')).headers.location as string;
    expect(first).toMatch(/^https:\/\/shop\.example\/agreements\/return\?from=app&auth_site=ALIPAY_HK&merchantAgreementId=AG-twice&client_id=[^&]+&auth_code=[^&]+&authResult=SUCCESS$/);
    expect((await decide(authIdOf(page), 'agree')).headers.location).toBe(first);
    expect(suite.sb.ledger.snapshot().authCodes.issued).toBe(1);
    expect((await openPage(page)).body).toContain('You already chose Agree');
  });

  it('binds the customerId given in the page URL instead of a new one', async () => {
    const page = await prepare('AG-who');
    const html = (await openPage(`${page}&customerId=2188000000000777`)).body;
    expect(html.match(/<input type="hidden" name="customerId" value="2188000000000777">/g)).toHaveLength(2);
    const location = (await decide(authIdOf(page), 'agree', { customerId: '2188000000000777' })).headers.location as string;
    const body = await redeem(new URL(location).searchParams.get('auth_code') as string);
    expect(body.customerId).toBe('2188000000000777');
    expect(suite.sb.ledger.findAgreement('AG-who')?.customerId).toBe('2188000000000777');
  });

  it('refuses unknown links and malformed decisions with HTML pages', async () => {
    const unknown = await openPage('/sandbox/auth?authId=nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(unknown.body).toContain('連結無效');
    expect((await openPage('/sandbox/auth')).statusCode).toBe(400);
    expect((await openPage('/sandbox/auth?authId=a&authId=b')).statusCode).toBe(400);
    const page = await prepare('AG-bad');
    expect((await openPage(`${page}&customerId=${encodeURIComponent('<x>')}`)).statusCode).toBe(400);
    const id = authIdOf(page);
    expect((await decide('nope', 'agree')).statusCode).toBe(404);
    expect((await decide(id, 'maybe')).statusCode).toBe(400);
    expect((await decide(id, 'agree', { extra: '1' })).statusCode).toBe(400);
    expect((await decide(id, 'agree', { customerId: 'a b' })).statusCode).toBe(400);
    const json = await suite.sb.app.inject({ method: 'POST', url: '/sandbox/auth/decision', payload: { authId: id, decision: 'agree' } });
    expect(json.statusCode).toBe(415);
    expect(suite.sb.ledger.snapshot().authCodes.issued).toBe(0);
  });

  it('refuses bad prepareForRedirect bodies', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ scopes: ['auth_base'] }, 'PARAM_ILLEGAL'],
      [{ scopes: [] }, 'PARAM_ILLEGAL'],
      [{ terminalType: 'APP' }, 'PARAM_ILLEGAL'],
      [{ authSite: 'ALIPAY_CN' }, 'PARAM_ILLEGAL'],
      [{ merchantRedirectUrl: 'javascript:alert(1)' }, 'PARAM_ILLEGAL'],
      [{ merchantRedirectUrl: 'https://shop.example/a b' }, 'PARAM_ILLEGAL'],
      [{ merchantRedirectUrl: 'https://shop.example/\r\nSet-Cookie:x=1' }, 'PARAM_ILLEGAL'],
      [{ merchantRedirectUrl: '/relative' }, 'PARAM_ILLEGAL'],
      [{ agreementPayAuthInfo: {} }, 'PARAM_ILLEGAL'],
      [{ agreementPayAuthInfo: { merchantAgreementId: 'x'.repeat(65) } }, 'PARAM_ILLEGAL'],
      [{ authMerchantId: '2160400000009999' }, 'MERCHANT_NOT_MATCH'],
    ];
    for (const [overrides, code] of cases) {
      const { body } = (await oauthCall(prepareForRedirect, prepareBody('AG-p', overrides))).response;
      expect(body.resultInfo, JSON.stringify(overrides)).toMatchObject({ resultStatus: 'F', resultCode: code });
      expect(body.authSiteUrl).toBeUndefined();
    }
  });

  it('serves the oauth functions and agreement.pay at the documented paths', () => {
    expect(toGatewayPath(prepareForRedirect)).toBe('/api/alipay/intl/oauth/auth/prepareForRedirect.htm');
    expect(toGatewayPath(queryByAuthInfo)).toBe('/api/alipay/intl/oauth/auth/queryByAuthInfo.htm');
    expect(toGatewayPath(cancelByAuthInfo)).toBe('/api/alipay/intl/oauth/auth/cancelByAuthInfo.htm');
    expect(toGatewayPath(agreementPay)).toBe('/api/alipay/intl/acquiring/agreement/pay.htm');
  });
});

describe('agreement lifecycle: refresh, expiry, cancelByAuthInfo', () => {
  it('refresh: the old access token stops working, the new one debits', async () => {
    const { accessToken, refreshToken, customerId } = await bind('AG-refresh');
    const renewed = (await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'REFRESH_TOKEN', refreshToken })).response.body;
    expect(renewed.resultInfo.resultCode).toBe('SUCCESS');
    expect(renewed.customerId).toBe(customerId);
    const old = await debit(accessToken, 'AD-r1');
    expect(old.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'INVALID_ACCESS_TOKEN' });
    expect(old.acquirementId).toBeUndefined();
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(0);
    expect((await debit(renewed.accessTokenInfo.accessToken, 'AD-r1')).resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.findAgreement('AG-refresh')).toMatchObject({ tokensIssued: 2, status: 'ACTIVE' });
  });

  it('an expired access token is refused until refreshed; queryByAuthInfo says EXPIRED', async () => {
    suite.sb.control.update({ accessTokenTtlMs: MINUTE });
    const { accessToken, refreshToken } = await bind('AG-exp');
    suite.sb.control.update({ clockOffsetMs: MINUTE + 1000 });
    expect((await debit(accessToken, 'AD-e1')).resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'ACCESS_TOKEN_EXPIRED' });
    expect((await oauthCall(queryByAuthInfo, { merchantAgreementId: 'AG-exp' })).response.body.tokenStatus).toBe('EXPIRED');
    const renewed = (await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'REFRESH_TOKEN', refreshToken })).response.body;
    expect((await debit(renewed.accessTokenInfo.accessToken, 'AD-e1')).resultInfo.resultCode).toBe('SUCCESS');
    expect((await oauthCall(queryByAuthInfo, { merchantAgreementId: 'AG-exp' })).response.body.tokenStatus).toBe('VALID');
  });

  it('cancelByAuthInfo revokes: debits get AGREEMENT_REVOKED, refresh too; repeating it is S', async () => {
    const { accessToken, refreshToken } = await bind('AG-stop');
    expect((await debit(accessToken, 'AD-s1')).resultInfo.resultCode).toBe('SUCCESS');
    const cancelled = (await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-stop' })).response.body;
    expect(cancelled).toMatchObject({ resultInfo: { resultStatus: 'S', resultCode: 'SUCCESS' }, merchantAgreementId: 'AG-stop' });
    const revokedAt = suite.sb.ledger.findAgreement('AG-stop')?.revokedAt;
    expect(suite.sb.ledger.findAgreement('AG-stop')).toMatchObject({ status: 'REVOKED' });
    expect(revokedAt).not.toBeNull();

    const refused = await debit(accessToken, 'AD-s2');
    expect(refused.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'AGREEMENT_REVOKED' });
    expect(suite.sb.ledger.findPayment({ merchantTransId: 'AD-s2' })).toBeUndefined();
    expect((await oauthCall(queryByAuthInfo, { merchantAgreementId: 'AG-stop' })).response.body.tokenStatus).toBe('REVOKED');
    expect((await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'REFRESH_TOKEN', refreshToken })).response.body.resultInfo.resultCode).toBe('AGREEMENT_REVOKED');

    expect((await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-stop' })).response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.findAgreement('AG-stop')?.revokedAt).toBe(revokedAt);
    expect((await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-none' })).response.body.resultInfo.resultCode).toBe('AGREEMENT_NOT_EXIST');
    // A used merchantAgreementId cannot start a new binding.
    expect((await oauthCall(prepareForRedirect, prepareBody('AG-stop'))).response.body.resultInfo.resultCode).toBe('AGREEMENT_ALREADY_EXIST');
  });

  it('two agreed pages for one merchantAgreementId: the first redeemed code wins', async () => {
    const a = await prepare('AG-race');
    const b = await prepare('AG-race');
    const codeA = new URL((await decide(authIdOf(a), 'agree')).headers.location as string).searchParams.get('auth_code') as string;
    const codeB = new URL((await decide(authIdOf(b), 'agree')).headers.location as string).searchParams.get('auth_code') as string;
    expect((await redeem(codeB)).resultInfo.resultCode).toBe('SUCCESS');
    expect((await redeem(codeA)).resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'AGREEMENT_ALREADY_EXIST' });
    expect(suite.sb.ledger.snapshot().agreements).toHaveLength(1);
  });
});

describe('agreement.pay', () => {
  it('is idempotent per merchantTransId: same request → same acquirementId, one debit, one notification', async () => {
    const { accessToken } = await bind('AG-idem');
    const extra = { notifyUrl: 'http://127.0.0.1:9/notify/alipayhk' };
    const first = await debit(accessToken, 'AD-i', '2000', extra);
    const second = await debit(accessToken, 'AD-i', '2000', extra);
    expect(second.resultInfo.resultCode).toBe('SUCCESS');
    expect(second.acquirementId).toBe(first.acquirementId);
    expect(second.paymentTime).toBe(first.paymentTime);
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(1);
    expect(suite.sb.ledger.snapshot().notifications).toHaveLength(1);

    const changed = await debit(accessToken, 'AD-i', '2001', extra);
    expect(changed.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'REPEAT_REQ_INCONSISTENT' });
    expect(changed.acquirementId).toBeUndefined();
    expect(suite.sb.ledger.findPayment({ merchantTransId: 'AD-i' })?.orderAmount).toEqual({ currency: 'HKD', value: '2000' });

    // A repeat is answered even after the agreement was cancelled: the payment did happen.
    await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-idem' });
    expect((await debit(accessToken, 'AD-i', '2000')).acquirementId).toBe(first.acquirementId);
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(1);
  });

  it('refuses a merchantTransId that belongs to another payment or agreement', async () => {
    const one = await bind('AG-one');
    const two = await bind('AG-two');
    expect((await debit(one.accessToken, 'AD-x')).resultInfo.resultCode).toBe('SUCCESS');
    expect((await debit(two.accessToken, 'AD-x')).resultInfo.resultCode).toBe('REPEAT_REQ_INCONSISTENT');
    await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-1', value: '1500' }));
    expect((await debit(one.accessToken, 'W-1')).resultInfo.resultCode).toBe('REPEAT_REQ_INCONSISTENT');
    await call(payCancel, { merchantTransId: 'AD-never' });
    expect((await debit(one.accessToken, 'AD-never')).resultInfo.resultCode).toBe('ORDER_STATUS_INVALID');
    expect(suite.sb.ledger.snapshot().payments.filter((p) => p.merchantAgreementId !== null)).toHaveLength(1);
  });

  it('a scripted U has no effect; the retry with the same merchantTransId debits once', async () => {
    const { accessToken } = await bind('AG-u');
    suite.sb.control.update({ failNext: { count: 1, mode: 'U' } });
    const before = suite.sb.ledger.snapshot();
    const unknown = await debit(accessToken, 'AD-u', '900', { notifyUrl: 'http://127.0.0.1:9/notify/alipayhk' });
    expect(unknown.resultInfo).toMatchObject({ resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION' });
    expect(unknown.acquirementId).toBeUndefined();
    const after = suite.sb.ledger.snapshot();
    expect(after.payments).toEqual(before.payments);
    expect(after.notifications).toEqual(before.notifications);
    expect(after.agreements).toEqual(before.agreements);
    expect((await call(payQuery, { merchantTransId: 'AD-u' })).response.body.resultInfo.resultCode).toBe('ORDER_NOT_EXIST');

    const retried = await debit(accessToken, 'AD-u', '900', { notifyUrl: 'http://127.0.0.1:9/notify/alipayhk' });
    expect(retried.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(1);
    expect(suite.sb.ledger.snapshot().calls[agreementPay]).toBe(2);
  });

  it('a scripted U on cancelByAuthInfo leaves the agreement active', async () => {
    const { accessToken } = await bind('AG-u2');
    suite.sb.control.update({ failNext: { count: 1, mode: 'U' } });
    expect((await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-u2' })).response.body.resultInfo.resultStatus).toBe('U');
    expect(suite.sb.ledger.findAgreement('AG-u2')?.status).toBe('ACTIVE');
    expect((await debit(accessToken, 'AD-u2')).resultInfo.resultCode).toBe('SUCCESS');
  });

  it('5xx via failNext answers HTTP 503 and debits nothing', async () => {
    const { accessToken } = await bind('AG-5xx');
    suite.sb.control.update({ failNext: { count: 1, mode: '5xx' } });
    const res = await suite.sb.app.inject({
      method: 'POST',
      url: toGatewayPath(agreementPay),
      headers: { 'content-type': 'application/json' },
      payload: signedRequest(suite.sb.merchantSigner, agreementPay, { merchantId: suite.sb.merchantId, ...payBody('AD-5xx') }, { accessToken }),
    });
    expect(res.statusCode).toBe(503);
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(0);
  });

  it('refuses missing, unknown and sign-in tokens, and malformed orders', async () => {
    const { accessToken } = await bind('AG-v');
    expect((await debit(undefined, 'AD-v')).resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'INVALID_ACCESS_TOKEN' });
    expect((await debit('SBATforged', 'AD-v')).resultInfo.resultCode).toBe('INVALID_ACCESS_TOKEN');

    const code = (await suite.sb.app.inject({ method: 'POST', url: '/sandbox/wallet/authCode', payload: {} })).json().authCode as string;
    const signIn = await redeem(code);
    expect((await debit(signIn.accessTokenInfo.accessToken, 'AD-v')).resultInfo.resultCode).toBe('SCOPE_NOT_AUTHORIZED');

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...payBody('AD-v'), productCode: 'AGREEMENT_OR_CASHIER_PAY' }, 'PARAM_ILLEGAL'],
      [payBody('AD-v', '0'), 'PARAM_ILLEGAL'],
      [payBody('AD-v', '15.00'), 'PARAM_ILLEGAL'],
      [{ ...payBody('AD-v'), order: { orderAmount: { currency: 'HKD', value: '1' } } }, 'PARAM_ILLEGAL'],
      [{ ...payBody('AD-v'), notifyUrl: 'ftp://x' }, 'PARAM_ILLEGAL'],
      [{ ...payBody('AD-v'), merchantTransId: 'x'.repeat(65) }, 'PARAM_ILLEGAL'],
      [{ ...payBody('AD-v'), merchantId: '2160400000009999' }, 'MERCHANT_NOT_MATCH'],
    ];
    for (const [body, expected] of bad) {
      const res = await call(agreementPay, body, { accessToken });
      expect(res.response.body.resultInfo, JSON.stringify(body)).toMatchObject({ resultStatus: 'F', resultCode: expected });
    }
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(0);
  });
});

describe('over a real socket', () => {
  it('authSiteUrl points at the listening sandbox; the browser flow works with plain HTTP', async () => {
    const other = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001, signAlgorithm: 'RSA2' });
    try {
      const url = await other.listen();
      const post = (fn: string, payload: string) => fetch(url + toGatewayPath(fn), { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: payload });
      const prepared = verifyIndependently(
        'response',
        await (await post(prepareForRedirect, signedRequest(other.merchantSigner, prepareForRedirect, { authMerchantId: other.merchantId, ...prepareBody('AG-net') }))).text(),
        keys.gatewayPublicPem,
      ).body;
      expect(prepared.authSiteUrl).toMatch(new RegExp(`^${url}/sandbox/auth\\?authId=[A-Za-z0-9_-]+$`));
      const page = await fetch(prepared.authSiteUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Agree');
      const decision = await fetch(`${url}/sandbox/auth/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ authId: new URL(prepared.authSiteUrl).searchParams.get('authId') as string, decision: 'agree' }),
        redirect: 'manual',
      });
      expect(decision.status).toBe(302);
      expect(decision.headers.get('location')).toMatch(/^https:\/\/shop\.example\/agreements\/return\?from=app&.*auth_code=/);
    } finally {
      await other.close();
    }
  });
});
