/**
 * AlipayHK's notifications: `notify.pay` (both names, docs/protocols/alipayhk.md#notifications) and the
 * agreement's `notify.cancel`, verified over the raw envelope and parsed only from the verified bytes,
 * and the signed acknowledgement each one expects.
 */
import { NotificationRejectedError } from '../../errors';
import type {
  AgreementNoticeChannel,
  Channel,
  NotificationReply,
  VerifiedAgreementEnd,
  VerifiedNotification,
} from '../../payments/channel';
import { diagnoseSignature } from './diagnose';
import { ALIPAYHK_FUNCTIONS } from './functions';
import type { AlipayHkChannelConfig } from './index';
import { toPaymentEvidence } from './payment-wire';
import { cutSignedParts, toEnvelopeText, toRfc3339 } from './sign-content';
import { toWireSignature, type RsaSigner, type RsaVerifier } from './signing';
import type { NotifyCancelBody, PayNotifyBody, RequestPayload, ResponsePayload } from './wire-types';

/** What reading and answering notifications needs of the channel's configuration. */
export type AlipayHkNotificationConfig = Pick<
  AlipayHkChannelConfig,
  'clientId' | 'merchantId' | 'signAlgorithm' | 'signatureEncoding' | 'merchantPrivateKey' | 'gatewayPublicKey'
>;

export type AlipayHkNotifications = Pick<Channel, 'parseNotification' | 'acknowledge'> & AgreementNoticeChannel;

interface NotifyReplyContext {
  reqMsgId: string;
  /** Echoed in the acknowledgement's head. */
  fn: string;
}

/** Both names AlipayHK's pages give the payment notification (docs/protocols/alipayhk.md#notifications). */
const PAY_NOTIFY_FUNCTIONS: ReadonlySet<string> = new Set([ALIPAYHK_FUNCTIONS.notifyPay, ALIPAYHK_FUNCTIONS.cashierNotifyPay]);
/** A cheap look before verifying, only to pick the parser; the verified content decides. */
const CANCEL_PEEK = /"function"\s*:\s*"alipay\.intl\.oauth\.auth\.notify\.cancel"/;

