/**
 * Body handling of each gateway function: read the verified request body, call the acquiring domain,
 * shape the reply fields. Bad fields throw `SandboxInputError` (answered as F / PARAM_ILLEGAL).
 */
import type { Amount } from '@tradepay/shared';
import { parseAmount } from '@tradepay/shared';
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import { SandboxInputError } from '../errors';
import type { JsonObject } from '../input';
import { readHttpUrl, readObject, readString, readStringArray, requireString } from '../input';
import type { LedgerPayment } from '../ledger';
import type { Acquiring } from './acquiring';
import { toAcquirementStatus } from './acquiring';
import type { GatewayFunction } from './functions';
import { ALIPAYHK_FUNCTIONS } from './functions';
import type { Oauth, TerminalType, TokenPair } from './oauth';
import { AGREEMENT_PAY_SCOPE, AUTH_SITE, TERMINAL_TYPES } from './oauth';
import type { SandboxVariant } from '../config';
import type { ResultInfo } from './result-codes';
import { resultInfo } from './result-codes';

export interface HandlerResult {
  info: ResultInfo;
  fields?: Record<string, unknown>;
}

export interface HandlerDeps {
  acquiring: Acquiring;
  oauth: Oauth;
  clock: Clock;
  variant: Readonly<SandboxVariant>;
}

/** Per call: the verified request head (agreement.pay reads `accessToken` there) and the sandbox's base URL. */
export interface HandlerContext {
  head: JsonObject;
  /** e.g. `http://127.0.0.1:3100`: where the auth page is served (prepareForRedirect's `authSiteUrl`). */
  siteUrl: string;
}

type Handler = (body: JsonObject, deps: HandlerDeps, context: HandlerContext) => HandlerResult;

const ID_MAX = 64;
/** `merchantAgreementId` is at most 32 characters (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/prepare). */
const AGREEMENT_ID_MAX = 32;

function readTransactionRef(body: JsonObject): { acquirementId?: string; merchantTransId?: string } {
  const acquirementId = readString(body, 'acquirementId', 'body', { max: ID_MAX, optional: true });
  const merchantTransId = readString(body, 'merchantTransId', 'body', { max: ID_MAX, optional: true });
  if (acquirementId === undefined && merchantTransId === undefined) {
    throw new SandboxInputError('BAD_REQUEST', 'body.acquirementId or body.merchantTransId is required');
  }
  return { ...(acquirementId !== undefined && { acquirementId }), ...(merchantTransId !== undefined && { merchantTransId }) };
}

/** `{currency, value}` with value = integer minor units as a string; returned in canonical form. */
export function readAmount(value: unknown, path: string): Amount {
  const obj = readObject(value, path);
  const currency = obj.currency;
  const text = obj.value;
  if (typeof currency !== 'string' || typeof text !== 'string') {
    throw new SandboxInputError('BAD_REQUEST', `${path} must be {currency, value} with string fields`);
  }
  try {
    const parsed = parseAmount({ currency, value: text });
    return { currency: parsed.currency, value: String(parsed.minor) };
  } catch (error) {
    throw new SandboxInputError('BAD_REQUEST', `${path}: ${(error as Error).message}`);
  }
}

function wireTime(iso: string): string {
  return formatRfc3339(Date.parse(iso));
}

/**
 * payQuery's answer. `flat`: `acquirementStatus` at the top of the body; `nested`: in `statusDetail`,
 * as sibling iPay wallets answer (DANA, GCash public client code; docs/protocols/alipayhk.md#functions).
 */
function paymentFields(payment: LedgerPayment, shape: SandboxVariant['queryShape']): Record<string, unknown> {
  const status = toAcquirementStatus(payment.status);
  return {
    acquirementId: payment.acquirementId,
    merchantTransId: payment.merchantTransId,
    ...(shape === 'nested' ? { statusDetail: { acquirementStatus: status } } : { acquirementStatus: status }),
    ...(payment.orderAmount !== null && { orderAmount: payment.orderAmount }),
    ...(status === 'SUCCESS' && payment.paidAt !== null && { paymentTime: wireTime(payment.paidAt) }),
  };
}

const payQuery: Handler = (body, { acquiring, variant }) => {
  const payment = acquiring.find(readTransactionRef(body));
  if (!payment) return { info: resultInfo('ORDER_NOT_EXIST') };
  return { info: resultInfo('SUCCESS'), fields: paymentFields(payment, variant.queryShape) };
};

const payCancel: Handler = (body, { acquiring, clock }) => {
  const merchantId = requireString(body, 'merchantId', 'body');
  const ref = readTransactionRef(body);
  const result = acquiring.cancel({ merchantId, ...ref });
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  const payment = result.value;
  return {
    info: resultInfo('SUCCESS'),
    fields: {
      ...(payment !== null ? { acquirementId: payment.acquirementId, merchantTransId: payment.merchantTransId } : ref),
      cancelTime: payment?.closedAt ? wireTime(payment.closedAt) : formatRfc3339(clock.now()),
    },
  };
};

