/**
 * AlipayHK OAuth for buyer sign-in: the mini program's `my.getAuthCode` gives an authCode (10
 * minutes) that the server exchanges with `oauth.auth.applyToken`. AlipayHK documents no user id in
 * that answer (https://global.alipay.com/doc/global/oauth_macao): one is used when present (one
 * constant), else `user.query.getUserInfo` with the new access token names the user
 * (https://docs.alipay.hk/alipayhkdocs/hk/userauth/getUserInfo; field name not public: `userId` or
 * `userInfo.userId` [unsettled: docs/protocols/alipayhk.md#functions]).
 */
import { GatewayUnknownError } from '../../errors';
import type { BuyerIdentityProvider } from '../../auth/identity';
import type { GatewayCall } from '../../payments/channel';
import { BuyerAuthError } from '../../auth/identity';
import type { AlipayHkClient } from './client';
import { ALIPAYHK_FUNCTIONS } from './functions';
import type { ResultInfo } from './wire-types';

/** Where applyToken's answer names the user. */
export const APPLY_TOKEN_CUSTOMER_ID_FIELD = 'customerId';

export interface ApplyTokenBody {
  resultInfo: ResultInfo;
  accessTokenInfo?: { accessToken: string; expiresIn: string; refreshToken: string; reExpiresIn: string; tokenStatus?: string };
  [APPLY_TOKEN_CUSTOMER_ID_FIELD]?: string;
}

export interface GetUserInfoBody {
  resultInfo: ResultInfo;
  userId?: unknown;
  userInfo?: { userId?: unknown };
}

/** The user id of a getUserInfo answer, wherever the two documented-looking shapes put it; null when absent. */
export function readUserId(body: GetUserInfoBody): string | null {
  const id = typeof body.userId === 'string' ? body.userId : body.userInfo?.userId;
  return typeof id === 'string' && id !== '' && id.length <= 64 ? id : null;
}

/** `user.query.getUserInfo` (accessToken in the head) → the user id; `{ok:false}` on a refusal, GatewayUnknownError when unknown. */
export async function fetchUserId(
  client: AlipayHkClient,
  merchantId: string,
  accessToken: string,
  call?: GatewayCall,
): Promise<{ ok: true; value: string } | { ok: false; code: string }> {
  const reply = await client.call<GetUserInfoBody>(ALIPAYHK_FUNCTIONS.getUserInfo, { merchantId }, call, { accessToken });
  const body = reply.payload.body;
  if (body.resultInfo.resultStatus !== 'S') return { ok: false, code: body.resultInfo.resultCode || 'UNKNOWN_FAILURE' };
  const id = readUserId(body);
  return id === null ? { ok: false, code: 'NO_USER_ID' } : { ok: true, value: id };
}

export function createAlipayHkIdentity(client: AlipayHkClient, config: { merchantId: string }): BuyerIdentityProvider {
  return {
    async exchangeAuthCode(authCode, call) {
      let reply;
      try {
        reply = await client.call<ApplyTokenBody>(
          ALIPAYHK_FUNCTIONS.applyToken,
          { grantType: 'AUTHORIZATION_CODE', authMerchantId: config.merchantId, authSite: 'ALIPAY_HK', authCode },
          call,
        );
      } catch (error) {
        if (error instanceof GatewayUnknownError) throw new BuyerAuthError('unavailable', error.message);
        throw error;
      }
      const body = reply.payload.body;
      if (body.resultInfo.resultStatus !== 'S')
        throw new BuyerAuthError('rejected', `applyToken refused the authCode (${body.resultInfo.resultCode})`);
      let customerId = body[APPLY_TOKEN_CUSTOMER_ID_FIELD];
      if (typeof customerId !== 'string' || customerId.length === 0) {
        const accessToken = body.accessTokenInfo?.accessToken;
        if (typeof accessToken !== 'string' || accessToken === '')
          throw new BuyerAuthError('rejected', 'applyToken answered no access token');
        let answer;
        try {
          answer = await fetchUserId(client, config.merchantId, accessToken, call);
        } catch (error) {
          if (error instanceof GatewayUnknownError) throw new BuyerAuthError('unavailable', error.message);
          throw error;
        }
        if (!answer.ok) throw new BuyerAuthError('rejected', `getUserInfo refused (${answer.code})`);
        customerId = answer.value;
      }
      return { buyerId: `alipayhk:${customerId}` };
    },
  };
}
