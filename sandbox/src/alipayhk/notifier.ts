/**
 * Payment notifications (`alipay.intl.acquiring.common.notify.pay`, docs/protocols/alipayhk.md#notifications): a signed
 * request envelope POSTed to the order's notifyUrl, re-sent on AlipayHK's schedule until the merchant
 * answers with a response envelope that verifies with the merchant key and says SUCCESS.
 */
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import type { ControlStore } from '../control';
import { createDeliveryLoop, readLimited } from '../delivery';
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

/** Ack bodies are tiny; a huge answer is not an ack and must not fill memory (longer is cut off and will not verify). */
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

export function createNotifier(deps: NotifierDeps): Notifier {
  let nextId = 1;
  const loop = createDeliveryLoop<LedgerDelivery, LedgerNotification, LedgerPayment>(deps, {
    retryDelayMs: (attempt) => NOTIFY_RETRY_DELAYS_MS[attempt - 1],
    // Every delivery is a new request envelope, with its own reqMsgId (recorded on the delivery).
    extraFields: () => ({ reqMsgId: newReqMsgId() }),
    request: (job, payment, { reqMsgId }) => ({
      url: job.notifyUrl,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: buildNotification(payment, deps, reqMsgId),
    }),
    judge: async (response) => checkAck(response.status, await readLimited(response, MAX_ACK_BYTES), deps.merchantKey),
  });

  return {
    schedule(payment, firstDelayMs) {
      if (payment.notifyUrl === null) throw new Error(`payment ${payment.acquirementId} has no notifyUrl`);
      const notifyUrl = payment.notifyUrl;
      return loop.schedule(
        firstDelayMs,
        (initial) =>
          deps.ledger.addNotification({
            id: `N${nextId++}`,
            acquirementId: payment.acquirementId,
            merchantTransId: payment.merchantTransId,
            notifyUrl,
            ...initial,
          }),
        () => payment,
      );
    },
    stop: () => loop.stop(),
  };
}
