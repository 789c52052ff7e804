/**
 * The AlipayHK in-app channel: `cashier.wap.pay` signed into the orderStr that `my.tradePay` takes,
 * `common.payQuery` for unknown outcomes, and the `notify.pay` notification with its signed reply.
 */
import { parseAmount, type PaymentAction } from '@tradepay/shared';
import { GatewayUnknownError, NotificationRejectedError } from '../../errors';
import type { GatewayCallObserver } from '../gateway-transport';
import type {
  CancelResult,
  Channel,
  ChannelOrder,
  PaymentEvidence,
  PaymentQueryResult,
  RefundableOrder,
  RefundRequest,
  RefundResult,
  AgreementNoticeChannel,
  NotificationReply,
  VerifiedAgreementEnd,
  VerifiedNotification,
} from '../../payments/channel';
import { createAlipayHkClient, type AlipayHkClient } from './client';
import { ALIPAYHK_FUNCTIONS } from './functions';
import { diagnoseSignature } from './diagnose';
import { cutSignedParts, toEnvelopeText, toRfc3339 } from './sign-content';
import {
  createRsaSigner,
  createRsaVerifier,
  toWireSignature,
  type ParsedRsaKey,
  type RsaSigner,
  type SignAlgorithm,
  type SignatureEncoding,
} from './signing';
import type { AlipayHkPaths } from './functions';
import { NOT_FOUND_RESULT_CODES, readAcquirementStatus, toNormalisedPaymentStatus } from './status-map';
import type {
  CashierWapPayBody,
  NotifyCancelBody,
  PayNotifyBody,
  PayQueryResponseBody,
  RefundResponseBody,
  RequestPayload,
  ResponsePayload,
} from './wire-types';

export interface AlipayHkChannelConfig {
  gatewayUrl: string;
  clientId: string;
  merchantId: string;
  signAlgorithm: SignAlgorithm;
  /** How our signatures are written: orderStr, API requests, acknowledgements. */
  signatureEncoding: SignatureEncoding;
  paths: AlipayHkPaths;
  merchantPrivateKey: ParsedRsaKey;
  gatewayPublicKey: ParsedRsaKey;
  notifyUrl: string;
  returnUrl?: string;
  sellerName: string;
  mcc: string;
  timeoutMs: number;
}

export interface AlipayHkChannel extends Channel, AgreementNoticeChannel {
  readonly client: AlipayHkClient;
}

interface NotifyReplyContext {
  reqMsgId: string;
  /** Echoed in the acknowledgement's head. */
  fn: string;
}

/** Both names AlipayHK's pages give the payment notification (docs/protocols/alipayhk.md#notifications). */
const PAY_NOTIFY_FUNCTIONS: ReadonlySet<string> = new Set([ALIPAYHK_FUNCTIONS.notifyPay, ALIPAYHK_FUNCTIONS.cashierNotifyPay]);
/** A cheap look before verifying, only to pick the parser; the verified content decides. */
const CANCEL_PEEK = /"function"\s*:\s*"alipay\.intl\.oauth\.auth\.notify\.cancel"/;

