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
 * [guess] "Step 0. Authentication": the token endpoint is not public. We POST the API key and expect
 * `{access_token, expires_in}` (seconds), inside the aggregator's usual `{code, data}` envelope or bare.
 */
export const TOKEN_PATH = '/mch-api/v1/token';
/**
 * [guess] Close an unpaid intent. Not documented; the sibling endpoints suggest the name. Used when a
 * buyer cancels and when the reconciler closes an expired order (query first, then cancel).
 */
export const CANCEL_PATH = '/mch-api/v1/pa/payment_intents/cancel';
/** [guess] Refund a paid intent (full or partial) under our `merchant_refund_id`. Not documented. */
export const REFUND_PATH = '/mch-api/v1/pa/payment_intents/refund';

/**
 * [guess] The header carrying the webhook signature `hex(sha256(raw_body + "." + api_key))`; the
 * algorithm is documented ([vec]), the header's name is not. Lower case: Node lower-cases header names.
 */
export const SIGNATURE_HEADER = 'x-signature';

/** [doc] The only `notify_type` the documentation shows; any other type is recorded, never "paid". */
export const PAYMENT_SUCCESS_NOTIFY_TYPE = 'payment_success';
