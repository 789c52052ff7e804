/**
 * The AlipayHK functions we call, and where each lives. One table, because the paths are inferred
 * (docs/protocols/alipayhk.md#endpoints: `/api/` + function with dots as slashes + `.htm`, confirmed for the oauth
 * functions only) and may need correcting for a merchant's DEV endpoint.
 */
export const ALIPAYHK_FUNCTIONS = {
  cashierWapPay: 'alipay.intl.acquiring.cashier.wap.pay',
  payQuery: 'alipay.intl.acquiring.common.payQuery',
  payCancel: 'alipay.intl.acquiring.common.payCancel',
  refund: 'alipay.intl.acquiring.common.refund',
  notifyPay: 'alipay.intl.acquiring.common.notify.pay',
  applyToken: 'alipay.intl.oauth.auth.applyToken',
  prepareForRedirect: 'alipay.intl.oauth.auth.prepareForRedirect',
  queryByAuthInfo: 'alipay.intl.oauth.auth.queryByAuthInfo',
  cancelByAuthInfo: 'alipay.intl.oauth.auth.cancelByAuthInfo',
  agreementPay: 'alipay.intl.acquiring.agreement.pay',
} as const;

export type AlipayHkFunction = (typeof ALIPAYHK_FUNCTIONS)[keyof typeof ALIPAYHK_FUNCTIONS];

export const ALIPAYHK_PATHS: Record<AlipayHkFunction, string> = {
  'alipay.intl.acquiring.cashier.wap.pay': '/api/alipay/intl/acquiring/cashier/wap/pay.htm',
  'alipay.intl.acquiring.common.payQuery': '/api/alipay/intl/acquiring/common/payQuery.htm',
  'alipay.intl.acquiring.common.payCancel': '/api/alipay/intl/acquiring/common/payCancel.htm',
  'alipay.intl.acquiring.common.refund': '/api/alipay/intl/acquiring/common/refund.htm',
  'alipay.intl.acquiring.common.notify.pay': '/api/alipay/intl/acquiring/common/notify/pay.htm',
  'alipay.intl.oauth.auth.applyToken': '/api/alipay/intl/oauth/auth/applyToken.htm',
  'alipay.intl.oauth.auth.prepareForRedirect': '/api/alipay/intl/oauth/auth/prepareForRedirect.htm',
  'alipay.intl.oauth.auth.queryByAuthInfo': '/api/alipay/intl/oauth/auth/queryByAuthInfo.htm',
  'alipay.intl.oauth.auth.cancelByAuthInfo': '/api/alipay/intl/oauth/auth/cancelByAuthInfo.htm',
  'alipay.intl.acquiring.agreement.pay': '/api/alipay/intl/acquiring/agreement/pay.htm',
};
