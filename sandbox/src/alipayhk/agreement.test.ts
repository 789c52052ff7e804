import { describe, expect, it } from 'vitest';
import { ALIPAYHK_FUNCTIONS, toGatewayPath } from './functions';
import { useSandbox } from '../testing/sandbox-suite';
import { agreementSteps, prepareBody, REDIRECT } from '../testing/agreement-steps';

const suite = useSandbox({ signAlgorithm: 'RSA2' });
const { oauthCall, call } = suite;

const { agreementPay, prepareForRedirect, queryByAuthInfo, cancelByAuthInfo, payQuery, payCancel, refund } = ALIPAYHK_FUNCTIONS;
const { prepare, openPage, authIdOf, decide, redeem, bind, debit } = agreementSteps(suite);

describe('auto-debit binding: prepareForRedirect → auth page → decision → applyToken', () => {
  it('walks the whole flow and debits, queries and refunds like a wallet payment', async () => {
    const page = await prepare('AG-1', { merchantRedirectUrl: 'https://shop.example/back?from=app&x=1#done' });

    const html = await openPage(page);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.headers['content-security-policy']).toContain("form-action 'self' https://shop.example");
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
      new RegExp(
        `^https://shop\\.example/back\\?from=app&x=1&state=st-AG-1&auth_site=ALIPAY_HK&merchantAgreementId=AG-1&client_id=${suite.sb.clientId}&auth_code=[^&]+&authResult=SUCCESS#done$`,
      ),
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

    const paid = await debit(token.accessTokenInfo.accessToken, 'AD-1', '1500', {
      notifyUrl: 'http://127.0.0.1:9/notify/alipayhk',
      extendInfo: '{"k":1}',
    });
    expect(paid.resultInfo).toEqual({ resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' });
    // The documented answer carries acquirementId only (seed 002): no echo of the id or the amount.
    expect(Object.keys(paid).sort()).toEqual(['acquirementId', 'resultInfo']);
    expect(paid.acquirementId).toMatch(/^\d{28}$/);
    const ledger = suite.sb.ledger.snapshot();
    expect(ledger.payments).toMatchObject([
      { acquirementId: paid.acquirementId, status: 'PAID', merchantAgreementId: 'AG-1', outcome: null, extendInfo: '{"k":1}' },
    ]);
    expect(ledger.notifications).toMatchObject([{ acquirementId: paid.acquirementId, notifyUrl: 'http://127.0.0.1:9/notify/alipayhk' }]);

    const query = (await call(payQuery, { merchantTransId: 'AD-1' })).response.body;
    expect(query).toMatchObject({
      acquirementStatus: 'SUCCESS',
      acquirementId: paid.acquirementId,
      merchantTransId: 'AD-1',
      orderAmount: { currency: 'HKD', value: '1500' },
    });
    const refunded = (
      await call(refund, { acquirementId: paid.acquirementId, merchantRefundId: 'ADR-1', refundAmount: { currency: 'HKD', value: '500' } })
    ).response.body;
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
      expect.objectContaining({
        merchantAgreementId: 'AG-1',
        customerId: token.customerId,
        status: 'ACTIVE',
        revokedAt: null,
        tokensIssued: 1,
        authMerchantId: suite.sb.merchantId,
      }),
    ]);
    expect(Date.parse(after.agreements[0]?.accessTokenExpiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(after.authCodes).toEqual({ issued: 1, redeemed: 2, expired: 0, invalid: 0 });
    const text = JSON.stringify((await suite.sb.app.inject({ method: 'GET', url: '/sandbox/ledger' })).json());
    for (const secret of [authCode, token.accessTokenInfo.accessToken, token.accessTokenInfo.refreshToken])
      expect(text).not.toContain(secret);
  });

  it('payCancel of an auto-debit payment refunds it fully, like a wallet payment', async () => {
    const { accessToken } = await bind('AG-cancel-pay');
    const paid = await debit(accessToken, 'AD-cancel', '800');
    expect((await call(payCancel, { acquirementId: paid.acquirementId })).response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.snapshot().refunds).toMatchObject([
      { acquirementId: paid.acquirementId, refundAmount: { value: '800' }, source: 'payCancel' },
    ]);
    expect((await call(payQuery, { acquirementId: paid.acquirementId })).response.body.acquirementStatus).toBe('CLOSED');
  });

  it('escapes merchant-supplied text in the page and keeps it intact in the redirect', async () => {
    const state = `"><script>alert(1)</script><img src=x onerror='alert(2)'>&amp;`;
    const page = await prepare('AG-<b>"x"</b>', {
      state,
      merchantRedirectUrl: "https://shop.example/it's'onmouseover=alert(3)'/r?a=1&t=2",
    });
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
    expect(location).toBe(
      `${REDIRECT}&state=st-AG-no&auth_site=ALIPAY_HK&merchantAgreementId=AG-no&client_id=${suite.sb.clientId}&authResult=FAIL`,
    );
    expect(new URL(location).searchParams.has('auth_code')).toBe(false);
    expect(suite.sb.ledger.snapshot().authCodes.issued).toBe(0);
    // The other answer is refused now; the same one lands in the same place.
    expect((await decide(authIdOf(page), 'agree')).statusCode).toBe(409);
    expect((await decide(authIdOf(page), 'decline')).headers.location).toBe(location);
    expect((await oauthCall(queryByAuthInfo, { merchantAgreementId: 'AG-no' })).response.body.resultInfo).toMatchObject({
      resultStatus: 'F',
      resultCode: 'AGREEMENT_NOT_EXIST',
    });
  });

  it('a double Agree lands on the same redirect with the same single code', async () => {
    const page = await prepare('AG-twice', { state: undefined });
    const first = (await decide(authIdOf(page), 'agree')).headers.location as string;
    expect(first).toMatch(
      /^https:\/\/shop\.example\/agreements\/return\?from=app&auth_site=ALIPAY_HK&merchantAgreementId=AG-twice&client_id=[^&]+&auth_code=[^&]+&authResult=SUCCESS$/,
    );
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
