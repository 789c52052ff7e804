/**
 * Latipay v2 wire shapes (docs/protocols/latipay.md, seed 004). Amounts are decimal strings in major units
 * ("120.00"); every signed value travels as a string.
 */

/** `POST /v2/minialipay` request body (JSON). `signature` covers every other non-empty field. */
export interface MiniAlipayRequest {
  user_id: string;
  wallet_id: string;
  amount: string;
  callback_url: string;
  merchant_reference: string;
  ip: string;
  version: '2.0';
  product_name: string;
  signature: string;
}

/** Success: `code` 0 with the Alipay parameters to join into the orderStr. Errors: `{code, message}`. */
export interface MiniAlipayResponse {
  code: number | string;
  message?: string;
  messageCN?: string;
  /** Joined `k=v&…` in the order received: that string is the orderStr for `my.tradePay`. */
  gatewaydata?: Record<string, unknown>;
  paydata?: Record<string, unknown>;
}

/**
 * `GET /v2/transaction/{merchant_reference}` answer. Latipay's pages show the facts without a
 * `code`; an error is `{code, message}` (201 = order not exist). `order_id` is the Latipay order id
 * the refund API takes (its hosted-payment pages call the same value `transaction_id`).
 */
export interface TransactionQueryResponse {
  code?: number | string;
  message?: string;
  merchant_reference?: string;
  order_id?: string;
  transaction_id?: string;
  currency?: string;
  amount?: string;
  payment_method?: string;
  status?: string;
  pay_time?: string;
  signature?: string;
}

/** The form-encoded callback POSTed to `callback_url`. */
export interface CallbackFields {
  merchant_reference: string;
  currency: string;
  amount: string;
  payment_method: string;
  status: string;
  pay_time: string;
  signature: string;
}

/** `POST /refund` request body (JSON; no `/v2` in the path). */
export interface RefundRequestBody {
  user_id: string;
  order_id: string;
  refund_amount: string;
  reference: string;
  signature: string;
}

export interface RefundResponse {
  code: number | string;
  message?: string;
}
