/**
 * Builds validly signed Latipay answers and callbacks for tests (like stripe-node's
 * generateTestHeaderString), so no test hand-computes an HMAC. It signs with whatever API key the
 * test holds.
 */
import { createLatipaySigner } from './signing';

export interface TestResultInput {
  merchantReference: string;
  /** Latipay's wire status: `paid`, `pending`, `failed`, `canceled`, … */
  status: string;
  /** Decimal major units, e.g. "120.50". */
  amount: string;
  currency?: string;
  paymentMethod?: string;
  orderId?: string;
  payTime?: string;
}

function facts(input: TestResultInput) {
  return {
    merchant_reference: input.merchantReference,
    payment_method: input.paymentMethod ?? 'alipay',
    status: input.status,
    currency: input.currency ?? 'HKD',
    amount: input.amount,
  };
}

/** The signed JSON of `GET /v2/transaction/{merchant_reference}`. */
export function signTestQueryAnswer(input: TestResultInput, apiKey: string): Record<string, string> {
  const signed = facts(input);
  return {
    ...signed,
    order_id: input.orderId ?? '20260131-alipay-1234567890123',
    pay_time: input.payTime ?? '2026-01-31 10:00:00',
    signature: createLatipaySigner(apiKey).signResult(signed),
  };
}

/** A form-encoded callback body, as Latipay posts it to `callback_url`. */
export function signTestCallback(input: TestResultInput, apiKey: string): string {
  return new URLSearchParams(signTestQueryAnswer(input, apiKey)).toString();
}
