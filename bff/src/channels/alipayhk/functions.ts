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
  /** The PC2Mobile reference's name for the same notification (https://global.alipay.com/docs/ac/PC2Mobile/notification). */
  cashierNotifyPay: 'alipay.intl.acquiring.cashier.notify.pay',
  /** The user unbound in the wallet (https://global.alipay.com/docs/ac/hk_auto_debit/notif). */
  notifyCancel: 'alipay.intl.oauth.auth.notify.cancel',
  /** https://docs.alipay.hk/alipayhkdocs/hk/userauth/getUserInfo (accessToken in the head). */
  getUserInfo: 'alipay.intl.user.query.getUserInfo',
  applyToken: 'alipay.intl.oauth.auth.applyToken',
  prepareForRedirect: 'alipay.intl.oauth.auth.prepareForRedirect',
  queryByAuthInfo: 'alipay.intl.oauth.auth.queryByAuthInfo',
  cancelByAuthInfo: 'alipay.intl.oauth.auth.cancelByAuthInfo',
  agreementPay: 'alipay.intl.acquiring.agreement.pay',
} as const;

export type AlipayHkFunction = (typeof ALIPAYHK_FUNCTIONS)[keyof typeof ALIPAYHK_FUNCTIONS];

/** The functions we call (notifications come to us and have no path of ours). */
export type CalledFunction = Exclude<
  AlipayHkFunction,
  'alipay.intl.acquiring.common.notify.pay' | 'alipay.intl.acquiring.cashier.notify.pay' | 'alipay.intl.oauth.auth.notify.cancel'
>;

export type AlipayHkPaths = Readonly<Record<CalledFunction, string>>;

/**
 * The default paths. The global family spells three otherwise (`grefund.htm`, `payquery.htm`,
 * `paycancel.htm`; docs/protocols/alipayhk.md#endpoints): `ALIPAYHK_PATHS` overrides any entry (see `parseAlipayHkPaths`).
 */
export const ALIPAYHK_PATHS: AlipayHkPaths = {
  'alipay.intl.acquiring.cashier.wap.pay': '/api/alipay/intl/acquiring/cashier/wap/pay.htm',
  'alipay.intl.acquiring.common.payQuery': '/api/alipay/intl/acquiring/common/payQuery.htm',
  'alipay.intl.acquiring.common.payCancel': '/api/alipay/intl/acquiring/common/payCancel.htm',
  'alipay.intl.acquiring.common.refund': '/api/alipay/intl/acquiring/common/refund.htm',
  'alipay.intl.oauth.auth.applyToken': '/api/alipay/intl/oauth/auth/applyToken.htm',
  'alipay.intl.oauth.auth.prepareForRedirect': '/api/alipay/intl/oauth/auth/prepareForRedirect.htm',
  'alipay.intl.oauth.auth.queryByAuthInfo': '/api/alipay/intl/oauth/auth/queryByAuthInfo.htm',
  'alipay.intl.oauth.auth.cancelByAuthInfo': '/api/alipay/intl/oauth/auth/cancelByAuthInfo.htm',
  'alipay.intl.acquiring.agreement.pay': '/api/alipay/intl/acquiring/agreement/pay.htm',
  // Confirmed: https://docs.alipay.hk/alipayhkdocs/hk/userauth/getUserInfo
  'alipay.intl.user.query.getUserInfo': '/api/alipay/intl/user/query/getUserInfo.htm',
};

/**
 * `ALIPAYHK_PATHS`: a JSON object, function → path (e.g. `{"alipay.intl.acquiring.common.refund":
 * "/api/alipay/intl/acquiring/common/grefund.htm"}`), each entry replacing the default. Throws with
 * what was wrong: an unknown function, or a path that is not absolute.
 */
export function parseAlipayHkPaths(text: string | undefined): AlipayHkPaths {
  if (text === undefined || text.trim() === '') return ALIPAYHK_PATHS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON object: {"<function>": "/api/…htm"}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('must be a JSON object: {"<function>": "/api/…htm"}');
  const paths: Record<string, string> = { ...ALIPAYHK_PATHS };
  for (const [fn, path] of Object.entries(parsed)) {
    if (!Object.hasOwn(ALIPAYHK_PATHS, fn))
      throw new Error(`unknown function ${JSON.stringify(fn)} (known: ${Object.keys(ALIPAYHK_PATHS).join(', ')})`);
    if (typeof path !== 'string' || !/^\/[\x21-\x7e]*$/.test(path)) throw new Error(`${fn}: the path must be a string starting with /`);
    paths[fn] = path;
  }
  return Object.freeze(paths) as AlipayHkPaths;
}
