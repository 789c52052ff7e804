/**
 * AlipayHK functions the sandbox knows, and the one place that maps a function to its HTTP path
 * (protocol.md §1.3, a [guess] confirmed only for the oauth paths: keep it in this table).
 */
export const ALIPAYHK_FUNCTIONS = {
  cashierPay: 'alipay.intl.acquiring.cashier.wap.pay',
  payQuery: 'alipay.intl.acquiring.common.payQuery',
  payCancel: 'alipay.intl.acquiring.common.payCancel',
  refund: 'alipay.intl.acquiring.common.refund',
  notifyPay: 'alipay.intl.acquiring.common.notify.pay',
} as const;

export type AlipayHkFunction = (typeof ALIPAYHK_FUNCTIONS)[keyof typeof ALIPAYHK_FUNCTIONS];

/** `alipay.intl.acquiring.common.payQuery` → `/api/alipay/intl/acquiring/common/payQuery.htm`. */
export function toGatewayPath(fn: string): string {
  return `/api/${fn.split('.').join('/')}.htm`;
}

/** Functions served over HTTP by the sandbox gateway (the cashier pay goes through the wallet instead). */
export const GATEWAY_FUNCTIONS = [ALIPAYHK_FUNCTIONS.payQuery, ALIPAYHK_FUNCTIONS.payCancel, ALIPAYHK_FUNCTIONS.refund] as const;

export type GatewayFunction = (typeof GATEWAY_FUNCTIONS)[number];

export const PROTOCOL_VERSION = '2.0.0';