export function createAlipayHkNotifications(
  config: AlipayHkNotificationConfig,
  keys: { signer: RsaSigner; verifier: RsaVerifier; now: () => Date },
): AlipayHkNotifications {
  const { signer, verifier, now } = keys;

  /** The doctor's diagnosis of a refused notification, without the content (it may hold buyer data). */
  function toLoggableDiagnosis(rawBody: string): Record<string, unknown> {
    const { content: _content, ...rest } = diagnoseSignature(rawBody, {
      algorithm: config.signAlgorithm,
      gatewayPublicKey: config.gatewayPublicKey,
      merchantKey: config.merchantPrivateKey,
    });
    return rest;
  }

  function clientIdWarning(clientId: unknown): { warnings?: string[] } {
    return clientId === config.clientId
      ? {}
      : {
          warnings: [
            `notification head.clientId ${JSON.stringify(clientId)} is not ours (${config.clientId}); accepted on signature and facts`,
          ],
        };
  }

  /** Verifies the raw envelope and parses only the bytes that were verified. */
  function verifiedPayload<B>(rawBody: string): RequestPayload<B> {
    let content: string;
    try {
      const parts = cutSignedParts(rawBody, 'request');
      verifier.verify(parts.content, parts.signature);
      content = parts.content;
    } catch (error) {
      throw new NotificationRejectedError(
        `AlipayHK notification not verified: ${(error as Error).message}`,
        'signature',
        toLoggableDiagnosis(rawBody),
      );
    }
    let payload: RequestPayload<B>;
    try {
      payload = JSON.parse(content) as RequestPayload<B>;
    } catch {
      throw new NotificationRejectedError('signed content is not JSON', 'malformed');
    }
    if (!payload || typeof payload !== 'object' || !payload.head || !payload.body || typeof payload.body !== 'object') {
      throw new NotificationRejectedError('notification lacks head or body', 'malformed');
    }
    return payload;
  }

  /** The signed acknowledgement: a response envelope echoing the function, resultCode SUCCESS. */
  async function signedAck(context: NotifyReplyContext): Promise<NotificationReply> {
    const payload: ResponsePayload = {
      head: {
        version: '2.0.0',
        function: context.fn,
        clientId: config.clientId,
        respTime: toRfc3339(now()),
        reqMsgId: context.reqMsgId,
        reserve: '{}',
      },
      body: { resultInfo: { resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' } },
    };
    const content = JSON.stringify(payload);
    const signature = await signer.sign(content);
    return {
      statusCode: 200,
      contentType: 'application/json; charset=UTF-8',
      body: toEnvelopeText('response', content, toWireSignature(signature, config.signatureEncoding)),
    };
  }

  return {
    async parseNotification(rawBody: string): Promise<VerifiedNotification> {
      const payload = verifiedPayload<PayNotifyBody>(rawBody);
      const { head, body } = payload;
      if (typeof body.merchantTransId !== 'string' || !body.resultInfo || !body.orderAmount) {
        throw new NotificationRejectedError('notification lacks merchantTransId, resultInfo or orderAmount', 'malformed');
      }
      if (!PAY_NOTIFY_FUNCTIONS.has(String(head.function))) {
        throw new NotificationRejectedError(`unexpected function ${String(head.function)}`, 'malformed');
      }
      // Signature, merchant, transaction and amount decide; AlipayHK's samples carry another clientId
      // in notifications than in requests (docs/protocols/alipayhk.md#notifications), so a mismatch is only logged.
      if (body.merchantId !== undefined && body.merchantId !== config.merchantId) {
        throw new NotificationRejectedError('notification is for another merchant', 'merchant');
      }
      const paid = body.resultInfo.resultStatus === 'S';
      return {
        channel: 'alipayhk',
        identity: `${body.merchantTransId}:${body.acquirementId ?? '-'}:${body.resultInfo.resultStatus}`,
        merchantTransId: body.merchantTransId,
        outcome: paid ? 'PAID' : 'NOT_PAID',
        evidence: toPaymentEvidence(config.merchantId, 'notification', body, rawBody, body.merchantTransId),
        replyContext: { reqMsgId: String(head.reqMsgId ?? ''), fn: String(head.function) } satisfies NotifyReplyContext,
        messageId: String(head.reqMsgId ?? ''),
        ...clientIdWarning(head.clientId),
      };
    },

    async parseAgreementEnd(rawBody: string): Promise<VerifiedAgreementEnd | null> {
      if (!CANCEL_PEEK.test(rawBody)) return null;
      const { head, body } = verifiedPayload<NotifyCancelBody>(rawBody);
      if (head.function !== ALIPAYHK_FUNCTIONS.notifyCancel)
        throw new NotificationRejectedError(`unexpected function ${String(head.function)}`, 'malformed');
      // The body is not public beyond cancelTime: the agreement id is read where it would be.
      const id = body.merchantAgreementId ?? body.agreementPayAuthInfo?.merchantAgreementId;
      if (typeof id !== 'string' || id === '' || id.length > 32)
        throw new NotificationRejectedError('notify.cancel names no merchantAgreementId', 'malformed');
      return {
        merchantAgreementId: id,
        cancelTime: typeof body.cancelTime === 'string' ? body.cancelTime : null,
        messageId: String(head.reqMsgId ?? ''),
        replyContext: { reqMsgId: String(head.reqMsgId ?? ''), fn: ALIPAYHK_FUNCTIONS.notifyCancel } satisfies NotifyReplyContext,
        ...clientIdWarning(head.clientId),
      };
    },

    acknowledgeAgreementEnd: (notice: VerifiedAgreementEnd) => signedAck(notice.replyContext as NotifyReplyContext),

    acknowledge: (notification: VerifiedNotification) => signedAck(notification.replyContext as NotifyReplyContext),
  };
}
