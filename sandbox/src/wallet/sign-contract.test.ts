/**
 * `POST /sandbox/wallet/signContract`: what the AlipayHK app does for `my.signContract({signStr})`
 * (https://miniprogram.alipay.com/docs-alipayconnect/miniprogram_alipayconnect/mpdev/api_openapi_signcontract):
 * the consent decision inside the app, answered as `{authCode, authState}` (the code redeemable once by
 * applyToken) or, declined, `{error: '6001'}`.
 */
import { describe, expect, it } from 'vitest';
import { ALIPAYHK_FUNCTIONS } from '../alipayhk/functions';
import { useSandbox } from '../testing/sandbox-suite';

const suite = useSandbox();
const { oauthCall } = suite;

const { prepareForRedirect, applyToken } = ALIPAYHK_FUNCTIONS;

async function prepare(merchantAgreementId: string): Promise<string> {
  const { body } = (
    await oauthCall(prepareForRedirect, {
      authSite: 'ALIPAY_HK',
      scopes: ['AUTH_AGREEMENTPAY'],
      terminalType: 'WAP',
      merchantRedirectUrl: 'https://shop.example/api/agreements/return',
      agreementPayAuthInfo: { merchantAgreementId },
      state: `st-${merchantAgreementId}`,
    })
  ).response;
  expect(body.resultInfo.resultCode).toBe('SUCCESS');
  return body.authSiteUrl as string;
}

function signContract(payload: Record<string, unknown>) {
  return suite.sb.app.inject({ method: 'POST', url: '/sandbox/wallet/signContract', payload });
}

describe('POST /sandbox/wallet/signContract', () => {
  it('agree: {authCode, authState}; the state is the one the merchant sent; the code redeems to one token pair', async () => {
    const signStr = await prepare('AG-sc-1');
    const res = await signContract({ signStr, customerId: 'buyer_sc' });
    expect(res.statusCode).toBe(200);
    const { authCode, authState } = res.json();
    expect(authState).toBe('st-AG-sc-1');
    expect(authCode).toEqual(expect.any(String));
    const first = (await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'AUTHORIZATION_CODE', authCode })).response.body;
    expect(first.resultInfo.resultCode).toBe('SUCCESS');
    expect(first.customerId).toBe('buyer_sc');
    // Redeemed again, a valid code answers the same token (the sandbox's applyToken re-redeem rule), never a second pair.
    const again = (await oauthCall(applyToken, { authSite: 'ALIPAY_HK', grantType: 'AUTHORIZATION_CODE', authCode })).response.body;
    expect(again.accessTokenInfo?.accessToken ?? null).toBe(
      again.resultInfo.resultCode === 'SUCCESS' ? first.accessTokenInfo.accessToken : null,
    );
  });

  it('decline: the fail shape with a String code 6001; the other decision afterwards is a 409', async () => {
    const signStr = await prepare('AG-sc-2');
    const res = await signContract({ signStr, decision: 'decline' });
    expect(res.json()).toEqual({ error: '6001', errMessage: 'user cancelled' });
    expect((await signContract({ signStr, decision: 'agree' })).statusCode).toBe(409);
  });

  it('refuses an unknown authorisation, a signStr that is not a URL, and unknown fields', async () => {
    expect((await signContract({ signStr: 'http://127.0.0.1/sandbox/auth?authId=nope' })).statusCode).toBe(404);
    expect((await signContract({ signStr: 'not a url' })).statusCode).toBe(400);
    expect((await signContract({ signStr: await prepare('AG-sc-3'), extra: 1 })).statusCode).toBe(400);
  });
});
