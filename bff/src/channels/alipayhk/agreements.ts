/**
 * AlipayHK auto-debit (seed 002, docs/protocols/alipayhk.md#functions): `oauth.auth.prepareForRedirect` → the consent
 * page, `oauth.auth.applyToken` (AUTHORIZATION_CODE, then REFRESH_TOKEN), `oauth.auth.queryByAuthInfo`,
 * `oauth.auth.cancelByAuthInfo` and `acquiring.agreement.pay` with the access token in the head.
 * Tokens pass through here and go back to the caller only; nothing in this file logs.
 */
import { parseAmount } from '@tradepay/shared';
import { GatewayUnknownError } from '../../errors';
import type { AgreementGateway, AgreementPayResult, GatewayAnswer, WalletTokens } from '../../payments/agreement-gateway';
import type { ChannelOrder, GatewayCall } from '../../payments/channel';
import type { AlipayHkClient } from './client';
import { ALIPAYHK_FUNCTIONS } from './functions';
import type { AlipayHkChannelConfig } from './index';
import { toWireOrder } from './payment-wire';
import { APPLY_TOKEN_CUSTOMER_ID_FIELD, fetchUserId, type ApplyTokenBody } from './oauth';
import type { ResultInfo, WireAmount } from './wire-types';

export const AUTH_SITE = 'ALIPAY_HK';
export const AGREEMENT_PAY_SCOPE = 'AUTH_AGREEMENTPAY';

/** The channel's merchant and seller; `notifyUrl` receives the payment notification of a debit (a second source of evidence). */
export interface AlipayHkAgreementConfig extends Pick<AlipayHkChannelConfig, 'merchantId' | 'notifyUrl' | 'sellerName' | 'mcc'> {
  /** `WAP`: the consent page opens in the mini program's web-view. */
  terminalType?: 'WAP' | 'WEB';
}

interface AgreementPayResponseBody {
  resultInfo: ResultInfo;
  acquirementId?: string;
  merchantTransId?: string;
  orderAmount?: WireAmount;
  paymentTime?: string;
}

interface QueryByAuthInfoBody {
  resultInfo: ResultInfo;
  tokenStatus?: string;
  expiresIn?: string;
  reExpiresIn?: string;
}

