/**
 * The payment-intents aggregator's paths and names as the sandbox serves them (docs/protocols/intents.md). The
 * BFF keeps its own copies (bff/src/channels/intents/endpoints.ts), so a typo on either side shows up
 * as a refused call. Values marked [guess] are not in the aggregator's public pages.
 */
export const INTENTS_PATHS = {
  /**
   * [likely] "Step 0. Authentication": `GET …/auth?grant_type=client_credentials&uid=…&client_secret=…`
   * → a top-level `access_token` (a white-label twin's public merchant code).
   */
  token: '/mch-api/v1/auth',
  /** [doc] */
  create: '/mch-api/v1/pa/payment_intents/create',
  /** [doc] */
  query: '/mch-api/v1/pa/payment_intents/query',
  /** [guess] close an unpaid intent. */
  cancel: '/mch-api/v1/pa/payment_intents/cancel',
  /**
   * [likely] refund a paid intent under the merchant's `merchant_refund_id`: the twin's legacy
   * `create_refund` (`refund_amount`, `merchant_payment_order_id`).
   */
  refund: '/mch-api/v1/acq/wechat/create_refund',
  /** [guess] the same refund under the intents family's name (`amount`, `merchant_order_id`): no source, also served. */
  intentsRefund: '/mch-api/v1/pa/payment_intents/refund',
} as const;

export type IntentsCall = Exclude<keyof typeof INTENTS_PATHS, 'intentsRefund'> | 'cashier.pay' | 'cashier.cancel';

/**
 * [likely] The header carrying the webhook signature by default: `Signature`, as the twin's merchant
 * code reads it; `forms.intentsSignatureHeader` switches to `x-signature`.
 */
export const INTENTS_SIGNATURE_HEADER = 'Signature';

/** The merchant `uid` the sandbox's token endpoint accepts. */
export const SANDBOX_INTENTS_MERCHANT_ID = 'TPSANDBOXINTENTS01';

/** [guess] Lifetime of an access token, in seconds (answered as `expires_in`). */
export const INTENTS_TOKEN_TTL_SECONDS = 7200;

/**
 * The sandbox's answer codes (`code` in `{code, data, message, rid}`). Only `0` is documented; the
 * rest are the sandbox's own, mirrored by the BFF's status-map where it must recognise them.
 */
export const INTENTS_CODES = {
  OK: 0,
  BAD_REQUEST: 40001,
  CURRENCY_NOT_SUPPORTED: 40002,
  UNAUTHORIZED: 40100,
  NOT_FOUND: 40400,
  CONFLICT: 40900,
  ALREADY_PAID: 40901,
  NOT_REFUNDABLE: 42200,
  REFUND_EXCEEDS: 42201,
  SYSTEM_BUSY: 50000,
} as const;
