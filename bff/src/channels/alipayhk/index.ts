/**
 * The AlipayHK in-app channel: `cashier.wap.pay` signed into the orderStr that `my.tradePay` takes,
 * `common.payQuery` for unknown outcomes, and the `notify.pay` notification with its signed reply
 * (notifications.ts).
 */
import type { PaymentAction } from '@tradepay/shared';
import { GatewayUnknownError } from '../../errors';
import type { GatewayCallLog, GatewayCallObserver } from '../gateway-transport';
import type {
  AgreementNoticeChannel,
  CancelResult,
  Channel,
  ChannelOrder,
  GatewayCall,
  PaymentQueryResult,
  RefundableOrder,
  RefundRequest,
  RefundResult,
} from '../../payments/channel';
import { createAlipayHkClient, type AlipayHkClient } from './client';
import { ALIPAYHK_FUNCTIONS, type AlipayHkPaths } from './functions';
import { createAlipayHkNotifications } from './notifications';
import { toPaymentEvidence, toWireOrder } from './payment-wire';
import {
  createRsaSigner,
  createRsaVerifier,
  type ParsedRsaKey,
  type RsaSigner,
  type SignAlgorithm,
  type SignatureEncoding,
} from './signing';
import { NOT_FOUND_RESULT_CODES, readAcquirementStatus, toNormalisedPaymentStatus } from './status-map';
import type { CashierWapPayBody, PayQueryResponseBody, RefundResponseBody } from './wire-types';

/** What the channel is built from: the ALIPAYHK_* settings (config/alipayhk.ts) and our notify URL. */
export interface AlipayHkChannelConfig {
  gatewayUrl: string;
  clientId: string;
  merchantId: string;
  signAlgorithm: SignAlgorithm;
  /** `base64` (default) or `url` (encodeURIComponent of the base64): how every signature we send is written (orderStr, API requests, acknowledgements). */
  signatureEncoding: SignatureEncoding;
  /** function → gateway path: the defaults, with `ALIPAYHK_PATHS` entries replacing theirs. */
  paths: AlipayHkPaths;
  merchantPrivateKey: ParsedRsaKey;
  gatewayPublicKey: ParsedRsaKey;
  /** Where AlipayHK sends payment notifications (of in-app payments, and of auto-debit charges). */
  notifyUrl: string;
  returnUrl?: string;
  sellerName: string;
  mcc: string;
  timeoutMs: number;
}

/** cashier.wap.pay's `extendInfo`: the same text for every order. */
const PREPAY_EXTEND_INFO = JSON.stringify({ productScene: 'Prepay' });

export interface AlipayHkChannel extends Channel, AgreementNoticeChannel {
  readonly client: AlipayHkClient;
}

export function createAlipayHkChannel(
  config: AlipayHkChannelConfig,
  deps: { now?: () => Date; fetch?: typeof fetch; observeGateway?: GatewayCallObserver; callLog?: GatewayCallLog } = {},
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
    ...(deps.callLog ? { callLog: deps.callLog } : {}),
  });
  const evidence = (body: PayQueryResponseBody, raw: string, fallbackTransId: string) =>
    toPaymentEvidence(config.merchantId, 'query', body, raw, fallbackTransId);

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
        order: toWireOrder(order, config),
        notifyUrl: config.notifyUrl,
        // Left out of the JSON when unset (JSON.stringify skips undefined), in this place when set.
        returnUrl: config.returnUrl || undefined,
        extendInfo: PREPAY_EXTEND_INFO,
      };
      const signed = await client.signRequest(ALIPAYHK_FUNCTIONS.cashierWapPay, body);
      return { type: 'tradePay', orderStr: signed.text };
    },

    async queryPayment(order: ChannelOrder, call?: GatewayCall): Promise<PaymentQueryResult> {
      let reply;
      try {
        reply = await client.call<PayQueryResponseBody>(
          ALIPAYHK_FUNCTIONS.payQuery,
          { merchantId: config.merchantId, merchantTransId: order.merchantTransId },
          call,
        );
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
      if (status === 'PAID') return { status, evidence: evidence(body, reply.raw, order.merchantTransId) };
      if (status === 'CLOSED') return { status, evidence: evidence(body, reply.raw, order.merchantTransId) };
      if (status === 'PENDING') return { status };
      return { status: 'UNKNOWN', reason: `unmapped acquirementStatus ${String(acquirementStatus)}` };
    },

    async cancelPayment(order: ChannelOrder, call?: GatewayCall): Promise<CancelResult> {
      try {
        const reply = await client.call(
          ALIPAYHK_FUNCTIONS.payCancel,
          { merchantId: config.merchantId, merchantTransId: order.merchantTransId },
          call,
        );
        const info = reply.payload.body.resultInfo;
        return info.resultStatus === 'S' ? { status: 'CANCELLED' } : { status: 'REFUSED', code: info.resultCode };
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
    },

    async refund(order: RefundableOrder, request: RefundRequest, call?: GatewayCall): Promise<RefundResult> {
      try {
        // A payCancel of a paid same-day payment is itself the refund (AlipayHK refunds it and the
        // trade reads TRADE_CLOSED: https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/paycancel):
        // a payment the gateway reads as closed is recorded as refunded, and no second refund is sent.
        const query = await client.call<PayQueryResponseBody>(
          ALIPAYHK_FUNCTIONS.payQuery,
          { merchantId: config.merchantId, acquirementId: order.gatewayTransactionId },
          call,
        );
        if (
          query.payload.body.resultInfo.resultStatus === 'S' &&
          toNormalisedPaymentStatus(readAcquirementStatus(query.payload.body)) === 'CLOSED'
        ) {
          return { status: 'SUCCEEDED', gatewayRefundId: null };
        }
        const reply = await client.call<RefundResponseBody>(
          ALIPAYHK_FUNCTIONS.refund,
          {
            merchantId: config.merchantId,
            acquirementId: order.gatewayTransactionId,
            merchantRefundId: request.merchantRefundId,
            refundAmount: { currency: order.currency, value: String(request.amount) },
            refundReason: request.reason.slice(0, 256),
          },
          call,
        );
        const body = reply.payload.body;
        if (body.resultInfo.resultStatus === 'S') return { status: 'SUCCEEDED', gatewayRefundId: body.refundId ?? null };
        return { status: 'FAILED', code: body.resultInfo.resultCode };
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
    },

    ...createAlipayHkNotifications(config, { signer, verifier, now }),
  };
}
