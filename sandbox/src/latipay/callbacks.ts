/**
 * Latipay's asynchronous payment callbacks: a form-encoded POST to the payment's `callback_url`,
 * signed with HMAC(api_key, merchant_reference + payment_method + status + currency + amount),
 * re-sent about every 30 s (× retryScale) until the answer is HTTP 200 with the body exactly `sent`.
 * Real Latipay never gives up; the sandbox stops after LATIPAY_MAX_CALLBACK_ATTEMPTS deliveries.
 */
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
import type { Timers } from '../timers';
import { LATIPAY_CALLBACK_INTERVAL_MS, LATIPAY_MAX_CALLBACK_ATTEMPTS } from './config';
import { signLatipayResult } from './hmac';
import type { LatipayCallback, LatipayCallbackDelivery, LatipayLedger, LatipayPayment } from './ledger';

const DELIVERY_TIMEOUT_MS = 5000;
const MIN_DELIVERY_TIMEOUT_MS = 2000;
const MAX_ACK_BYTES = 1024;

export interface LatipayCallbackDeps {
  ledger: LatipayLedger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  apiKey: string;
  random: () => number;
}

export interface LatipayCallbacks {
  schedule(payment: LatipayPayment, firstDelayMs: number): LatipayCallback;
  stop(): void;
}

/** `yyyy-MM-dd HH:mm:ss` (UTC), the shape of Latipay's `pay_time`. */
export function formatPayTime(iso: string | null): string {
  return iso === null ? '' : iso.slice(0, 19).replace('T', ' ');
}

/** The callback body, form-encoded, fields in Latipay's documented order. */
export function buildCallbackBody(payment: LatipayPayment, apiKey: string): string {
  const facts = {
    merchant_reference: payment.merchantReference,
    payment_method: payment.paymentMethod,
    status: payment.status === 'processing' ? 'pending' : payment.status,
    currency: payment.currency,
    amount: payment.amount,
  };
  return new URLSearchParams({
    merchant_reference: facts.merchant_reference,
    currency: facts.currency,
    amount: facts.amount,
    payment_method: facts.payment_method,
    status: facts.status,
    pay_time: formatPayTime(payment.paidAt),
    signature: signLatipayResult(facts, apiKey),
  }).toString();
}

async function readLimited(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > MAX_ACK_BYTES) {
      await response.body.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createLatipayCallbacks(deps: LatipayCallbackDeps): LatipayCallbacks {
  let aborter = new AbortController();
  let nextId = 1;

  async function deliverOnce(job: LatipayCallback, payment: LatipayPayment, attempt: number, copy: number, signal: AbortSignal): Promise<LatipayCallbackDelivery> {
    const startedAt = Date.now();
    const delivery: LatipayCallbackDelivery = {
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
      const response = await fetch(job.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: buildCallbackBody(payment, deps.apiKey),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        redirect: 'manual',
      });
      delivery.httpStatus = response.status;
      const text = await readLimited(response);
      if (response.status !== 200) delivery.error = `HTTP ${response.status}`;
      else if (text !== 'sent') delivery.error = `answer is ${JSON.stringify(text.slice(0, 64))}, not "sent"`;
      delivery.acknowledged = delivery.error === null;
    } catch (error) {
      const name = (error as Error).name;
      delivery.error = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${name}: ${(error as Error).message}`;
    }
    delivery.durationMs = Date.now() - startedAt;
    job.deliveries.push(delivery);
    return delivery;
  }

  async function deliverRound(job: LatipayCallback, payment: LatipayPayment, attempt: number): Promise<void> {
    const signal = aborter.signal;
    if (signal.aborted || job.status !== 'scheduled') return;
    job.nextAttemptAt = null;
    const copies = 1 + deps.control.current.duplicates;
    const results = await Promise.all(Array.from({ length: copies }, (_, copy) => deliverOnce(job, payment, attempt, copy, signal)));
    if (signal.aborted) {
      job.status = 'stopped';
      return;
    }
    if (results.some((d) => d.acknowledged)) {
      job.status = 'acknowledged';
      return;
    }
    if (attempt >= LATIPAY_MAX_CALLBACK_ATTEMPTS) {
      job.status = 'exhausted';
      return;
    }
    const delay = deps.control.scaled(LATIPAY_CALLBACK_INTERVAL_MS);
    job.nextAttemptAt = new Date(deps.clock.now() + delay).toISOString();
    deps.timers.after(delay, () => deliverRound(job, payment, attempt + 1));
  }

  return {
    schedule(payment, firstDelayMs) {
      const now = deps.clock.now();
      const dropped = deps.random() < deps.control.current.dropRate;
      const job = deps.ledger.addCallback({
        id: `LC${nextId++}`,
        merchantReference: payment.merchantReference,
        orderId: payment.orderId,
        callbackUrl: payment.callbackUrl,
        paymentStatus: payment.status,
        status: dropped ? 'dropped' : 'scheduled',
        createdAt: new Date(now).toISOString(),
        nextAttemptAt: dropped ? null : new Date(now + firstDelayMs).toISOString(),
        deliveries: [],
      });
      if (!dropped) deps.timers.after(firstDelayMs, () => deliverRound(job, payment, 1));
      return job;
    },
    stop() {
      aborter.abort();
      aborter = new AbortController();
    },
  };
}
