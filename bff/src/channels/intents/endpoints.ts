/**
 * Where the payment-intents aggregator (docs/protocols/intents.md, seed 001) lives, and the names it uses that
 * its public pages do not give. Each unconfirmed value is one constant here, so a correction from the
 * aggregator's merchant documentation is a one-line change (the sandbox keeps its own copies).
 */

/** [doc] Create a Payment Intent. */
export const CREATE_PATH = '/mch-api/v1/pa/payment_intents/create';
/** [doc] Retrieve a Payment Intent by `order_id` or `merchant_order_id`. */
export const QUERY_PATH = '/mch-api/v1/pa/payment_intents/query';
/**
 * [likely] "Step 0. Authentication": CBTIS's token page is not public; a white-label twin's public
 * merchant code calls `GET /mch-api/v1/auth?grant_type=client_credentials&uid=…&client_secret=…` and
 * reads a top-level `access_token` (docs/protocols/intents.md).
 */
export const TOKEN_PATH = '/mch-api/v1/auth';
/**
 * [guess] Close an unpaid intent. Not documented; the sibling endpoints suggest the name. Used when a
 * buyer cancels and when the reconciler closes an expired order (query first, then cancel).
 */
export const CANCEL_PATH = '/mch-api/v1/pa/payment_intents/cancel';
/**
 * [likely] Refund a paid intent (full or partial) under our `merchant_refund_id`: no CBTIS page; the
 * twin's merchant code uses the legacy `create_refund` with `refund_amount`, `merchant_refund_id`,
 * `merchant_payment_order_id` (docs/protocols/intents.md). `…/payment_intents/refund` has no source.
 */
export const REFUND_PATH = '/mch-api/v1/acq/wechat/create_refund';

/**
 * [likely] The headers that may carry the webhook signature `hex(sha256(raw_body + "." + api_key))`:
 * `Signature`, as the twin's merchant code reads it, or `x-signature` (docs/protocols/intents.md); first found
 * wins. Lower case: Node lower-cases header names.
 */
export const SIGNATURE_HEADERS = ['signature', 'x-signature'] as const;

/** [doc] The only `notify_type` the documentation shows; any other type is recorded, never "paid". */
export const PAYMENT_SUCCESS_NOTIFY_TYPE = 'payment_success';
