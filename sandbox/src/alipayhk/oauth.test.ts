import { describe, expect, it } from 'vitest';
import { callGatewayExact } from '../testing/fixtures';
import { ALIPAYHK_FUNCTIONS, toGatewayPath } from './functions';
import { appendQuery } from './oauth';
import { useSandbox } from '../testing/sandbox-suite';

const suite = useSandbox();
const { keys } = suite;

const { applyToken } = ALIPAYHK_FUNCTIONS;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function authCode(input: Record<string, unknown> = {}): Promise<string> {
  const res = await suite.sb.app.inject({ method: 'POST', url: '/sandbox/wallet/authCode', payload: input });
  expect(res.statusCode, res.body).toBe(200);
  const { authCode: code } = res.json() as { authCode: string };
  expect(typeof code).toBe('string');
  return code;
}

function exchange(body: Record<string, unknown>, head: Record<string, unknown> = {}) {
  return callGatewayExact(
    suite.sb.app,
    keys.gatewayPublicPem,
    suite.sb.merchantSigner,
    applyToken,
    { authMerchantId: suite.sb.merchantId, authSite: 'ALIPAY_HK', ...body },
    head,
  );
}
async function redeem(code: string) {
  return (await exchange({ grantType: 'AUTHORIZATION_CODE', authCode: code })).response.body;
}
async function refresh(refreshToken: string) {
  return (await exchange({ grantType: 'REFRESH_TOKEN', refreshToken })).response.body;
}
/** Milliseconds from now to an RFC 3339 wire datetime (whole seconds, +08:00). */
function fromNow(datetime: string): number {
  expect(datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  return Date.parse(datetime) - suite.sb.clock.now();
}

describe('buyer sign-in: POST /sandbox/wallet/authCode → applyToken', () => {
  it('exchanges a wallet authCode for tokens with datetime expiries and the buyer customerId', async () => {
    const res = await exchange({ grantType: 'AUTHORIZATION_CODE', authCode: await authCode() }, { reqMsgId: 'apply-1' });
    expect(res.status).toBe(200);
    expect(res.response.head).toMatchObject({ function: applyToken, reqMsgId: 'apply-1' });
    const body = res.response.body;
    expect(body.resultInfo).toEqual({ resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' });
    expect(body.customerId).toBe(suite.sb.walletCustomerId);
    expect(body.customerId).toMatch(/^2188\d{12}$/);
    const info = body.accessTokenInfo;
    expect(Object.keys(info).sort()).toEqual(['accessToken', 'expiresIn', 'reExpiresIn', 'refreshToken', 'tokenStatus']);
    expect(info.tokenStatus).toBe('VALID');
    expect(info.accessToken).not.toBe(info.refreshToken);
    // Datetimes, not seconds: 24 h and 30 days from now by default (whole seconds on the wire).
    expect(Math.abs(fromNow(info.expiresIn) - DAY)).toBeLessThan(5000);
    expect(Math.abs(fromNow(info.reExpiresIn) - 30 * DAY)).toBeLessThan(5000);
    expect(suite.sb.ledger.snapshot().authCodes).toEqual({ issued: 1, redeemed: 1, expired: 0, invalid: 0 });
    expect(suite.sb.ledger.snapshot().calls[applyToken]).toBe(1);
  });

  it('names the same default buyer on every call, or the customerId asked for', async () => {
    expect((await redeem(await authCode())).customerId).toBe(suite.sb.walletCustomerId);
    expect((await redeem(await authCode({ scopes: ['auth_base'] }))).customerId).toBe(suite.sb.walletCustomerId);
    expect((await redeem(await authCode({ customerId: '2188000000000042', scopes: ['auth_user'] }))).customerId).toBe('2188000000000042');
  });

  it('answers a valid authCode redeemed again with the same token (AlipayHK errorhandling page); an unknown code gets F / INVALID_AUTH_CODE', async () => {
    // "If the authCode is valid and has been redeemed, the same accessToken is returned":
    // https://global.alipay.com/docs/ac/PC2Mobile/errorhandling
    const code = await authCode();
    const first = await redeem(code);
    expect(first.resultInfo.resultCode).toBe('SUCCESS');
    const again = await redeem(code);
    expect(again.resultInfo).toMatchObject({ resultStatus: 'S', resultCode: 'SUCCESS' });
    expect(again.accessTokenInfo.accessToken).toBe(first.accessTokenInfo.accessToken);
    expect(again.customerId).toBe(first.customerId);
    expect((await redeem('SBACnot-a-code')).resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'INVALID_AUTH_CODE' });
    // Once its token was refreshed away, the code is spent.
    expect((await refresh(first.accessTokenInfo.refreshToken)).resultInfo.resultCode).toBe('SUCCESS');
    expect((await redeem(code)).resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'INVALID_AUTH_CODE' });
    expect(suite.sb.ledger.snapshot().authCodes).toEqual({ issued: 1, redeemed: 2, expired: 0, invalid: 2 });
  });

  it('lives 10 minutes on the sandbox clock: F / AUTH_CODE_EXPIRED after 10 min + 1 s', async () => {
    const late = await authCode();
    const inTime = await authCode();
    suite.sb.control.update({ clockOffsetMs: 9 * MINUTE + 59_000 });
    expect((await redeem(inTime)).resultInfo.resultCode).toBe('SUCCESS');
    suite.sb.control.update({ clockOffsetMs: 10 * MINUTE + 1000 });
    const body = await redeem(late);
    expect(body.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'AUTH_CODE_EXPIRED' });
    expect(body.accessTokenInfo).toBeUndefined();
    expect(suite.sb.ledger.snapshot().authCodes).toMatchObject({ redeemed: 1, expired: 1 });
  });

  it('token lifetimes follow control.accessTokenTtlMs / refreshTokenTtlMs', async () => {
    const res = await suite.sb.app.inject({
      method: 'POST',
      url: '/sandbox/control',
      payload: { accessTokenTtlMs: 2 * MINUTE, refreshTokenTtlMs: 3 * DAY },
    });
    expect(res.json()).toMatchObject({ accessTokenTtlMs: 2 * MINUTE, refreshTokenTtlMs: 3 * DAY });
    const info = (await redeem(await authCode())).accessTokenInfo;
    expect(Math.abs(fromNow(info.expiresIn) - 2 * MINUTE)).toBeLessThan(5000);
    expect(Math.abs(fromNow(info.reExpiresIn) - 3 * DAY)).toBeLessThan(5000);
    for (const payload of [{ accessTokenTtlMs: -1 }, { refreshTokenTtlMs: 1.5 }, { accessTokenTtlMs: '60000' }]) {
      expect((await suite.sb.app.inject({ method: 'POST', url: '/sandbox/control', payload })).statusCode).toBe(400);
    }
  });

  it('REFRESH_TOKEN issues a new pair once; an expired refresh token is refused', async () => {
    const first = await redeem(await authCode());
    const renewed = await refresh(first.accessTokenInfo.refreshToken);
    expect(renewed.resultInfo.resultCode).toBe('SUCCESS');
    expect(renewed.customerId).toBe(first.customerId);
    expect(renewed.accessTokenInfo.tokenStatus).toBe('VALID');
    expect(renewed.accessTokenInfo.accessToken).not.toBe(first.accessTokenInfo.accessToken);
    expect(renewed.accessTokenInfo.refreshToken).not.toBe(first.accessTokenInfo.refreshToken);
    // The old refresh token was used up.
    expect((await refresh(first.accessTokenInfo.refreshToken)).resultInfo).toMatchObject({
      resultStatus: 'F',
      resultCode: 'INVALID_REFRESH_TOKEN',
    });
    expect((await refresh('SBRTunknown')).resultInfo.resultCode).toBe('INVALID_REFRESH_TOKEN');
    // 30 days later (+1 s) the current refresh token has expired too.
    suite.sb.control.update({ clockOffsetMs: 30 * DAY + 1000 });
    expect((await refresh(renewed.accessTokenInfo.refreshToken)).resultInfo).toMatchObject({
      resultStatus: 'F',
      resultCode: 'INVALID_REFRESH_TOKEN',
    });
  });

  it('refuses malformed applyToken bodies with PARAM_ILLEGAL and another merchant with MERCHANT_NOT_MATCH', async () => {
    const code = await authCode();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ grantType: 'PASSWORD', authCode: code }, 'PARAM_ILLEGAL'],
      [{ grantType: 'AUTHORIZATION_CODE' }, 'PARAM_ILLEGAL'],
      [{ grantType: 'REFRESH_TOKEN', authCode: code }, 'PARAM_ILLEGAL'],
      [{ grantType: 'AUTHORIZATION_CODE', authCode: code, authSite: 'ALIPAY_CN' }, 'PARAM_ILLEGAL'],
      [{ grantType: 'AUTHORIZATION_CODE', authCode: code, authMerchantId: '2160400000009999' }, 'MERCHANT_NOT_MATCH'],
    ];
    for (const [body, code_] of cases) {
      expect((await exchange(body)).response.body.resultInfo, JSON.stringify(body)).toMatchObject({ resultStatus: 'F', resultCode: code_ });
    }
    // None of these used the code up.
    expect((await redeem(code)).resultInfo.resultCode).toBe('SUCCESS');
  });

  it('a scripted U does not use the code up', async () => {
    const code = await authCode();
    suite.sb.control.update({ failNext: { count: 1, mode: 'U' } });
    expect((await redeem(code)).resultInfo).toMatchObject({ resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION' });
    expect(suite.sb.ledger.snapshot().authCodes.redeemed).toBe(0);
    expect((await redeem(code)).resultInfo.resultCode).toBe('SUCCESS');
  });

  it('the wallet endpoint refuses unknown fields and bad values with 400', async () => {
    expect((await suite.sb.app.inject({ method: 'POST', url: '/sandbox/wallet/authCode' })).statusCode).toBe(200);
    for (const payload of [
      { nope: 1 },
      { customerId: '' },
      { customerId: 'a b' },
      { customerId: 42 },
      { scopes: [] },
      { scopes: 'auth_base' },
      { scopes: [''] },
      [],
    ]) {
      const res = await suite.sb.app.inject({ method: 'POST', url: '/sandbox/wallet/authCode', payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(suite.sb.ledger.snapshot().authCodes.issued).toBe(1);
  });

  it('reset forgets codes and tokens, but the wallet keeps its buyer', async () => {
    const code = await authCode();
    const buyer = suite.sb.walletCustomerId;
    suite.sb.reset();
    expect((await redeem(code)).resultInfo.resultCode).toBe('INVALID_AUTH_CODE');
    expect(suite.sb.walletCustomerId).toBe(buyer);
  });

  it('serves applyToken at the documented path', () => {
    expect(toGatewayPath(applyToken)).toBe('/api/alipay/intl/oauth/auth/applyToken.htm');
  });
});

describe('appendQuery', () => {
  it('keeps an existing query and fragment byte for byte', () => {
    expect(appendQuery('https://a.example/r', [['x', '1']])).toBe('https://a.example/r?x=1');
    expect(appendQuery('https://a.example/r?a=b%20c&d=', [['x', 'y z&']])).toBe('https://a.example/r?a=b%20c&d=&x=y+z%26');
    expect(appendQuery('https://a.example/r?', [['x', '1']])).toBe('https://a.example/r?x=1');
    expect(
      appendQuery('https://a.example/r?a=1#frag?x', [
        ['x', '1'],
        ['y', '2'],
      ]),
    ).toBe('https://a.example/r?a=1&x=1&y=2#frag?x');
  });
});