const refund: Handler = (body, { acquiring }) => {
  const acquirementId = requireString(body, 'acquirementId', 'body', { max: ID_MAX });
  const merchantRefundId = requireString(body, 'merchantRefundId', 'body', { max: ID_MAX });
  const refundAmount = readAmount(body.refundAmount, 'body.refundAmount');
  const refundReason = readString(body, 'refundReason', 'body', { max: 256, optional: true }) ?? null;
  readString(body, 'extendInfo', 'body', { max: 4096, optional: true });
  const result = acquiring.refund({ acquirementId, merchantRefundId, refundAmount, refundReason });
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  const done = result.value;
  return {
    info: resultInfo('SUCCESS'),
    fields: {
      acquirementId: done.acquirementId,
      refundId: done.refundId,
      merchantRefundId: done.merchantRefundId,
      refundAmount: done.refundAmount,
      refundTime: wireTime(done.refundTime),
    },
  };
};

/**
 * The token pair `head.accessToken` names (the token travels in the head, docs/protocols/alipayhk.md#envelope),
 * or the INVALID_ACCESS_TOKEN answer when it is missing or was never issued.
 */
function headToken(
  head: JsonObject,
  oauth: Oauth,
): { pair: TokenPair; refused?: undefined } | { pair?: undefined; refused: HandlerResult } {
  const accessToken = head.accessToken;
  if (typeof accessToken !== 'string' || accessToken === '')
    return { refused: { info: resultInfo('INVALID_ACCESS_TOKEN', 'head.accessToken is required') } };
  const pair = oauth.findAccessToken(accessToken);
  return pair ? { pair } : { refused: { info: resultInfo('INVALID_ACCESS_TOKEN', 'unknown accessToken') } };
}

const agreementPay: Handler = (body, { acquiring, oauth }, { head }) => {
  const merchantId = requireString(body, 'merchantId', 'body');
  if (body.productCode !== 'AUTO_DEBIT') throw new SandboxInputError('BAD_REQUEST', 'body.productCode must be "AUTO_DEBIT"');
  const merchantTransId = requireString(body, 'merchantTransId', 'body', { max: ID_MAX });
  const order = readObject(body.order, 'body.order');
  const orderAmount = readAmount(order.orderAmount, 'body.order.orderAmount');
  if (orderAmount.value === '0') throw new SandboxInputError('BAD_REQUEST', 'body.order.orderAmount must be greater than zero');
  const orderTitle = requireString(order, 'orderTitle', 'body.order', { max: 256 });
  readString(body, 'settleContractId', 'body', { max: ID_MAX, optional: true });
  const extendInfo = readString(body, 'extendInfo', 'body', { max: 4096, optional: true }) ?? null;
  // The HK agreement.pay table names the field `notify_url` (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/agreement);
  // other pages of the family say `notifyUrl`: both are read.
  const notifyUrl =
    readHttpUrl(body, 'notify_url', 'body', { optional: true }) ?? readHttpUrl(body, 'notifyUrl', 'body', { optional: true }) ?? null;

  // Any token ever issued is "known" here (docs/protocols/alipayhk.md#envelope) so that a repeat of a paid
  // merchantTransId is answered even after a refresh, an expiry or a cancel.
  const { pair, refused } = headToken(head, oauth);
  if (refused) return refused;
  if (pair.merchantAgreementId === null) return { info: resultInfo('SCOPE_NOT_AUTHORIZED') };
  const result = acquiring.agreementPay(
    { merchantId, merchantTransId, orderAmount, orderTitle, notifyUrl, extendInfo, merchantAgreementId: pair.merchantAgreementId },
    () => oauth.debitProblem(pair),
  );
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  const { payment } = result.value;
  // The documented answer carries `acquirementId` only (seed 002; https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/agreement).
  return { info: resultInfo('SUCCESS'), fields: { acquirementId: payment.acquirementId } };
};

function readAuthSite(body: JsonObject): void {
  if (body.authSite !== AUTH_SITE) throw new SandboxInputError('BAD_REQUEST', `body.authSite must be "${AUTH_SITE}"`);
}

/** `accessTokenInfo`: expiries are RFC 3339 datetimes, not seconds (docs/protocols/alipayhk.md#functions). */
function accessTokenInfo(pair: TokenPair): Record<string, unknown> {
  return {
    accessToken: pair.accessToken,
    expiresIn: formatRfc3339(pair.accessExpiresAt),
    refreshToken: pair.refreshToken,
    reExpiresIn: formatRfc3339(pair.refreshExpiresAt),
    tokenStatus: 'VALID',
  };
}

