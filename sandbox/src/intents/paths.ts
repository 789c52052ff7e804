/**
 * The payment-intents aggregator's paths and names as the sandbox serves them (docs/protocols/intents.md). The
 * BFF keeps its own copies (bff/src/channels/intents/endpoints.ts), so a typo on either side shows up
 * as a refused call. Values marked [guess] are not in the aggregator's public pages.
 */
export const INTENTS_PATHS = {
  /** [guess] "Step 0. Authentication": the API key for a bearer token. */
  token: '/mch-api/v1/token',
  /** [doc] */
  create: '/mch-api/v1/pa/payment_intents/create',
  /** [doc] */
  query: '/mch-api/v1/pa/payment_intents/query',
  /** [guess] close an unpaid intent. */
  cancel: '/mch-api/v1/pa/payment_intents/cancel',
  /** [guess] refund a paid intent under the merchant's `merchant_refund_id`. */
  refund: '/mch-api/v1/pa/payment_intents/refund',
} as const;

export type IntentsCall = keyof typeof INTENTS_PATHS | 'cashier.pay' | 'cashier.cancel';

/** [guess] The header carrying the webhook signature. */
export const INTENTS_SIGNATURE_HEADER = 'x-signature';

/** The merchant id the sandbox's token endpoint accepts (optional in requests). */
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
