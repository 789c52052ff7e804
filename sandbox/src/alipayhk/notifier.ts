/**
 * Payment notifications (`alipay.intl.acquiring.common.notify.pay`, protocol.md §1.5): a signed
 * request envelope POSTed to the order's notifyUrl, re-sent on AlipayHK's schedule until the merchant
 * answers with a response envelope that verifies with the merchant key and says SUCCESS.
 */
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import type { ControlStore } from '../control';
import { newReqMsgId } from '../ids';
import { isObject } from '../input';
import type { Ledger, LedgerDelivery, LedgerNotification, LedgerPayment } from '../ledger';
import type { Timers } from '../timers';
import { ALIPAYHK_FUNCTIONS, PROTOCOL_VERSION } from './functions';
import { resultInfo } from './result-codes';
import type { RsaKey } from './rsa-key';
import { signEnvelope, verifyEnvelope } from './signature';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Waits between deliveries: 8 deliveries in all, the last about 25 h after the first. */
export const NOTIFY_RETRY_DELAYS_MS = [2 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR] as const;
export const NOTIFY_MAX_DELIVERIES = NOTIFY_RETRY_DELAYS_MS.length + 1;

/** Per-delivery timeout: 5 s scaled, but never under 2 s so a loaded test machine is not a "timeout". */
const DELIVERY_TIMEOUT_MS = 5000;
const MIN_DELIVERY_TIMEOUT_MS = 2000;
/** Ack bodies are tiny; a huge answer is not an ack and must not fill memory. */
const MAX_ACK_BYTES = 64 * 1024;

export interface NotifierDeps {
  ledger: Ledger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  clientId: string;
  gatewayKey: RsaKey;
  merchantKey: RsaKey;
  random: () => number;
}

export interface Notifier {
  /** Starts the notification chain of a paid payment; the first delivery waits `firstDelayMs`. */
  schedule(payment: LedgerPayment, firstDelayMs: number): LedgerNotification;
  /** Aborts in-flight deliveries and stops every chain (timers are cleared by their owner). */
  stop(): void;
}

function buildNotification(payment: LedgerPayment, deps: NotifierDeps, reqMsgId: string): string {
  const body: Record<string, unknown> = {
    resultInfo: resultInfo('SUCCESS'),
    acquirementId: payment.acquirementId,
    merchantTransId: payment.merchantTransId,
    orderAmount: payment.orderAmount,
    paymentTime: formatRfc3339(Date.parse(payment.paidAt ?? new Date(deps.clock.now()).toISOString())),
  };
  if (payment.extendInfo !== null) body.extendInfo = payment.extendInfo;
  const head = {
    version: PROTOCOL_VERSION,
    function: ALIPAYHK_FUNCTIONS.notifyPay,
    clientId: deps.clientId,
    reqTime: formatRfc3339(deps.clock.now()),
    reqMsgId,
    reserve: '{}',
  };
  return signEnvelope('request', { head, body }, deps.gatewayKey);
}

/** Why an answer is not an acknowledgement, or null when it is one. */
function checkAck(status: number, text: string, merchantKey: RsaKey): string | null {
  if (status !== 200) return `HTTP ${status}`;
  let payload: Record<string, unknown>;
  try {
    payload = verifyEnvelope('response', text, merchantKey);
  } catch (error) {
    return `ack refused: ${(error as Error).message}`;
  }
  const body = payload.body;
  const info = isObject(body) ? body.resultInfo : undefined;
  const code = isObject(info) ? info.resultCode : undefined;
  return code === 'SUCCESS' ? null : `ack resultCode is ${JSON.stringify(code)}, not "SUCCESS"`;
}

/** Reads at most MAX_ACK_BYTES; anything longer is cut off and will not verify. */
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

export function createNotifier(deps: NotifierDeps): Notifier {
  let aborter = new AbortController();
  let nextId = 1;

  async function deliverOnce(job: LedgerNotification, payment: LedgerPayment, attempt: number, copy: number, signal: AbortSignal): Promise<LedgerDelivery> {
    const reqMsgId = newReqMsgId();
    const startedAt = Date.now();
    const delivery: LedgerDelivery = {
      attempt,
      copy,
      reqMsgId,
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
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: buildNotification(payment, deps, reqMsgId),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        redirect: 'manual',
      });
      delivery.httpStatus = response.status;
      const text = await readLimited(response);
      delivery.error = checkAck(response.status, text, deps.merchantKey);
      delivery.acknowledged = delivery.error === null;
    } catch (error) {
      const name = (error as Error).name;
      delivery.error = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${name}: ${(error as Error).message}`;
    }
    delivery.durationMs = Date.now() - startedAt;
    job.deliveries.push(delivery);
    return delivery;
  }

  async function deliverRound(job: LedgerNotification, payment: LedgerPayment, attempt: number): Promise<void> {
    const signal = aborter.signal;
    if (signal.aborted || job.status !== 'scheduled') return;
    job.nextAttemptAt = null;
    const copies = 1 + deps.control.current.duplicates;
    const results = await Promise.all(Array.from({ length: copies }, (_, copy) => deliverOnce(job, payment, attempt, copy, signal)));
    if (signal.aborted) {
      job.status = 'stopped';
      return;
    }
    // One acknowledged copy is enough: AlipayHK stops as soon as it gets the answer it wants.
    if (results.some((delivery) => delivery.acknowledged)) {
      job.status = 'acknowledged';
      return;
    }
    const wait = NOTIFY_RETRY_DELAYS_MS[attempt - 1];
    if (wait === undefined) {
      job.status = 'exhausted';
      return;
    }
    const delay = deps.control.scaled(wait);
    job.nextAttemptAt = new Date(deps.clock.now() + delay).toISOString();
    deps.timers.after(delay, () => deliverRound(job, payment, attempt + 1));
  }

  return {
    schedule(payment, firstDelayMs) {
      if (payment.notifyUrl === null) throw new Error(`payment ${payment.acquirementId} has no notifyUrl`);
      const now = deps.clock.now();
      const dropped = deps.random() < deps.control.current.dropRate;
      const job = deps.ledger.addNotification({
        id: `N${nextId++}`,
        acquirementId: payment.acquirementId,
        merchantTransId: payment.merchantTransId,
        notifyUrl: payment.notifyUrl,
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
      // A fresh controller so chains scheduled after a reset still work.
      aborter = new AbortController();
    },
  };
}