const applyToken: Handler = (body, { oauth, variant }) => {
  readAuthSite(body);
  const grantType = requireString(body, 'grantType', 'body', { max: 32 });
  let result;
  if (grantType === 'AUTHORIZATION_CODE') {
    result = oauth.redeemAuthCode(requireString(body, 'authCode', 'body', { max: 256 }));
  } else if (grantType === 'REFRESH_TOKEN') {
    result = oauth.refresh(requireString(body, 'refreshToken', 'body', { max: 256 }));
  } else {
    throw new SandboxInputError('BAD_REQUEST', 'body.grantType must be AUTHORIZATION_CODE or REFRESH_TOKEN');
  }
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  // AlipayHK documents no user id here (https://global.alipay.com/doc/global/oauth_macao); `customerId`
  // is the sandbox's own, left out with `applyTokenUserId: false` so getUserInfo must be asked.
  return {
    info: resultInfo('SUCCESS'),
    fields: { accessTokenInfo: accessTokenInfo(result.value), ...(variant.applyTokenUserId && { customerId: result.value.customerId }) },
  };
};

/**
 * `alipay.intl.user.query.getUserInfo` with the accessToken in the head
 * (https://docs.alipay.hk/alipayhkdocs/hk/userauth/getUserInfo). The answer's field names are not
 * public: the sandbox answers `userInfo.userId` (and the BFF also reads a top-level `userId`).
 */
const getUserInfo: Handler = (_body, { oauth }, { head }) => {
  const { pair, refused } = headToken(head, oauth);
  if (refused) return refused;
  const problem = oauth.tokenProblem(pair);
  if (problem) return { info: resultInfo(problem.code, problem.message) };
  return { info: resultInfo('SUCCESS'), fields: { userInfo: { userId: pair.customerId } } };
};

const prepareForRedirect: Handler = (body, { oauth }, { siteUrl }) => {
  const authMerchantId = requireString(body, 'authMerchantId', 'body');
  readAuthSite(body);
  const scopes = readStringArray(body, 'scopes', 'body') as string[];
  if (!scopes.includes(AGREEMENT_PAY_SCOPE))
    throw new SandboxInputError('BAD_REQUEST', `body.scopes must include "${AGREEMENT_PAY_SCOPE}"`);
  const terminalType = body.terminalType;
  if (!TERMINAL_TYPES.includes(terminalType as TerminalType))
    throw new SandboxInputError('BAD_REQUEST', `body.terminalType must be one of ${TERMINAL_TYPES.join(', ')}`);
  const merchantRedirectUrl = readHttpUrl(body, 'merchantRedirectUrl', 'body') as string;
  const authInfo = readObject(body.agreementPayAuthInfo, 'body.agreementPayAuthInfo');
  const merchantAgreementId = requireString(authInfo, 'merchantAgreementId', 'body.agreementPayAuthInfo', { max: AGREEMENT_ID_MAX });
  const state = readString(body, 'state', 'body', { max: 256, optional: true }) ?? null;
  const result = oauth.prepareForRedirect({
    authMerchantId,
    scopes,
    terminalType: terminalType as TerminalType,
    merchantRedirectUrl,
    merchantAgreementId,
    state,
  });
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  return {
    info: resultInfo('SUCCESS'),
    fields: { authSiteUrl: `${siteUrl}/sandbox/auth?${new URLSearchParams({ authId: result.value.authId }).toString()}` },
  };
};

const queryByAuthInfo: Handler = (body, { oauth }) => {
  const merchantAgreementId = requireString(body, 'merchantAgreementId', 'body', { max: AGREEMENT_ID_MAX });
  const result = oauth.queryAgreement(merchantAgreementId);
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  const { agreement, tokenStatus } = result.value;
  return {
    info: resultInfo('SUCCESS'),
    fields: {
      merchantAgreementId,
      tokenStatus,
      expiresIn: wireTime(agreement.accessTokenExpiresAt),
      reExpiresIn: wireTime(agreement.refreshTokenExpiresAt),
    },
  };
};

const cancelByAuthInfo: Handler = (body, { oauth }) => {
  const merchantAgreementId = requireString(body, 'merchantAgreementId', 'body', { max: AGREEMENT_ID_MAX });
  const result = oauth.cancelAgreement(merchantAgreementId);
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  return { info: resultInfo('SUCCESS'), fields: { merchantAgreementId } };
};

export const GATEWAY_HANDLERS: Record<GatewayFunction, Handler> = {
  [ALIPAYHK_FUNCTIONS.payQuery]: payQuery,
  [ALIPAYHK_FUNCTIONS.payCancel]: payCancel,
  [ALIPAYHK_FUNCTIONS.refund]: refund,
  [ALIPAYHK_FUNCTIONS.agreementPay]: agreementPay,
  [ALIPAYHK_FUNCTIONS.applyToken]: applyToken,
  [ALIPAYHK_FUNCTIONS.prepareForRedirect]: prepareForRedirect,
  [ALIPAYHK_FUNCTIONS.queryByAuthInfo]: queryByAuthInfo,
  [ALIPAYHK_FUNCTIONS.cancelByAuthInfo]: cancelByAuthInfo,
  [ALIPAYHK_FUNCTIONS.getUserInfo]: getUserInfo,
};
