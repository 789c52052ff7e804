/**
 * Builds validly signed payment-intents webhooks for tests, so no test hand-computes a signature.
 */
import { PAYMENT_SUCCESS_NOTIFY_TYPE, SIGNATURE_HEADERS } from './endpoints';
import { webhookSignature } from './signing';
import type { WebhookBody } from './wire-types';

export interface TestWebhookInput {
  merchantOrderId: string;
  /** Decimal major units, e.g. "88.00"; omitted → the webhook names the order only (as seed 001 shows). */
  amount?: string;
  currency?: string;
  orderId?: string;
  notifyType?: string;
  status?: string;
  /** Which header carries the signature: `signature` (default, the twin's) or `x-signature`. */
  header?: (typeof SIGNATURE_HEADERS)[number];
  /** Name the money `order_amount`/`order_currency`, as the twin's webhook does. */
  orderAmountFields?: boolean;
}

export function signTestWebhook(input: TestWebhookInput, apiKey: string): { raw: string; headers: Record<string, string> } {
  const body: WebhookBody = {
    notify_type: input.notifyType ?? PAYMENT_SUCCESS_NOTIFY_TYPE,
    data: {
      order_id: input.orderId ?? `C${Date.now()}${Math.floor(Math.random() * 1e9)}`,
      merchant_order_id: input.merchantOrderId,
      ...(input.amount !== undefined ? { [input.orderAmountFields ? 'order_amount' : 'amount']: input.amount } : {}),
      ...(input.currency !== undefined ? { [input.orderAmountFields ? 'order_currency' : 'currency']: input.currency } : {}),
      status: input.status ?? 'SUCCEEDED',
    },
  };
  const raw = JSON.stringify(body);
  return { raw, headers: { 'content-type': 'application/json', [input.header ?? SIGNATURE_HEADERS[0]]: webhookSignature(raw, apiKey) } };
}
