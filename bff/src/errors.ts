/**
 * One table of error codes, shared with clients (`{error:{code,message}}`). Messages for 5xx are
 * masked by the error handler; everything else tells the caller what to fix.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { statusCode: 400, message: 'The request does not match the schema' },
  UNKNOWN_SKU: { statusCode: 400, message: 'An item names a product that is not in the catalog' },
  MIXED_CURRENCIES: { statusCode: 400, message: 'All items of an order must be priced in one currency' },
  AMOUNT_TOO_LARGE: { statusCode: 400, message: 'The order total is larger than a payment can be' },
  CHANNEL_UNAVAILABLE: { statusCode: 400, message: 'That payment channel is not configured' },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: 'Send JSON with Content-Type: application/json' },
  BODY_TOO_LARGE: { statusCode: 413, message: 'The request body is too large' },
  UNAUTHORIZED: { statusCode: 401, message: 'Missing or invalid credentials' },
  NOT_FOUND: { statusCode: 404, message: 'No such route' },
  ORDER_NOT_FOUND: { statusCode: 404, message: 'No such order' },
  ORDER_NOT_CANCELLABLE: { statusCode: 409, message: 'Only an unpaid order can be cancelled' },
  ORDER_NOT_REFUNDABLE: { statusCode: 409, message: 'Only a paid order can be refunded' },
  REFUND_EXCEEDS_PAYMENT: { statusCode: 422, message: 'The refunds would exceed the paid amount' },
  IDEMPOTENCY_KEY_REQUIRED: { statusCode: 400, message: 'Send an Idempotency-Key header' },
  IDEMPOTENCY_KEY_REUSED: { statusCode: 422, message: 'This Idempotency-Key was used with a different request body' },
  IDEMPOTENCY_KEY_IN_USE: { statusCode: 409, message: 'A request with this Idempotency-Key is still being processed' },
  NOTIFICATION_REJECTED: { statusCode: 400, message: 'The notification was rejected' },
  NOTIFICATION_DEFERRED: {
    statusCode: 503,
    message: 'The notification verified, but its outcome is not confirmed yet; send it again later',
  },
  GATEWAY_UNAVAILABLE: { statusCode: 502, message: 'The payment gateway did not answer; try again' },
  CHANNEL_REJECTED: { statusCode: 502, message: 'The payment gateway refused the payment request' },
  AGREEMENT_NOT_FOUND: { statusCode: 404, message: 'No such agreement' },
  AGREEMENT_NOT_ACTIVE: { statusCode: 409, message: 'This auto-debit agreement is not active; bind the wallet again' },
  WALLET_SIGN_IN_REQUIRED: { statusCode: 403, message: 'Sign in with the AlipayHK wallet (my.getAuthCode) to bind it for auto-debit' },
  AGREEMENT_RETURN_REJECTED: { statusCode: 400, message: 'This authorisation return does not match a pending agreement' },
  AGREEMENT_AUTH_FAILED: { statusCode: 422, message: 'The wallet did not accept the authorisation; start the binding again' },
  DAILY_CAP_EXCEEDED: { statusCode: 422, message: 'This charge would exceed the daily limit of the agreement' },
  CHARGE_DECLINED: { statusCode: 422, message: 'The wallet declined the auto-debit charge' },
  CURRENCY_NOT_SUPPORTED: { statusCode: 400, message: 'Auto-debit charges are made in the currency of the daily limit only' },
  AUTO_DEBIT_UNAVAILABLE: { statusCode: 400, message: 'Auto-debit is not configured (AGREEMENT_TOKEN_KEY)' },
  RATE_LIMITED: { statusCode: 429, message: 'Too many requests' },
  INTERNAL: { statusCode: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code].message,
  ) {
    super(message);
    this.statusCode = ERROR_CODES[code].statusCode;
  }
}

/** A notification that failed verification or whose facts do not match our order. */
export class NotificationRejectedError extends AppError {
  constructor(
    message: string,
    readonly reason: 'signature' | 'malformed' | 'merchant' | 'unknown-order' | 'amount' | 'currency' | 'channel',
    /** Why the signature failed, safe to log (no content, no secrets): see channels/alipayhk/diagnose.ts. */
    readonly diagnosis?: Readonly<Record<string, unknown>>,
  ) {
    super('NOTIFICATION_REJECTED', message);
  }
}

/** The gateway's answer is missing or untrustworthy: the outcome is unknown, never a failure. */
export class GatewayUnknownError extends Error {
  override readonly name = 'GatewayUnknownError';
}
