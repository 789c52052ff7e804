/**
 * The auto-debit binding steps the sandbox's agreement tests share: prepareForRedirect, the auth
 * page and its decision, applyToken, and agreement.pay, driven through one file's sandbox suite.
 */
import { expect } from 'vitest';
import { ALIPAYHK_FUNCTIONS } from '../alipayhk/functions';
import type { SandboxSuite } from './sandbox-suite';

const { agreementPay, applyToken, prepareForRedirect } = ALIPAYHK_FUNCTIONS;
export const REDIRECT = 'https://shop.example/agreements/return?from=app';

export function prepareBody(merchantAgreementId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
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

export function payBody(merchantTransId: string, value = '1500', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    productCode: 'AUTO_DEBIT',
    merchantTransId,
    order: { orderAmount: { currency: 'HKD', value }, orderTitle: 'Monthly box', orderDetail: '1 x box' },
    ...extra,
  };
}

export function agreementSteps(suite: SandboxSuite) {
  const { oauthCall, call } = suite;
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

  async function debit(accessToken: string | undefined, merchantTransId: string, value = '1500', extra: Record<string, unknown> = {}) {
    const head = accessToken === undefined ? {} : { accessToken };
    return (await call(agreementPay, payBody(merchantTransId, value, extra), head)).response.body;
  }

  return { prepare, openPage, authIdOf, decide, redeem, bind, debit };
}
