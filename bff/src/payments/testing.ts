/**
 * Test doubles for the payment services' unit tests: an in-memory SQLite store, a two-currency
 * catalog, and a channel whose answers the test sets. No HTTP is involved.
 */
import type { Currency } from '@tradepay/shared';
import { parseCatalog, type Catalog } from '../catalog/catalog';
import { openStore } from '../store';
import type { CancelResult, Channel, PaymentEvidence, PaymentQueryResult, RefundResult } from './channel';
import type { OrderRecord, Store } from './store';

export const MERCHANT_ID = 'M-TEST';

export const testCatalog: Catalog = parseCatalog({
  products: [
    { sku: 'tea', title: 'Tea', price: { currency: 'HKD', value: '3800' } },
    { sku: 'cake', title: 'Cake', price: { currency: 'HKD', value: '4600' } },
    { sku: 'yen', title: 'Yen item', price: { currency: 'JPY', value: '500' } },
  ],
});

export function openTestStore(): Promise<Store> {
  return openStore(':memory:');
}

/** A channel that signs locally and answers queries, cancels and refunds as the test says. */
export function scriptedChannel(currencies?: readonly Currency[]) {
  const answers: { query: PaymentQueryResult; cancel: CancelResult; refund: RefundResult } = {
    query: { status: 'PENDING' },
    cancel: { status: 'CANCELLED' },
    refund: { status: 'SUCCEEDED', gatewayRefundId: 'G-RF-1' },
  };
  const channel: Channel = {
    name: 'alipayhk',
    merchantId: MERCHANT_ID,
    ...(currencies ? { currencies } : {}),
    paymentIsLocal: true,
    createPayment: async (order) => ({ type: 'tradePay', orderStr: `signed:${order.merchantTransId}` }),
    queryPayment: async () => answers.query,
    cancelPayment: async () => answers.cancel,
    refund: async () => answers.refund,
    parseNotification: async () => {
      throw new Error('not used');
    },
    acknowledge: async () => ({ statusCode: 200, contentType: 'text/plain', body: 'success' }),
  };
  return { channel, answers };
}

/** The gateway's signed "paid" for the whole order. */
export function paidEvidence(order: OrderRecord): PaymentEvidence {
  return {
    source: 'query',
    merchantId: MERCHANT_ID,
    merchantTransId: order.merchantTransId,
    gatewayTransactionId: 'G-1',
    amount: order.amount,
    currency: order.currency,
    paidAt: null,
    raw: '{}',
  };
}
