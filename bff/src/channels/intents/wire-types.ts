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

export interface TokenRequest {
  api_key: string;
  merchant_id?: string;
}

export interface TokenData {
  access_token: string;
  /** Seconds from now. */
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
  next_action?: { type: string; url: string };
}

export interface QueryIntentRequest {
  order_id?: string;
  merchant_order_id?: string;
}

export interface CancelIntentRequest {
  order_id?: string;
  merchant_order_id?: string;
}

export interface RefundIntentRequest {
  order_id?: string;
  merchant_order_id: string;
  merchant_refund_id: string;
  amount: string;
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
