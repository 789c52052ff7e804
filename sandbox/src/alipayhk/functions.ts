import type { PathCase, RefundPath } from '../config';

/**
 * AlipayHK functions the sandbox knows, and the one place that maps a function to its HTTP path
 * (docs/protocols/alipayhk.md#endpoints, a [guess] confirmed only for the oauth paths: keep it in this table).
 */
export const ALIPAYHK_FUNCTIONS = {
  cashierPay: 'alipay.intl.acquiring.cashier.wap.pay',
  payQuery: 'alipay.intl.acquiring.common.payQuery',
  payCancel: 'alipay.intl.acquiring.common.payCancel',
  refund: 'alipay.intl.acquiring.common.refund',
  notifyPay: 'alipay.intl.acquiring.common.notify.pay',
  agreementPay: 'alipay.intl.acquiring.agreement.pay',
  applyToken: 'alipay.intl.oauth.auth.applyToken',
  prepareForRedirect: 'alipay.intl.oauth.auth.prepareForRedirect',
  queryByAuthInfo: 'alipay.intl.oauth.auth.queryByAuthInfo',
  cancelByAuthInfo: 'alipay.intl.oauth.auth.cancelByAuthInfo',
  /** The unbind notification (https://global.alipay.com/docs/ac/hk_auto_debit/notif). */
  notifyCancel: 'alipay.intl.oauth.auth.notify.cancel',
  /** accessToken in the head (https://docs.alipay.hk/alipayhkdocs/hk/userauth/getUserInfo). */
  getUserInfo: 'alipay.intl.user.query.getUserInfo',
} as const;

export type AlipayHkFunction = (typeof ALIPAYHK_FUNCTIONS)[keyof typeof ALIPAYHK_FUNCTIONS];

/** `alipay.intl.acquiring.common.payQuery` → `/api/alipay/intl/acquiring/common/payQuery.htm`. */
export function toGatewayPath(fn: string): string {
  return `/api/${fn.split('.').join('/')}.htm`;
}

/**
 * The spellings AlipayHK's pages give for the three disputed paths (protocol.md §1.3); every other
 * function has one path. `payquery.htm`: https://global.alipay.com/docs/ac/publicapi/payquery ;
 * `grefund.htm`: https://global.alipay.com/docs/ac/publicapi/refund .
 */
export function gatewayPaths(fn: string, variant: { pathCase: PathCase; refundPath: RefundPath }): string[] {
  const camel = toGatewayPath(fn);
  if (fn === ALIPAYHK_FUNCTIONS.payQuery || fn === ALIPAYHK_FUNCTIONS.payCancel) {
    const lower = camel.replace(/[^/]+\.htm$/, (last) => last.toLowerCase());
    return variant.pathCase === 'camel' ? [camel] : variant.pathCase === 'lower' ? [lower] : [camel, lower];
  }
  if (fn === ALIPAYHK_FUNCTIONS.refund) {
    const global = camel.replace(/refund\.htm$/, 'grefund.htm');
    return variant.refundPath === 'refund' ? [camel] : variant.refundPath === 'grefund' ? [global] : [camel, global];
  }
  return [camel];
}

/** Functions served over HTTP by the sandbox gateway (the cashier pay goes through the wallet instead). */
export const GATEWAY_FUNCTIONS = [
  ALIPAYHK_FUNCTIONS.payQuery,
  ALIPAYHK_FUNCTIONS.payCancel,
  ALIPAYHK_FUNCTIONS.refund,
  ALIPAYHK_FUNCTIONS.agreementPay,
  ALIPAYHK_FUNCTIONS.applyToken,
  ALIPAYHK_FUNCTIONS.prepareForRedirect,
  ALIPAYHK_FUNCTIONS.queryByAuthInfo,
  ALIPAYHK_FUNCTIONS.cancelByAuthInfo,
  ALIPAYHK_FUNCTIONS.getUserInfo,
] as const;

export type GatewayFunction = (typeof GATEWAY_FUNCTIONS)[number];

/**
 * The body field naming the merchant: acquiring functions carry `merchantId`, the oauth family
 * `authMerchantId` (docs/protocols/alipayhk.md#functions). The gateway refuses any other value with MERCHANT_NOT_MATCH.
 */
export const MERCHANT_FIELD: Record<GatewayFunction, 'merchantId' | 'authMerchantId'> = {
  [ALIPAYHK_FUNCTIONS.payQuery]: 'merchantId',
  [ALIPAYHK_FUNCTIONS.payCancel]: 'merchantId',
  [ALIPAYHK_FUNCTIONS.refund]: 'merchantId',
  [ALIPAYHK_FUNCTIONS.agreementPay]: 'merchantId',
  [ALIPAYHK_FUNCTIONS.applyToken]: 'authMerchantId',
  [ALIPAYHK_FUNCTIONS.prepareForRedirect]: 'authMerchantId',
  [ALIPAYHK_FUNCTIONS.queryByAuthInfo]: 'authMerchantId',
  [ALIPAYHK_FUNCTIONS.cancelByAuthInfo]: 'authMerchantId',
  [ALIPAYHK_FUNCTIONS.getUserInfo]: 'merchantId',
};

export const PROTOCOL_VERSION = '2.0.0';
