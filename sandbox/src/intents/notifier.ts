/**
 * Payment-intents webhooks (docs/protocols/intents.md#webhook): `{"notify_type":"payment_success","data":{…}}` POSTed to
 * the intent's notify_url with the signature in INTENTS_SIGNATURE_HEADER, re-sent until the merchant
 * answers HTTP 200 (any body) — at 15s, 30s, 1m, 5m, 10m, 30m, 1h, 2h and 4h, × control.retryScale.
 */
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import type { ControlStore } from '../control';
import { createDeliveryLoop, readLimited } from '../delivery';
import type { Timers } from '../timers';
import type { IntentsLedger, LedgerIntent, LedgerWebhook, LedgerWebhookDelivery } from './ledger';
import { INTENTS_SIGNATURE_HEADER } from './paths';
import { signIntentsWebhook } from './webhook-signature';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits between deliveries: 10 deliveries in all. */
export const INTENTS_RETRY_DELAYS_MS = [
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  4 * HOUR,
] as const;

/** "Reply HTTP 200 within 5 s" is the shared per-delivery timeout of ../delivery. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface IntentsNotifierDeps {
  ledger: IntentsLedger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  apiKey: string;
  random: () => number;
}

export interface IntentsNotifier {
  /** Starts the webhook chain of a paid intent; the first delivery waits control.notifyDelayMs. */
  schedule(intent: LedgerIntent, notifyType: string): LedgerWebhook | null;
  stop(): void;
}

/**
 * The body as the aggregator sends it; the `data` mirrors the query answer. The money is
 * `amount`/`currency`, or the twin's `order_amount`/`order_currency`
 * (https://docs.asiapayjp.com/docs/aplus/payment/aplus-payment-callback) as `amountFields` says.
 */
export function webhookBody(intent: LedgerIntent, notifyType: string, amountFields: 'amount' | 'order_amount' = 'amount'): string {
  const twin = amountFields === 'order_amount';
  return JSON.stringify({
    notify_type: notifyType,
    data: {
      order_id: intent.orderId,
      merchant_order_id: intent.merchantOrderId,
      [twin ? 'order_amount' : 'amount']: intent.amount,
      [twin ? 'order_currency' : 'currency']: intent.currency,
      status: intent.status,
      payment_method: intent.wallet,
      create_time: formatRfc3339(Date.parse(intent.createdAt)),
      ...(intent.paidAt ? { pay_time: formatRfc3339(Date.parse(intent.paidAt)) } : {}),
    },
  });
}

interface SignedWebhook {
  raw: string;
  signature: string;
  header: string;
}

export function createIntentsNotifier(deps: IntentsNotifierDeps): IntentsNotifier {
  let nextId = 1;
  const loop = createDeliveryLoop<LedgerWebhookDelivery, LedgerWebhook, SignedWebhook>(deps, {
    retryDelayMs: (attempt) => INTENTS_RETRY_DELAYS_MS[attempt - 1],
    request: (job, { raw, signature, header }) => ({
      url: job.notifyUrl,
      headers: { 'content-type': 'application/json', [header]: signature },
      body: raw,
    }),
    async judge(response) {
      // Any body will do; it is read (up to MAX_ANSWER_BYTES) only so the connection is freed.
      await readLimited(response, MAX_ANSWER_BYTES);
      return response.status === 200 ? null : `HTTP ${response.status}`;
    },
  });

  return {
    schedule(intent, notifyType) {
      if (intent.notifyUrl === null) return null;
      const notifyUrl = intent.notifyUrl;
      // The same bytes (and signature) on every delivery: a webhook is one event, re-sent.
      const { intentsAmount, intentsSignatureHeader } = deps.control.current.forms;
      const raw = webhookBody(intent, notifyType, intentsAmount);
      const header = intentsSignatureHeader === 'Signature' ? INTENTS_SIGNATURE_HEADER : intentsSignatureHeader;
      return loop.schedule(
        deps.control.current.notifyDelayMs,
        (initial) =>
          deps.ledger.addWebhook({
            id: `W${nextId++}`,
            orderId: intent.orderId,
            merchantOrderId: intent.merchantOrderId,
            notifyType,
            notifyUrl,
            ...initial,
          }),
        async () => ({ raw, signature: await signIntentsWebhook(raw, deps.apiKey), header }),
      );
    },
    stop: () => loop.stop(),
  };
}