export function createAlipayHkChannel(
  config: AlipayHkChannelConfig,
  deps: { now?: () => Date; fetch?: typeof fetch; observeGateway?: GatewayCallObserver } = {},
): AlipayHkChannel {
  const now = deps.now ?? (() => new Date());
  const signer: RsaSigner = createRsaSigner(config.merchantPrivateKey, config.signAlgorithm);
  const verifier = createRsaVerifier(config.gatewayPublicKey, config.signAlgorithm);
  const client = createAlipayHkClient({
    gatewayUrl: config.gatewayUrl,
    clientId: config.clientId,
    signer,
    verifier,
    timeoutMs: config.timeoutMs,
    signatureEncoding: config.signatureEncoding,
    paths: config.paths,
    now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.observeGateway ? { observe: deps.observeGateway } : {}),
  });

  function toEvidence(
    source: PaymentEvidence['source'],
    body: PayQueryResponseBody | PayNotifyBody,
    raw: string,
    fallbackTransId: string,
  ): PaymentEvidence {
    const amount = body.orderAmount ? safeParseAmount(body.orderAmount) : null;
    return {
      source,
      merchantId: config.merchantId,
      merchantTransId: body.merchantTransId ?? fallbackTransId,
      gatewayTransactionId: body.acquirementId ?? null,
      amount: amount?.minor ?? -1,
      currency: amount?.currency ?? String(body.orderAmount?.currency ?? ''),
      // AlipayHK speaks Hong Kong time (+08:00); the API answers UTC (…Z) only.
      paidAt: toUtcIso(body.paymentTime),
      raw,
    };
  }

  /** The doctor's diagnosis of a refused notification, without the content (it may hold buyer data). */
  function toLoggableDiagnosis(rawBody: string): Record<string, unknown> {
    const { content: _content, ...rest } = diagnoseSignature(rawBody, {
      algorithm: config.signAlgorithm,
      gatewayPublicKey: config.gatewayPublicKey,
      merchantKey: config.merchantPrivateKey,
    });
    return rest;
  }

  return {
    name: 'alipayhk',
    merchantId: config.merchantId,
    // The orderStr is signed here and handed to my.tradePay; the gateway hears of it from the wallet.
    paymentIsLocal: true,
    client,

    async createPayment(order: ChannelOrder): Promise<PaymentAction> {
      const body: CashierWapPayBody = {
        merchantId: config.merchantId,
        productCode: 'AGREEMENT_OR_CASHIER_PAY',
        merchantTransId: order.merchantTransId,
        order: {
          orderAmount: { currency: order.currency, value: String(order.amount) },
          orderTitle: order.title,
          orderDetail: order.detail,
          seller: { sellerId: config.merchantId, sellerName: config.sellerName, mcc: config.mcc },
        },
        notifyUrl: config.notifyUrl,
        ...(config.returnUrl ? { returnUrl: config.returnUrl } : {}),
        extendInfo: JSON.stringify({ productScene: 'Prepay' }),
      };
      const signed = await client.signRequest(ALIPAYHK_FUNCTIONS.cashierWapPay, body);
      return { type: 'tradePay', orderStr: signed.text };
    },

    async queryPayment(order: ChannelOrder): Promise<PaymentQueryResult> {
      let reply;
      try {
        reply = await client.call<PayQueryResponseBody>(ALIPAYHK_FUNCTIONS.payQuery, {
          merchantId: config.merchantId,
          merchantTransId: order.merchantTransId,
        });
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
      const body = reply.payload.body;
      if (body.resultInfo.resultStatus === 'F') {
        if (NOT_FOUND_RESULT_CODES.has(body.resultInfo.resultCode)) return { status: 'PENDING' };
        return { status: 'UNKNOWN', reason: `payQuery failed: ${body.resultInfo.resultCode}` };
      }
      const acquirementStatus = readAcquirementStatus(body);
      const status = toNormalisedPaymentStatus(acquirementStatus);
      if (status === 'PAID') return { status, evidence: toEvidence('query', body, reply.raw, order.merchantTransId) };
      if (status === 'CLOSED') return { status, evidence: toEvidence('query', body, reply.raw, order.merchantTransId) };
      if (status === 'PENDING') return { status };
      return { status: 'UNKNOWN', reason: `unmapped acquirementStatus ${String(acquirementStatus)}` };
    },

    async cancelPayment(order: ChannelOrder): Promise<CancelResult> {
      try {
        const reply = await client.call(ALIPAYHK_FUNCTIONS.payCancel, {
          merchantId: config.merchantId,
          merchantTransId: order.merchantTransId,
        });
        const info = reply.payload.body.resultInfo;
        return info.resultStatus === 'S' ? { status: 'CANCELLED' } : { status: 'REFUSED', code: info.resultCode };
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
    },

    async refund(order: RefundableOrder, request: RefundRequest): Promise<RefundResult> {
      try {
        // A payCancel of a paid same-day payment is itself the refund (AlipayHK refunds it and the
        // trade reads TRADE_CLOSED: https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/paycancel):
        // a payment the gateway reads as closed is recorded as refunded, and no second refund is sent.
        const query = await client.call<PayQueryResponseBody>(ALIPAYHK_FUNCTIONS.payQuery, {
          merchantId: config.merchantId,
          acquirementId: order.gatewayTransactionId,
        });
        if (
          query.payload.body.resultInfo.resultStatus === 'S' &&
          toNormalisedPaymentStatus(readAcquirementStatus(query.payload.body)) === 'CLOSED'
        ) {
          return { status: 'SUCCEEDED', gatewayRefundId: null };
        }
        const reply = await client.call<RefundResponseBody>(ALIPAYHK_FUNCTIONS.refund, {
          merchantId: config.merchantId,
          acquirementId: order.gatewayTransactionId,
          merchantRefundId: request.merchantRefundId,
          refundAmount: { currency: order.currency, value: String(request.amount) },
          refundReason: request.reason.slice(0, 256),
        });
        const body = reply.payload.body;
        if (body.resultInfo.resultStatus === 'S') return { status: 'SUCCEEDED', gatewayRefundId: body.refundId ?? null };
        return { status: 'FAILED', code: body.resultInfo.resultCode };
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
    },

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
        evidence: toEvidence('notification', body, rawBody, body.merchantTransId),
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
}

function safeParseAmount(amount: { currency: string; value: string }) {
  try {
    return parseAmount(amount);
  } catch {
    return null;
  }
}

/** An RFC 3339 time with its offset → UTC ISO 8601 (`…Z`); anything else → null (the commit time is used). */
function toUtcIso(text: string | undefined): string | null {
  if (typeof text !== 'string' || !/(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
