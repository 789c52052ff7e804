/**
 * Payment notifications (`alipay.intl.acquiring.common.notify.pay`, docs/protocols/alipayhk.md#notifications): a signed
 * request envelope POSTed to the order's notifyUrl, re-sent on AlipayHK's schedule until the merchant
 * answers with a response envelope that verifies with the merchant key and says SUCCESS.
 */
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import type { ControlStore } from '../control';
import { createDeliveryLoop, readLimited, type DeliveryJob } from '../delivery';
import { newReqMsgId } from '../ids';
import { isObject } from '../input';
import type { Ledger, LedgerDelivery, LedgerNotification, LedgerPayment } from '../ledger';
import type { Timers } from '../timers';
import { envelopeHead, JSON_UTF8 } from './envelope';
import { ALIPAYHK_FUNCTIONS } from './functions';
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
  /** Where notify.cancel goes (registered offline with AlipayHK); null: not sent. */
  cancelNotifyUrl: string | null;
}

/** One `notify.cancel` chain (kept by the notifier; the BFF's effect is what tests look at). */
export interface CancelNotification {
  merchantAgreementId: string;
  notifyUrl: string;
  cancelTime: string;
  status: LedgerNotification['status'];
  createdAt: string;
  nextAttemptAt: string | null;
  deliveries: LedgerDelivery[];
}

export interface Notifier {
  /** Starts the notification chain of a paid payment; the first delivery waits `firstDelayMs`. */
  schedule(payment: LedgerPayment, firstDelayMs: number): LedgerNotification;
  /**
   * `alipay.intl.oauth.auth.notify.cancel` (the user unbound, or the merchant cancelled) to the cancel
   * notify URL registered offline (https://global.alipay.com/docs/ac/hk_auto_debit/notif); null when
   * none is registered (`cancelNotifyUrl`).
   */
  scheduleCancel(merchantAgreementId: string, cancelTime: number): CancelNotification | null;
  /** The cancel notifications sent so far. */
  cancels(): readonly CancelNotification[];
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
  const head = envelopeHead(ALIPAYHK_FUNCTIONS.notifyPay, deps.clientId, { reqTime: formatRfc3339(deps.clock.now()) }, reqMsgId);
  return signEnvelope('request', { head, body }, deps.gatewayKey);
}

/**
 * The body of notify.cancel is not public beyond `cancelTime` (docs/protocols/alipayhk.md#notifications); the sandbox adds the
 * `merchantAgreementId` the BFF needs to know which agreement ended (read tolerantly there).
 */
function buildCancelNotification(job: CancelNotification, deps: NotifierDeps, reqMsgId: string): string {
  const head = envelopeHead(ALIPAYHK_FUNCTIONS.notifyCancel, deps.clientId, { reqTime: formatRfc3339(deps.clock.now()) }, reqMsgId);
  return signEnvelope(
    'request',
    { head, body: { merchantAgreementId: job.merchantAgreementId, cancelTime: job.cancelTime } },
    deps.gatewayKey,
  );
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
  /** AlipayHK's schedule and acknowledgement, for both notifications: `build` signs what one delivery sends. */
  function notifyLoop<J extends DeliveryJob<LedgerDelivery> & { notifyUrl: string }, P>(
    build: (job: J, payload: P, reqMsgId: string) => string,
  ) {
    return createDeliveryLoop<LedgerDelivery, J, P>(deps, {
      retryDelayMs: (attempt) => NOTIFY_RETRY_DELAYS_MS[attempt - 1],
      // Every delivery is a new request envelope, with its own reqMsgId (recorded on the delivery).
      extraFields: () => ({ reqMsgId: newReqMsgId() }),
      request: (job, payload, { reqMsgId }) => ({
        url: job.notifyUrl,
        headers: { 'content-type': JSON_UTF8 },
        body: build(job, payload, reqMsgId),
      }),
      judge: async (response) => checkAck(response.status, await readLimited(response, MAX_ACK_BYTES), deps.merchantKey),
    });
  }
  const loop = notifyLoop<LedgerNotification, LedgerPayment>((_job, payment, reqMsgId) => buildNotification(payment, deps, reqMsgId));
  const cancelJobs: CancelNotification[] = [];
  const cancelLoop = notifyLoop<CancelNotification, CancelNotification>((job, _payload, reqMsgId) =>
    buildCancelNotification(job, deps, reqMsgId),
  );

  return {
    scheduleCancel(merchantAgreementId, cancelTime) {
      if (deps.cancelNotifyUrl === null) return null;
      const notifyUrl = deps.cancelNotifyUrl;
      const job = cancelLoop.schedule(
        0,
        (initial) => {
          const created: CancelNotification = { merchantAgreementId, notifyUrl, cancelTime: formatRfc3339(cancelTime), ...initial };
          cancelJobs.push(created);
          return created;
        },
        () => job,
      );
      return job;
    },
    cancels: () => cancelJobs,
    schedule(payment, firstDelayMs) {
      if (payment.notifyUrl === null) throw new Error(`payment ${payment.acquirementId} has no notifyUrl`);
      const notifyUrl = payment.notifyUrl;
      const job = { id: `N${nextId++}`, acquirementId: payment.acquirementId, merchantTransId: payment.merchantTransId, notifyUrl };
      return loop.schedule(
        firstDelayMs,
        (initial) => deps.ledger.addNotification({ ...job, ...initial }),
        () => payment,
      );
    },
    stop: () => {
      loop.stop();
      cancelLoop.stop();
    },
  };
}
