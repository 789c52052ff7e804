/**
 * Payment-intents aggregator wire shapes (docs/protocols/intents.md). Amounts are decimal strings in major units
 * ("120.50"); our domain converts with `toDecimalString` / `fromDecimalString` at this boundary only.
 */

export type IntentsWallet = 'ALIPAYHK' | 'ALIPAYCN';

/** Every answer: `code` 0 is success; anything else is a refusal with a `message`. */
export interface IntentsEnvelope<D> {
  code: number;
  data?: D;
  message?: string;
  rid?: string;
}

/** `GET /mch-api/v1/auth?grant_type=client_credentials&uid=…&client_secret=…` answers `{access_token, …}`. */
export interface TokenData {
  access_token: string;
  /** Seconds from now; not published (5 minutes assumed when absent). */
  expires_in: number;
}

export interface CreateIntentRequest {
  amount: string;
  currency: string;
  merchant_order_id: string;
  description: string;
  notify_url: string;
  return_url: string;
  payment_method: {
    type: 'alipayhk';
    /** Seed 001 labels this object `wechat`: a documentation slip (docs/protocols/intents.md). */
    alipayhk: { flow: 'mobile_web'; payment_method: IntentsWallet };
  };
}

export type IntentStatus = 'PENDING' | 'SUCCEEDED' | 'CANCELLED';

export interface IntentData {
  order_id: string;
  merchant_order_id: string;
  amount: string;
  currency: string;
  status: IntentStatus | string;
  create_time?: string;
  pay_time?: string;
  /** `url` (CBTIS) or `redirect_url` (AiscPay): both read (docs/protocols/intents.md). */
  next_action?: { type: string; url?: string; redirect_url?: string };
  /** The twin's webhook names the money so (https://docs.asiapayjp.com/docs/aplus/payment/aplus-payment-callback). */
  order_amount?: string;
  order_currency?: string;
}

export interface QueryIntentRequest {
  order_id?: string;
  merchant_order_id?: string;
}

export interface CancelIntentRequest {
  order_id?: string;
  merchant_order_id?: string;
}

/** The twin's `create_refund` fields (docs/protocols/intents.md). */
export interface RefundIntentRequest {
  merchant_payment_order_id: string;
  merchant_refund_id: string;
  refund_amount: string;
  reason: string;
}

export interface RefundData {
  refund_id: string;
  merchant_refund_id: string;
  amount: string;
  currency: string;
  status: 'SUCCEEDED' | 'PENDING' | 'FAILED' | string;
}

/** `{"notify_type":"payment_success","data":{order_id, merchant_order_id, …}}` [vec]. */
export interface WebhookBody {
  notify_type: string;
  data: Partial<IntentData> & { order_id: string; merchant_order_id: string };
}
