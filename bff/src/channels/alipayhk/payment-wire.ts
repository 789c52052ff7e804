/**
 * Our payment facts to and from AlipayHK's wire: the `order` object we send (cashier.wap.pay and
 * agreement.pay), and the evidence read from a payQuery answer or a payment notification.
 */
import { parseAmount } from '@tradepay/shared';
import type { ChannelOrder, PaymentEvidence } from '../../payments/channel';
import type { PayNotifyBody, PayQueryResponseBody, WireOrder } from './wire-types';

/** Who sells: our merchant id, also the seller id, with the name and category AlipayHK shows the buyer. */
export interface AlipayHkSeller {
  merchantId: string;
  sellerName: string;
  mcc: string;
}

/** `value` is integer minor units as a string (docs/protocols/alipayhk.md#amounts). */
export function toWireOrder(order: ChannelOrder, seller: AlipayHkSeller): WireOrder {
  return {
    orderAmount: { currency: order.currency, value: String(order.amount) },
    orderTitle: order.title,
    orderDetail: order.detail,
    seller: { sellerId: seller.merchantId, sellerName: seller.sellerName, mcc: seller.mcc },
  };
}

export function toPaymentEvidence(
  merchantId: string,
  source: PaymentEvidence['source'],
  body: PayQueryResponseBody | PayNotifyBody,
  raw: string,
  fallbackTransId: string,
): PaymentEvidence {
  const amount = body.orderAmount ? safeParseAmount(body.orderAmount) : null;
  return {
    source,
    merchantId,
    merchantTransId: body.merchantTransId ?? fallbackTransId,
    gatewayTransactionId: body.acquirementId ?? null,
    amount: amount?.minor ?? -1,
    currency: amount?.currency ?? String(body.orderAmount?.currency ?? ''),
    // AlipayHK speaks Hong Kong time (+08:00); the API answers UTC (…Z) only.
    paidAt: toUtcIso(body.paymentTime),
    raw,
  };
}

function safeParseAmount(amount: { currency: string; value: string }) {
  try {
    return parseAmount(amount);
  } catch {
    return null;
  }
}

/** An RFC 3339 time with its offset → UTC ISO 8601 (`…Z`); anything else → null (the commit time is used). */
function toUtcIso(text: string | undefined): string | null {
  if (typeof text !== 'string' || !/(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
