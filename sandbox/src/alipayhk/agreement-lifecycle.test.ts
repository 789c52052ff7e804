/** Agreements after binding: refresh, expiry, cancelByAuthInfo, agreement.pay, and the flow over a real socket (binding itself: agreement.test.ts). */
import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../app';
import { cashierOrderStr, signedRequest, tradePay, verifyIndependently } from '../testing/fixtures';
import { ALIPAYHK_FUNCTIONS, toGatewayPath } from './functions';
import { useSandbox } from '../testing/sandbox-suite';
import { agreementSteps, payBody, prepareBody } from '../testing/agreement-steps';

const suite = useSandbox({ signAlgorithm: 'RSA2' });
const { keys, oauthCall, call } = suite;

const { agreementPay, applyToken, prepareForRedirect, queryByAuthInfo, cancelByAuthInfo, payQuery, payCancel } = ALIPAYHK_FUNCTIONS;
const MINUTE = 60_000;
const { prepare, authIdOf, decide, redeem, bind, debit } = agreementSteps(suite);

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
    expect(
      (await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'REFRESH_TOKEN', refreshToken })).response.body.resultInfo
        .resultCode,
    ).toBe('AGREEMENT_REVOKED');

    expect((await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-stop' })).response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.findAgreement('AG-stop')?.revokedAt).toBe(revokedAt);
    expect((await oauthCall(cancelByAuthInfo, { merchantAgreementId: 'AG-none' })).response.body.resultInfo.resultCode).toBe(
      'AGREEMENT_NOT_EXIST',
    );
    // A used merchantAgreementId cannot start a new binding.
    expect((await oauthCall(prepareForRedirect, prepareBody('AG-stop'))).response.body.resultInfo.resultCode).toBe(
      'AGREEMENT_ALREADY_EXIST',
    );
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
      payload: signedRequest(
        suite.sb.merchantSigner,
        agreementPay,
        { merchantId: suite.sb.merchantId, ...payBody('AD-5xx') },
        { accessToken },
      ),
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
      const post = (fn: string, payload: string) =>
        fetch(url + toGatewayPath(fn), { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: payload });
      const prepared = verifyIndependently(
        'response',
        await (
          await post(
            prepareForRedirect,
            signedRequest(other.merchantSigner, prepareForRedirect, { authMerchantId: other.merchantId, ...prepareBody('AG-net') }),
          )
        ).text(),
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
