/**
 * What the sandbox's Latipay believes happened: payments, refunds and callback deliveries, kept
 * apart from the AlipayHK records. `GET /sandbox/ledger` shows it under `latipay`.
 */
import type { DeliveryRecord } from '../delivery';
import type { TradePayOutcome } from '../ledger';
import { callCounter, recordList, twoKeyTable } from '../ledger-tables';

/**
 * Wire status: pending/paid/failed, and `canceled`/`rejected` (callbacks, mainly PayID: they close the
 * order; https://doc.latipay.net/v2/latipay-hosted-online.html). `processing` reads as pending.
 */
export type LatipayPaymentStatus = 'pending' | 'processing' | 'paid' | 'failed' | 'canceled' | 'rejected';

export interface LatipayPayment {
  /** Latipay's order id (`20260131-alipay-1234567890123`): what refunds name. */
  orderId: string;
  merchantReference: string;
  userId: string;
  walletId: string;
  /** Decimal major units as received, e.g. "84.00". */
  amount: string;
  currency: string;
  amountMinor: number;
  productName: string;
  callbackUrl: string;
  ip: string;
  paymentMethod: string;
  status: LatipayPaymentStatus;
  /** The wallet outcome of the last tradePay attempt. */
  outcome: TradePayOutcome | null;
  /** The Alipay parameters returned as `gatewaydata`, in the order sent. */
  gatewaydata: Record<string, string>;
  createdAt: string;
  paidAt: string | null;
  refundedMinor: number;
}

export interface LatipayRefund {
  refundId: string;
  /** The merchant's `reference`: "Notes about this refund", not a de-duplication key. */
  reference: string;
  orderId: string;
  merchantReference: string;
  refundAmount: string;
  currency: string;
  refundedAt: string;
}

/** One delivered copy of a Latipay callback (../delivery); `acknowledged` is HTTP 200 with the body exactly `sent`. */
export type LatipayCallbackDelivery = DeliveryRecord;

export type LatipayCallbackStatus = 'scheduled' | 'acknowledged' | 'exhausted' | 'dropped' | 'stopped';

export interface LatipayCallback {
  id: string;
  merchantReference: string;
  orderId: string;
  callbackUrl: string;
  /** The payment status the callback reports. */
  paymentStatus: LatipayPaymentStatus;
  status: LatipayCallbackStatus;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveries: LatipayCallbackDelivery[];
}

export interface LatipaySnapshot {
  payments: LatipayPayment[];
  refunds: LatipayRefund[];
  callbacks: LatipayCallback[];
  /** Calls received per endpoint (`minialipay`, `transaction`, `refund`, `tradePay`), refused ones included. */
  calls: Record<string, number>;
}

export interface LatipayLedger {
  findByReference(merchantReference: string): LatipayPayment | undefined;
  findByOrderId(orderId: string): LatipayPayment | undefined;
  addPayment(payment: LatipayPayment): LatipayPayment;
  /** Refunds of one Latipay order, oldest first. */
  refundsOf(orderId: string): LatipayRefund[];
  addRefund(refund: LatipayRefund): LatipayRefund;
  addCallback(callback: LatipayCallback): LatipayCallback;
  countCall(endpoint: string): void;
  snapshot(): LatipaySnapshot;
  reset(): void;
}

export function createLatipayLedger(): LatipayLedger {
  const payments = twoKeyTable<LatipayPayment>(
    { key: 'merchantReference', name: 'merchant_reference' },
    { key: 'orderId', name: 'order_id' },
  );
  const refunds = recordList<LatipayRefund>();
  const callbacks = recordList<LatipayCallback>();
  const calls = callCounter<string>();
  return {
    findByReference: (ref) => payments.byFirst(ref),
    findByOrderId: (id) => payments.bySecond(id),
    addPayment: (payment) => payments.add(payment),
    refundsOf: (orderId) => refunds.values().filter((r) => r.orderId === orderId),
    addRefund: (refund) => refunds.add(refund),
    addCallback: (callback) => callbacks.add(callback),
    countCall: (endpoint) => calls.count(endpoint),
    snapshot() {
      return structuredClone({
        payments: payments.values(),
        refunds: refunds.values(),
        callbacks: callbacks.values(),
        calls: calls.counts(),
      });
    },
    reset() {
      payments.clear();
      refunds.clear();
      callbacks.clear();
      calls.clear();
    },
  };
}