/** RFC 3339 (`2026-11-22T10:00:00+08:00`) → ISO 8601 UTC; null when absent or unreadable. */
function toIso(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function refused<T>(info: ResultInfo): GatewayAnswer<T> {
  return { ok: false, code: info.resultCode || 'UNKNOWN_FAILURE' };
}

export function createAlipayHkAgreementGateway(client: AlipayHkClient, config: AlipayHkAgreementConfig): AgreementGateway {
  async function applyToken(
    grant: { grantType: 'AUTHORIZATION_CODE'; authCode: string } | { grantType: 'REFRESH_TOKEN'; refreshToken: string },
    call: GatewayCall | undefined,
  ): Promise<GatewayAnswer<WalletTokens>> {
    const reply = await client.call<ApplyTokenBody>(
      ALIPAYHK_FUNCTIONS.applyToken,
      { ...grant, authMerchantId: config.merchantId, authSite: AUTH_SITE },
      call,
    );
    const body = reply.payload.body;
    if (body.resultInfo.resultStatus !== 'S') return refused(body.resultInfo);
    const info = body.accessTokenInfo;
    const accessTokenExpiresAt = toIso(info?.expiresIn);
    const refreshTokenExpiresAt = toIso(info?.reExpiresIn);
    if (
      !info ||
      typeof info.accessToken !== 'string' ||
      !info.accessToken ||
      typeof info.refreshToken !== 'string' ||
      !info.refreshToken ||
      !accessTokenExpiresAt ||
      !refreshTokenExpiresAt
    ) {
      return { ok: false, code: 'MALFORMED_TOKEN_REPLY' };
    }
    const customerId = body[APPLY_TOKEN_CUSTOMER_ID_FIELD];
    return {
      ok: true,
      value: {
        accessToken: info.accessToken,
        accessTokenExpiresAt,
        refreshToken: info.refreshToken,
        refreshTokenExpiresAt,
        customerId: typeof customerId === 'string' && customerId !== '' ? customerId : null,
      },
    };
  }

  const gateway: AgreementGateway = {
    merchantId: config.merchantId,

    async prepare({ merchantAgreementId, state, redirectUrl }, call) {
      const reply = await client.call<{ resultInfo: ResultInfo; authSiteUrl?: string; authUrl?: string }>(
        ALIPAYHK_FUNCTIONS.prepareForRedirect,
        {
          authMerchantId: config.merchantId,
          authSite: AUTH_SITE,
          scopes: [AGREEMENT_PAY_SCOPE],
          terminalType: config.terminalType ?? 'WAP',
          merchantRedirectUrl: redirectUrl,
          agreementPayAuthInfo: { merchantAgreementId },
          state,
        },
        call,
      );
      const body = reply.payload.body;
      if (body.resultInfo.resultStatus !== 'S') return refused(body.resultInfo);
      // The seed spells it authSiteURL/authSiteUrl; one field name, read here only.
      const authUrl = body.authSiteUrl ?? body.authUrl;
      if (typeof authUrl !== 'string' || !/^https?:\/\//.test(authUrl)) return { ok: false, code: 'MALFORMED_AUTH_URL' };
      return { ok: true, value: { authUrl } };
    },

    exchangeAuthCode: (authCode, call) => applyToken({ grantType: 'AUTHORIZATION_CODE', authCode }, call),
    userId: (accessToken, call) => fetchUserId(client, config.merchantId, accessToken, call),
    refresh: (refreshToken, call) => applyToken({ grantType: 'REFRESH_TOKEN', refreshToken }, call),

    async query(merchantAgreementId, call) {
      const reply = await client.call<QueryByAuthInfoBody>(
        ALIPAYHK_FUNCTIONS.queryByAuthInfo,
        { authMerchantId: config.merchantId, merchantAgreementId },
        call,
      );
      const body = reply.payload.body;
      if (body.resultInfo.resultStatus !== 'S') return refused(body.resultInfo);
      return {
        ok: true,
        value: {
          tokenStatus: String(body.tokenStatus ?? ''),
          accessTokenExpiresAt: toIso(body.expiresIn),
          refreshTokenExpiresAt: toIso(body.reExpiresIn),
        },
      };
    },

    async cancel(merchantAgreementId, call) {
      const reply = await client.call(
        ALIPAYHK_FUNCTIONS.cancelByAuthInfo,
        { authMerchantId: config.merchantId, merchantAgreementId },
        call,
      );
      const info = reply.payload.body.resultInfo;
      return info.resultStatus === 'S' ? { ok: true, value: null } : refused(info);
    },

    async pay(order: ChannelOrder, accessToken: string, call?: GatewayCall): Promise<AgreementPayResult> {
      const reply = await client.call<AgreementPayResponseBody>(
        ALIPAYHK_FUNCTIONS.agreementPay,
        {
          merchantId: config.merchantId,
          productCode: 'AUTO_DEBIT',
          merchantTransId: order.merchantTransId,
          order: toWireOrder(order, config),
          // The HK agreement.pay table spells it `notify_url` (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/agreement).
          notify_url: config.notifyUrl,
          // productScene is documented only as Prepay/Paybill (docs/protocols/alipayhk.md#functions): none is sent.
          extendInfo: '{}',
        },
        call,
        { accessToken },
      );
      const body = reply.payload.body;
      if (body.resultInfo.resultStatus !== 'S') return { status: 'REFUSED', code: body.resultInfo.resultCode || 'UNKNOWN_FAILURE' };
      // The documented answer is `acquirementId` only (seed 002): a signed S carrying it, answering the
      // request we signed (reqMsgId checked by the client), is evidence of the amount we sent. Echoed
      // facts, when present, must still match (the order service checks them).
      if (typeof body.acquirementId !== 'string' || body.acquirementId === '')
        throw new GatewayUnknownError('agreement.pay: S without acquirementId');
      let amount: { minor: number; currency: string } | null = null;
      try {
        amount = body.orderAmount ? parseAmount(body.orderAmount) : null;
      } catch {
        amount = null;
      }
      return {
        status: 'PAID',
        evidence: {
          source: 'agreement-pay',
          merchantId: config.merchantId,
          merchantTransId: body.merchantTransId ?? order.merchantTransId,
          gatewayTransactionId: body.acquirementId,
          amount: body.orderAmount ? (amount?.minor ?? -1) : order.amount,
          currency: body.orderAmount ? (amount?.currency ?? String(body.orderAmount.currency ?? '')) : order.currency,
          paidAt: toIso(body.paymentTime),
          raw: reply.raw,
        },
      };
    },
  };
  return answeringUnknown(gateway);
}

/**
 * The ports' convention for "unknown" (payments/channel.ts): the outcome is answered as
 * `{ status: 'UNKNOWN', reason }`, never thrown across the port. The client throws
 * GatewayUnknownError inside this folder; it stops here.
 */
function answeringUnknown(gateway: AgreementGateway): AgreementGateway {
  const unknown = (error: unknown) => {
    if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message } as const;
    throw error;
  };
  const answer =
    <A extends unknown[], T>(call: (...args: A) => Promise<GatewayAnswer<T>>) =>
    async (...args: A): Promise<GatewayAnswer<T>> => {
      try {
        return await call(...args);
      } catch (error) {
        return { ok: false, ...unknown(error) };
      }
    };
  return {
    merchantId: gateway.merchantId,
    prepare: answer(gateway.prepare),
    exchangeAuthCode: answer(gateway.exchangeAuthCode),
    userId: answer(gateway.userId),
    refresh: answer(gateway.refresh),
    query: answer(gateway.query),
    cancel: answer(gateway.cancel),
    async pay(order, accessToken, call) {
      try {
        return await gateway.pay(order, accessToken, call);
      } catch (error) {
        return unknown(error);
      }
    },
  };
}
