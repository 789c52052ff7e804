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

export interface RequestHead {
  version: '2.0.0';
  function: string;
  clientId: string;
  reqTime: string;
  reqMsgId: string;
  reserve: string;
  accessToken?: string;
}

export interface ResponseHead {
  version: string;
  function: string;
  clientId: string;
  respTime: string;
  reqMsgId: string;
  reserve?: string;
}

export interface RequestPayload<B = Record<string, unknown>> {
  head: RequestHead;
  body: B;
}

export interface ResponsePayload<B = Record<string, unknown>> {
  head: ResponseHead;
  body: B & { resultInfo: ResultInfo };
}

export interface CashierWapPayBody {
  merchantId: string;
  productCode: 'AGREEMENT_OR_CASHIER_PAY';
  merchantTransId: string;
  order: {
    orderAmount: WireAmount;
    orderTitle: string;
    orderDetail: string;
    seller: { sellerId: string; sellerName: string; mcc: string };
  };
  notifyUrl: string;
  returnUrl?: string;
  extendInfo: string;
}

export interface PayQueryResponseBody {
  resultInfo: ResultInfo;
  acquirementId?: string;
  merchantTransId?: string;
  acquirementStatus?: string;
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
