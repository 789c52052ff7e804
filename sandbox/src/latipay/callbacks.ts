/**
 * Latipay's asynchronous payment callbacks: a form-encoded POST to the payment's `callback_url`,
 * signed with HMAC(api_key, merchant_reference + payment_method + status + currency + amount),
 * re-sent about every 30 s (× retryScale) until the answer is HTTP 200 with the body exactly `sent`.
 * Real Latipay never gives up; the sandbox stops after LATIPAY_MAX_CALLBACK_ATTEMPTS deliveries.
 */
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
import { createDeliveryLoop, readLimited } from '../delivery';
import type { Timers } from '../timers';
import { LATIPAY_CALLBACK_INTERVAL_MS, LATIPAY_MAX_CALLBACK_ATTEMPTS } from './config';
import { signLatipayResult } from './hmac';
import type { LatipayCallback, LatipayCallbackDelivery, LatipayLedger, LatipayPayment } from './ledger';

/** The ack is the four bytes `sent`; anything past this is not read. */
const MAX_ACK_BYTES = 1024;

export interface LatipayCallbackDeps {
  /** The `latipay` section of the sandbox ledger. */
  ledger: LatipayLedger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  /** `$DATA_DIR/keys/latipay-api-key`. */
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

/** The status as Latipay states it: `processing` reads as `pending`. */
export function latipayWireStatus(payment: LatipayPayment): string {
  return payment.status === 'processing' ? 'pending' : payment.status;
}

/**
 * The signed payment result a callback carries and a query answers, fields in Latipay's documented
 * order; `order_id` is in it since 2024 (https://doc.latipay.net/v2/latipay-hosted-online.html).
 */
export function latipayResult(payment: LatipayPayment, apiKey: string): Record<string, string> {
  const facts = {
    merchant_reference: payment.merchantReference,
    payment_method: payment.paymentMethod,
    status: latipayWireStatus(payment),
    currency: payment.currency,
    amount: payment.amount,
  };
  return {
    merchant_reference: facts.merchant_reference,
    order_id: payment.orderId,
    currency: facts.currency,
    amount: facts.amount,
    payment_method: facts.payment_method,
    status: facts.status,
    pay_time: formatPayTime(payment.paidAt),
    signature: signLatipayResult(facts, apiKey),
  };
}

/** The callback body: the payment result, form-encoded. */
export function buildCallbackBody(payment: LatipayPayment, apiKey: string): string {
  return new URLSearchParams(latipayResult(payment, apiKey)).toString();
}

export function createLatipayCallbacks(deps: LatipayCallbackDeps): LatipayCallbacks {
  let nextId = 1;
  const loop = createDeliveryLoop<LatipayCallbackDelivery, LatipayCallback, LatipayPayment>(deps, {
    retryDelayMs: (attempt) => (attempt >= LATIPAY_MAX_CALLBACK_ATTEMPTS ? undefined : LATIPAY_CALLBACK_INTERVAL_MS),
    request: (job, payment) => ({
      url: job.callbackUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: buildCallbackBody(payment, deps.apiKey),
    }),
    async judge(response) {
      const text = await readLimited(response, MAX_ACK_BYTES);
      if (response.status !== 200) return `HTTP ${response.status}`;
      if (text !== 'sent') return `answer is ${JSON.stringify(text.slice(0, 64))}, not "sent"`;
      return null;
    },
  });

  return {
    schedule(payment, firstDelayMs) {
      // The status is the one this callback reports, fixed when it is scheduled.
      const { merchantReference, orderId, callbackUrl, status: paymentStatus } = payment;
      const job = { id: `LC${nextId++}`, merchantReference, orderId, callbackUrl, paymentStatus };
      return loop.schedule(
        firstDelayMs,
        (initial) => deps.ledger.addCallback({ ...job, ...initial }),
        () => payment,
      );
    },
    stop: () => loop.stop(),
  };
}
