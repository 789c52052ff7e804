/**
 * The AlipayHK in-app channel: `cashier.wap.pay` signed into the orderStr that `my.tradePay` takes,
 * `common.payQuery` for unknown outcomes, and the `notify.pay` notification with its signed reply.
 */
import { parseAmount, type PaymentAction } from '@tradepay/shared';
import { GatewayUnknownError, NotificationRejectedError } from '../../errors';
import type {
  CancelResult,
  Channel,
  ChannelOrder,
  PaymentEvidence,
  PaymentQueryResult,
  RefundableOrder,
  RefundRequest,
  RefundResult,
  VerifiedNotification,
} from '../../payments/channel';
import { createAlipayHkClient, type AlipayHkClient } from './client';
import { ALIPAYHK_FUNCTIONS } from './functions';
import { diagnoseSignature } from './diagnose';
import { cutSignedParts, toEnvelopeText, toRfc3339 } from './sign-content';
import { createRsaSigner, createRsaVerifier, toWireSignature, type ParsedRsaKey, type RsaSigner, type SignAlgorithm, type SignatureEncoding } from './signing';
import type { AlipayHkPaths } from './functions';
import { NOT_FOUND_RESULT_CODES, toNormalisedPaymentStatus } from './status-map';
import type { CashierWapPayBody, PayNotifyBody, PayQueryResponseBody, RefundResponseBody, RequestPayload, ResponsePayload } from './wire-types';

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

export interface AlipayHkChannel extends Channel {
  readonly client: AlipayHkClient;
}

interface NotifyReplyContext {
  reqMsgId: string;
}

export function createAlipayHkChannel(config: AlipayHkChannelConfig, deps: { now?: () => Date; fetch?: typeof fetch } = {}): AlipayHkChannel {
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
  });

  function toEvidence(source: PaymentEvidence['source'], body: PayQueryResponseBody | PayNotifyBody, raw: string, fallbackTransId: string): PaymentEvidence {
    const amount = body.orderAmount ? safeParseAmount(body.orderAmount) : null;
    return {
      source,
      merchantId: config.merchantId,
      merchantTransId: body.merchantTransId ?? fallbackTransId,
      gatewayTransactionId: body.acquirementId ?? null,
      amount: amount?.minor ?? -1,
      currency: amount?.currency ?? String(body.orderAmount?.currency ?? ''),
      paidAt: body.paymentTime ?? null,
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
      const status = toNormalisedPaymentStatus(body.acquirementStatus);
      if (status === 'PAID') return { status, evidence: toEvidence('query', body, reply.raw, order.merchantTransId) };
      if (status === 'CLOSED') return { status, evidence: toEvidence('query', body, reply.raw, order.merchantTransId) };
      if (status === 'PENDING') return { status };
      return { status: 'UNKNOWN', reason: `unmapped acquirementStatus ${String(body.acquirementStatus)}` };
    },

    async cancelPayment(order: ChannelOrder): Promise<CancelResult> {
      try {
        const reply = await client.call(ALIPAYHK_FUNCTIONS.payCancel, { merchantId: config.merchantId, merchantTransId: order.merchantTransId });
        const info = reply.payload.body.resultInfo;
        return info.resultStatus === 'S' ? { status: 'CANCELLED' } : { status: 'REFUSED', code: info.resultCode };
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
    },

    async refund(order: RefundableOrder, request: RefundRequest): Promise<RefundResult> {
      try {
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
      let content: string;
      try {
        const parts = cutSignedParts(rawBody, 'request');
        verifier.verify(parts.content, parts.signature);
        content = parts.content;
      } catch (error) {
        throw new NotificationRejectedError(`AlipayHK notification not verified: ${(error as Error).message}`, 'signature', toLoggableDiagnosis(rawBody));
      }
      // Parse only the bytes that were verified.
      let payload: RequestPayload<PayNotifyBody>;
      try {
        payload = JSON.parse(content) as RequestPayload<PayNotifyBody>;
      } catch {
        throw new NotificationRejectedError('signed content is not JSON', 'malformed');
      }
      const { head, body } = payload ?? ({} as RequestPayload<PayNotifyBody>);
      if (!head || !body || typeof body.merchantTransId !== 'string' || !body.resultInfo || !body.orderAmount) {
        throw new NotificationRejectedError('notification lacks head, merchantTransId, resultInfo or orderAmount', 'malformed');
      }
      if (head.function !== ALIPAYHK_FUNCTIONS.notifyPay) {
        throw new NotificationRejectedError(`unexpected function ${String(head.function)}`, 'malformed');
      }
      if (head.clientId !== config.clientId || (body.merchantId !== undefined && body.merchantId !== config.merchantId)) {
        throw new NotificationRejectedError('notification is for another merchant', 'merchant');
      }
      const paid = body.resultInfo.resultStatus === 'S';
      return {
        channel: 'alipayhk',
        identity: `${body.merchantTransId}:${body.acquirementId ?? '-'}:${body.resultInfo.resultStatus}`,
        merchantTransId: body.merchantTransId,
        outcome: paid ? 'PAID' : 'NOT_PAID',
        evidence: toEvidence('notification', body, rawBody, body.merchantTransId),
        replyContext: { reqMsgId: String(head.reqMsgId ?? '') } satisfies NotifyReplyContext,
        messageId: String(head.reqMsgId ?? ''),
      };
    },

    async acknowledge(notification: VerifiedNotification) {
      const context = notification.replyContext as NotifyReplyContext;
      const payload: ResponsePayload = {
        head: {
          version: '2.0.0',
          function: ALIPAYHK_FUNCTIONS.notifyPay,
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
    },
  };
}

function safeParseAmount(amount: { currency: string; value: string }) {
  try {
    return parseAmount(amount);
  } catch {
    return null;
  }
}
