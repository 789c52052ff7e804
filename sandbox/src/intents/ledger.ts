/**
 * The `intents` section of the sandbox ledger: every payment intent, refund and webhook the sandbox
 * aggregator believes happened. Amounts are kept as sent (decimal strings, major units) and in minor
 * units for sums. Times are ISO 8601 UTC.
 */
import type { DeliveryRecord } from '../delivery';
import { callCounter, recordList, twoKeyTable } from '../ledger-tables';
import type { IntentsCall } from './paths';

export type IntentStatus = 'PENDING' | 'SUCCEEDED' | 'CANCELLED';
export type IntentWallet = 'ALIPAYHK' | 'ALIPAYCN';

export interface LedgerIntent {
  orderId: string;
  merchantOrderId: string;
  amount: string;
  amountMinor: number;
  currency: string;
  description: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  wallet: IntentWallet;
  status: IntentStatus;
  createdAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
  /** Who closed it: the shopper on the cashier page, or the merchant's cancel call. */
  cancelledBy: 'shopper' | 'merchant' | null;
  refundedMinor: number;
}

export interface LedgerIntentRefund {
  refundId: string;
  merchantRefundId: string;
  orderId: string;
  merchantOrderId: string;
  amount: string;
  amountMinor: number;
  currency: string;
  reason: string | null;
  createdAt: string;
}

/** One delivered copy of a webhook (../delivery): attempt 1..10 is the original delivery and nine retries; copy 0 the original, 1.. the `duplicates` copies. */
export type LedgerWebhookDelivery = DeliveryRecord;

export interface LedgerWebhook {
  id: string;
  orderId: string;
  merchantOrderId: string;
  notifyType: string;
  notifyUrl: string;
  status: 'scheduled' | 'acknowledged' | 'exhausted' | 'dropped' | 'stopped';
  createdAt: string;
  nextAttemptAt: string | null;
  deliveries: LedgerWebhookDelivery[];
}

export interface IntentsLedgerSnapshot {
  intents: LedgerIntent[];
  refunds: LedgerIntentRefund[];
  webhooks: LedgerWebhook[];
  tokensIssued: number;
  /** Calls received per endpoint (refused and scripted-failure calls included) and cashier clicks. */
  calls: Partial<Record<IntentsCall, number>>;
}

/** The aggregator's ledger; its type is what createIntentsLedger builds (one place to read it). */
export type IntentsLedger = ReturnType<typeof createIntentsLedger>;

export function createIntentsLedger() {
  const intents = twoKeyTable<LedgerIntent>({ key: 'orderId', name: 'order_id' }, { key: 'merchantOrderId', name: 'merchant_order_id' });
  let refunds = new Map<string, LedgerIntentRefund>();
  const webhooks = recordList<LedgerWebhook>();
  let tokensIssued = 0;
  const calls = callCounter<IntentsCall>();

  return {
    find({ orderId, merchantOrderId }: { orderId?: string | undefined; merchantOrderId?: string | undefined }): LedgerIntent | undefined {
      // The documented query takes either id; like the real one, order_id wins when both are given.
      return intents.find(orderId, merchantOrderId);
    },
    add: (intent: LedgerIntent): LedgerIntent => intents.add(intent),
    hasOrderId: (orderId: string): boolean => intents.byFirst(orderId) !== undefined,
    findRefund: (merchantRefundId: string): LedgerIntentRefund | undefined => refunds.get(merchantRefundId),
    addRefund(refund: LedgerIntentRefund): LedgerIntentRefund {
      if (refunds.has(refund.merchantRefundId)) throw new Error(`duplicate merchant_refund_id ${refund.merchantRefundId}`);
      refunds.set(refund.merchantRefundId, refund);
      return refund;
    },
    addWebhook: (webhook: LedgerWebhook): LedgerWebhook => webhooks.add(webhook),
    countToken(): void {
      tokensIssued += 1;
    },
    countCall: (call: IntentsCall): void => calls.count(call),
    snapshot(): IntentsLedgerSnapshot {
      return structuredClone({
        intents: intents.values(),
        refunds: [...refunds.values()],
        webhooks: webhooks.values(),
        tokensIssued,
        calls: calls.counts(),
      });
    },
    reset(): void {
      intents.clear();
      refunds = new Map();
      webhooks.clear();
      tokensIssued = 0;
      calls.clear();
    },
  };
}
