/** AlipayHK `alipay.intl.*` wire shapes (docs/protocols/alipayhk.md). Amount values are minor units as strings. */

export interface WireAmount {
  currency: string;
  value: string;
}

export interface ResultInfo {
  resultStatus: 'S' | 'F' | 'U';
  resultCodeId?: string;
  resultCode: string;
  resultMsg?: string;
}

/** What a request's and a response's head both carry (docs/protocols/alipayhk.md#envelope). */
interface EnvelopeHead {
  version: string;
  function: string;
  clientId: string;
  reqMsgId: string;
  reserve?: string;
}

export interface RequestHead extends EnvelopeHead {
  version: '2.0.0';
  reqTime: string;
  reserve: string;
  accessToken?: string;
}

/** A response echoes the request's `reqMsgId`, stamped with its own `respTime`. */
export interface ResponseHead extends EnvelopeHead {
  respTime: string;
}

export interface RequestPayload<B = Record<string, unknown>> {
  head: RequestHead;
  body: B;
}

export interface ResponsePayload<B = Record<string, unknown>> {
  head: ResponseHead;
  body: B & { resultInfo: ResultInfo };
}

/** The `order` of cashier.wap.pay and agreement.pay (docs/protocols/alipayhk.md#functions). */
export interface WireOrder {
  orderAmount: WireAmount;
  orderTitle: string;
  orderDetail: string;
  seller: { sellerId: string; sellerName: string; mcc: string };
}

export interface CashierWapPayBody {
  merchantId: string;
  productCode: 'AGREEMENT_OR_CASHIER_PAY';
  merchantTransId: string;
  order: WireOrder;
  notifyUrl: string;
  returnUrl?: string;
  extendInfo: string;
}

export interface PayQueryResponseBody {
  resultInfo: ResultInfo;
  acquirementId?: string;
  merchantTransId?: string;
  acquirementStatus?: string;
  /** Where sibling iPay wallets put it (docs/protocols/alipayhk.md#functions). */
  statusDetail?: { acquirementStatus?: string };
  orderAmount?: WireAmount;
  paymentTime?: string;
}

export interface PayNotifyBody {
  resultInfo: ResultInfo;
  acquirementId?: string;
  merchantTransId: string;
  merchantId?: string;
  orderAmount: WireAmount;
  paymentTime?: string;
  extendInfo?: string;
}

export interface RefundResponseBody {
  resultInfo: ResultInfo;
  refundId?: string;
  merchantRefundId?: string;
  refundAmount?: WireAmount;
  refundTime?: string;
}

/** `alipay.intl.oauth.auth.notify.cancel`: only `cancelTime` is public (docs/protocols/alipayhk.md#notifications); read tolerantly. */
export interface NotifyCancelBody {
  merchantAgreementId?: unknown;
  agreementPayAuthInfo?: { merchantAgreementId?: unknown };
  cancelTime?: unknown;
}
