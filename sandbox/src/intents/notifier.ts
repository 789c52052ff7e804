/**
 * Payment-intents webhooks (protocol.md §3): `{"notify_type":"payment_success","data":{…}}` POSTed to
 * the intent's notify_url with the signature in INTENTS_SIGNATURE_HEADER, re-sent until the merchant
 * answers HTTP 200 (any body) — at 15s, 30s, 1m, 5m, 10m, 30m, 1h, 2h and 4h, × control.retryScale.
 */
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import type { ControlStore } from '../control';
import type { Timers } from '../timers';
import type { IntentsLedger, LedgerIntent, LedgerWebhook, LedgerWebhookDelivery } from './ledger';
import { INTENTS_SIGNATURE_HEADER } from './paths';
import { signIntentsWebhook } from './webhook-signature';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits between deliveries: 10 deliveries in all. */
export const INTENTS_RETRY_DELAYS_MS = [15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR] as const;

/** "Reply HTTP 200 within 5 s": scaled, but never under 2 s so a loaded test machine is not a timeout. */
const DELIVERY_TIMEOUT_MS = 5000;
const MIN_DELIVERY_TIMEOUT_MS = 2000;
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

/** The body as the aggregator sends it; the `data` mirrors the query answer. */
export function webhookBody(intent: LedgerIntent, notifyType: string): string {
  return JSON.stringify({
    notify_type: notifyType,
    data: {
      order_id: intent.orderId,
      merchant_order_id: intent.merchantOrderId,
      amount: intent.amount,
      currency: intent.currency,
      status: intent.status,
      payment_method: intent.wallet,
      create_time: formatRfc3339(Date.parse(intent.createdAt)),
      ...(intent.paidAt ? { pay_time: formatRfc3339(Date.parse(intent.paidAt)) } : {}),
    },
  });
}

async function drain(response: Response): Promise<void> {
  if (!response.body) return;
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Uint8Array).byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await response.body.cancel().catch(() => undefined);
      return;
    }
  }
}

export function createIntentsNotifier(deps: IntentsNotifierDeps): IntentsNotifier {
  let aborter = new AbortController();
  let nextId = 1;

  async function deliverOnce(job: LedgerWebhook, raw: string, signature: string, attempt: number, copy: number, signal: AbortSignal): Promise<LedgerWebhookDelivery> {
    const startedAt = Date.now();
    const delivery: LedgerWebhookDelivery = {
      attempt,
      copy,
      at: new Date(deps.clock.now()).toISOString(),
      durationMs: 0,
      httpStatus: null,
      acknowledged: false,
      error: null,
    };
    const timeoutMs = Math.max(MIN_DELIVERY_TIMEOUT_MS, deps.control.scaled(DELIVERY_TIMEOUT_MS));
    try {
      const response = await fetch(job.notifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTENTS_SIGNATURE_HEADER]: signature },
        body: raw,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        redirect: 'manual',
      });
      delivery.httpStatus = response.status;
      await drain(response);
      delivery.acknowledged = response.status === 200;
      if (!delivery.acknowledged) delivery.error = `HTTP ${response.status}`;
    } catch (error) {
      const name = (error as Error).name;
      delivery.error = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${name}: ${(error as Error).message}`;
    }
    delivery.durationMs = Date.now() - startedAt;
    job.deliveries.push(delivery);
    return delivery;
  }

  async function deliverRound(job: LedgerWebhook, raw: string, signature: string, attempt: number): Promise<void> {
    const signal = aborter.signal;
    if (signal.aborted || job.status !== 'scheduled') return;
    job.nextAttemptAt = null;
    const copies = 1 + deps.control.current.duplicates;
    const results = await Promise.all(Array.from({ length: copies }, (_, copy) => deliverOnce(job, raw, signature, attempt, copy, signal)));
    if (signal.aborted) {
      job.status = 'stopped';
      return;
    }
    if (results.some((delivery) => delivery.acknowledged)) {
      job.status = 'acknowledged';
      return;
    }
    const wait = INTENTS_RETRY_DELAYS_MS[attempt - 1];
    if (wait === undefined) {
      job.status = 'exhausted';
      return;
    }
    const delay = deps.control.scaled(wait);
    job.nextAttemptAt = new Date(deps.clock.now() + delay).toISOString();
    deps.timers.after(delay, () => deliverRound(job, raw, signature, attempt + 1));
  }

  return {
    schedule(intent, notifyType) {
      if (intent.notifyUrl === null) return null;
      const now = deps.clock.now();
      const dropped = deps.random() < deps.control.current.dropRate;
      const firstDelayMs = deps.control.current.notifyDelayMs;
      const job = deps.ledger.addWebhook({
        id: `W${nextId++}`,
        orderId: intent.orderId,
        merchantOrderId: intent.merchantOrderId,
        notifyType,
        notifyUrl: intent.notifyUrl,
        status: dropped ? 'dropped' : 'scheduled',
        createdAt: new Date(now).toISOString(),
        nextAttemptAt: dropped ? null : new Date(now + firstDelayMs).toISOString(),
        deliveries: [],
      });
      if (dropped) return job;
      // The same bytes (and signature) on every delivery: a webhook is one event, re-sent.
      const raw = webhookBody(intent, notifyType);
      deps.timers.after(firstDelayMs, async () => deliverRound(job, raw, await signIntentsWebhook(raw, deps.apiKey), 1));
      return job;
    },
    stop() {
      aborter.abort();
      aborter = new AbortController();
    },
  };
}
