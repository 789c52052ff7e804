/**
 * AlipayHK OAuth for buyer sign-in: the mini program's `my.getAuthCode` gives an authCode (10
 * minutes, single use) that the server exchanges with `oauth.auth.applyToken`. The buyer's id comes
 * back with the token. The field name is not public [unsettled: docs/protocols/alipayhk.md#functions], hence one constant.
 */
import { GatewayUnknownError } from '../../errors';
import type { BuyerIdentityProvider } from '../../auth/identity';
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

export function createAlipayHkIdentity(client: AlipayHkClient, config: { merchantId: string }): BuyerIdentityProvider {
  return {
    async exchangeAuthCode(authCode) {
      let reply;
      try {
        reply = await client.call<ApplyTokenBody>(ALIPAYHK_FUNCTIONS.applyToken, {
          grantType: 'AUTHORIZATION_CODE',
          authMerchantId: config.merchantId,
          authSite: 'ALIPAY_HK',
          authCode,
        });
      } catch (error) {
        if (error instanceof GatewayUnknownError) throw new BuyerAuthError('unavailable', error.message);
        throw error;
      }
      const body = reply.payload.body;
      const customerId = body[APPLY_TOKEN_CUSTOMER_ID_FIELD];
      if (body.resultInfo.resultStatus !== 'S' || typeof customerId !== 'string' || customerId.length === 0) {
        throw new BuyerAuthError('rejected', `applyToken refused the authCode (${body.resultInfo.resultCode})`);
      }
      return { buyerId: `alipayhk:${customerId}` };
    },
  };
}
