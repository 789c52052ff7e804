/**
 * The Latipay mini-app channel (docs/protocols/latipay.md, seed 004): `POST /v2/minialipay` returns Alipay
 * parameters that, joined in order, are the orderStr for `my.tradePay`; `GET /v2/transaction/{ref}`
 * answers under an HMAC; callbacks are form-encoded and acknowledged with the text `sent`.
 *
 * A callback's signature covers no timestamp and no Latipay id, so a callback is only ever a
 * reason to ask: every transition comes from the signed query answer, fetched while the callback
 * is being handled.
 */
import { fromDecimalString, isCurrency, toDecimalString, type ChannelName, type PaymentAction } from '@tradepay/shared';
import { AppError, GatewayUnknownError, NotificationRejectedError } from '../../errors';
import type { GatewayCallObserver } from '../gateway-transport';
import type {
  CancelResult,
  Channel,
  ChannelOrder,
  NotificationReply,
  PaymentContext,
  PaymentEvidence,
  PaymentQueryResult,
  RefundableOrder,
  RefundRequest,
  RefundResult,
  VerifiedNotification,
} from '../../payments/channel';
import { createLatipayClient, LATIPAY_PATHS, type LatipayClient } from './client';
import { toOrderStr } from './sign-content';
import { createLatipaySigner, LatipaySignatureError, type LatipaySigner } from './signing';
import {
  codeOf,
  isDocumentedError,
  LATIPAY_ERROR_CODES,
  LATIPAY_REFUND_FAILURE_CODES,
  ORDER_NOT_EXIST_CODE,
  REFUND_ALREADY_DONE_CODE,
  SUCCESS_CODE,
  toClosedAs,
  toNormalisedPaymentStatus,
  type NormalisedPaymentStatus,
} from './status-map';
import type { CallbackFields, MiniAlipayResponse, RefundResponse, TransactionQueryResponse } from './wire-types';
import { rawAmountOf, str, toLatipayIp, toPayTime, type LatipayChannelConfig } from './values';

export { toLatipayIp, toPayTime, type LatipayChannelConfig, type LatipayPayTimeZone, type LatipayRefundResend } from './values';

export interface LatipayChannel extends Channel {
  readonly client: LatipayClient;
  readonly signer: LatipaySigner;
}

const CHANNEL: ChannelName = 'latipay';
const VERSION = '2.0';
const PRODUCT_NAME_MAX = 128;
// `order_id` is in the callback since 2024 (docs/protocols/latipay.md); read, never required.
const CALLBACK_FIELDS = [
  'merchant_reference',
  'order_id',
  'currency',
  'amount',
  'payment_method',
  'status',
  'pay_time',
  'signature',
] as const;

/** The query answer, verified, or why it cannot be used. */
type QueryAnswer =
  | { kind: 'found'; status: Exclude<NormalisedPaymentStatus, 'UNKNOWN'>; wireStatus: string; evidence: PaymentEvidence }
  | { kind: 'not-found'; raw: string }
  | { kind: 'unknown'; reason: string };

export function createLatipayChannel(
  config: LatipayChannelConfig,
  deps: { now?: () => Date; fetch?: typeof fetch; observeGateway?: GatewayCallObserver } = {},
): LatipayChannel {
  const signer = createLatipaySigner(config.apiKey);
  const client = createLatipayClient({
    gatewayUrl: config.gatewayUrl,
    signer,
    timeoutMs: config.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.observeGateway ? { observe: deps.observeGateway } : {}),
  });

  /** Asks Latipay about one merchant_reference and verifies the answer's signature. */
  async function query(merchantReference: string): Promise<QueryAnswer> {
    let reply;
    try {
      reply = await client.get<TransactionQueryResponse>(
        LATIPAY_PATHS.transaction(merchantReference),
        { user_id: config.userId },
        { merchant_reference: merchantReference, user_id: config.userId },
      );
    } catch (error) {
      if (error instanceof GatewayUnknownError) return { kind: 'unknown', reason: error.message };
      throw error;
    }
    const body = reply.body;
    const code = codeOf(body.code);
    if (code !== null && code !== SUCCESS_CODE) {
      if (code === ORDER_NOT_EXIST_CODE) return { kind: 'not-found', raw: reply.raw };
      return { kind: 'unknown', reason: `transaction query answered code ${code} (${String(body.message ?? '')})` };
    }
    const facts = {
      merchant_reference: str(body.merchant_reference),
      payment_method: str(body.payment_method),
      status: str(body.status),
      currency: str(body.currency),
      amount: rawAmountOf(reply.raw),
    };
    if (Object.values(facts).some((v) => v === undefined)) {
      return { kind: 'unknown', reason: 'transaction query answer lacks merchant_reference, payment_method, status, currency or amount' };
    }
    const signed = facts as Record<keyof typeof facts, string>;
    try {
      signer.verifyResult(signed, body.signature);
    } catch (error) {
      if (error instanceof LatipaySignatureError)
        return { kind: 'unknown', reason: `transaction query answer not verified: ${error.message}` };
      throw error;
    }
    if (signed.merchant_reference !== merchantReference) {
      return { kind: 'unknown', reason: 'transaction query answer is about another merchant_reference' };
    }
    const status = toNormalisedPaymentStatus(signed.status);
    if (status === 'UNKNOWN') return { kind: 'unknown', reason: `unmapped transaction status ${JSON.stringify(signed.status)}` };
    // Minor units: "120.00", "120.0" and "120" are the same money.
    let amount = -1;
    if (isCurrency(signed.currency)) {
      try {
        amount = fromDecimalString(signed.amount, signed.currency);
      } catch {
        amount = -1; // a mismatch the order service reports, never a payment
      }
    }
    return {
      kind: 'found',
      status,
      wireStatus: signed.status,
      evidence: {
        source: 'query',
        merchantId: config.userId,
        merchantTransId: signed.merchant_reference,
        gatewayTransactionId: str(body.order_id) ?? str(body.transaction_id) ?? null,
        amount,
        currency: signed.currency,
        paidAt: status === 'PAID' ? toPayTime(str(body.pay_time), config.payTimeZone) : null,
        raw: reply.raw,
      },
    };
  }

  function unpaidEvidence(merchantReference: string, raw: string): PaymentEvidence {
    return {
      source: 'query',
      merchantId: config.userId,
      merchantTransId: merchantReference,
      gatewayTransactionId: null,
      amount: -1,
      currency: '',
      paidAt: null,
      raw,
    };
  }

  return {
    name: CHANNEL,
    merchantId: config.userId,
    currencies: [config.currency],
    client,
    signer,

    async createPayment(order: ChannelOrder, context: PaymentContext): Promise<PaymentAction> {
      if (order.currency !== config.currency) {
        throw new AppError('CHANNEL_UNAVAILABLE', `The Latipay wallet settles in ${config.currency}; this order is in ${order.currency}`);
      }
      // The same merchant_reference on every attempt for this order (an Idempotency-Key retry too).
      const fields = {
        user_id: config.userId,
        wallet_id: config.walletId,
        amount: toDecimalString(order.amount, order.currency),
        callback_url: config.callbackUrl,
        merchant_reference: order.merchantTransId,
        ip: toLatipayIp(context.clientIp),
        version: VERSION,
        product_name: order.title.slice(0, PRODUCT_NAME_MAX),
      };
      let reply;
      try {
        reply = await client.post<MiniAlipayResponse>(LATIPAY_PATHS.miniAlipay, fields);
      } catch (error) {
        if (error instanceof GatewayUnknownError) throw new AppError('GATEWAY_UNAVAILABLE', 'Latipay did not answer; try again');
        throw error;
      }
      const code = codeOf(reply.body.code);
      const message = typeof reply.body.message === 'string' ? reply.body.message : '';
      if (code === SUCCESS_CODE && reply.status < 300) {
        const gatewaydata = reply.body.gatewaydata;
        if (!gatewaydata || typeof gatewaydata !== 'object' || Array.isArray(gatewaydata) || Object.keys(gatewaydata).length === 0) {
          throw new AppError('GATEWAY_UNAVAILABLE', 'Latipay answered code 0 without gatewaydata; try again');
        }
        return { type: 'tradePay', orderStr: toOrderStr(gatewaydata) };
      }
      if (code !== null && isDocumentedError(code)) {
        throw new AppError('CHANNEL_REJECTED', `Latipay refused the payment (code ${code}: ${message || LATIPAY_ERROR_CODES[code]})`);
      }
      // Code 1 ("FAIL"), an undocumented code or no code: nothing definite; a retry reuses the reference.
      throw new AppError(
        'GATEWAY_UNAVAILABLE',
        `Latipay gave no definite answer (HTTP ${reply.status}, code ${code ?? 'none'}); try again`,
      );
    },

    async queryPayment(order: ChannelOrder): Promise<PaymentQueryResult> {
      const answer = await query(order.merchantTransId);
      if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
      if (answer.kind === 'not-found') return { status: 'PENDING' };
      if (answer.status === 'PAID') return { status: 'PAID', evidence: answer.evidence };
      if (answer.status === 'CLOSED') return { status: 'CLOSED', evidence: answer.evidence, closedAs: toClosedAs(answer.wireStatus) };
      return { status: 'PENDING' };
    },

    /**
     * Latipay documents no cancel endpoint: an unpaid mini-app order simply expires at Latipay. So
     * "cancel" is a signed query that shows it unpaid, after which we close our order. If the buyer
     * still pays the old orderStr later, the callback/query brings the payment in and the order
     * service records it as a late payment to refund (it never silently drops money).
     */
    async cancelPayment(order: ChannelOrder): Promise<CancelResult> {
      const answer = await query(order.merchantTransId);
      if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
      if (answer.kind === 'found' && answer.status === 'PAID') return { status: 'REFUSED', code: 'ALREADY_PAID' };
      return { status: 'CANCELLED' };
    },

    async refund(order: RefundableOrder, request: RefundRequest): Promise<RefundResult> {
      if (!order.gatewayTransactionId) return { status: 'FAILED', code: 'NO_LATIPAY_ORDER_ID' };
      if (request.resend && config.refundResend !== 'resend') {
        // Latipay documents no refund de-duplication and no refund query: sending again could refund
        // twice. Held until someone checks the Latipay merchant portal.
        return {
          status: 'UNKNOWN',
          held: true,
          reason: `refund ${request.merchantRefundId} had no definite answer; not re-sent (LATIPAY_REFUND_RESEND=hold)`,
        };
      }
      let reply;
      try {
        reply = await client.post<RefundResponse>(LATIPAY_PATHS.refund, {
          user_id: config.userId,
          order_id: order.gatewayTransactionId,
          refund_amount: toDecimalString(request.amount, order.currency),
          // "Notes about this refund": our merchantRefundId, for the portal; not a de-duplication key.
          reference: request.merchantRefundId,
        });
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
      const code = codeOf(reply.body.code);
      if (code === SUCCESS_CODE && reply.status < 300) return { status: 'SUCCEEDED', gatewayRefundId: null };
      // "This refund request has been done": an earlier send of this refund went through.
      if (code === REFUND_ALREADY_DONE_CODE) return { status: 'SUCCEEDED', gatewayRefundId: null };
      if (code !== null && (Object.hasOwn(LATIPAY_REFUND_FAILURE_CODES, code) || isDocumentedError(code)))
        return { status: 'FAILED', code: `LATIPAY_${code}` };
      return {
        status: 'UNKNOWN',
        reason: `refund answered HTTP ${reply.status} code ${code ?? '(none)'} ${String(reply.body.message ?? '')}`.trim(),
      };
    },

    async parseNotification(rawBody: string): Promise<VerifiedNotification> {
      const params = new URLSearchParams(rawBody);
      const fields: Partial<CallbackFields> = {};
      for (const key of CALLBACK_FIELDS) {
        const values = params.getAll(key);
        if (values.length > 1) throw new NotificationRejectedError(`Latipay callback repeats ${key}`, 'malformed');
        if (values.length === 1) fields[key] = values[0]!;
      }
      const { merchant_reference, payment_method, status, currency, amount, signature } = fields;
      if (!merchant_reference || !payment_method || !status || !currency || !amount || !signature) {
        throw new NotificationRejectedError(
          'Latipay callback lacks merchant_reference, payment_method, status, currency, amount or signature',
          'malformed',
        );
      }
      try {
        signer.verifyResult({ merchant_reference, payment_method, status, currency, amount }, signature);
      } catch (error) {
        if (error instanceof LatipaySignatureError)
          throw new NotificationRejectedError(`Latipay callback not verified: ${error.message}`, 'signature');
        throw error;
      }
      // Verified, but it proves nothing about *now*: confirm through the signed query.
      const answer = await query(merchant_reference);
      if (answer.kind === 'unknown') {
        // No acknowledgement: Latipay re-sends in about 30 s, and we ask again then.
        throw new AppError('GATEWAY_UNAVAILABLE', `Latipay callback verified, but the confirming query failed: ${answer.reason}`);
      }
      const confirmed = answer.kind === 'found' ? answer.wireStatus : 'not-found';
      const paid = answer.kind === 'found' && answer.status === 'PAID';
      // A signed `canceled`/`rejected` callback closes the order unless the query shows it paid:
      // these are final at Latipay, and the merchant_reference is this order's alone.
      const callbackCloses = (status === 'canceled' || status === 'rejected') && !paid;
      const closedAs =
        answer.kind === 'found' && answer.status === 'CLOSED'
          ? toClosedAs(answer.wireStatus)
          : callbackCloses
            ? toClosedAs(status)
            : undefined;
      return {
        channel: CHANNEL,
        // The query's answer is part of the identity: a "paid" callback the query denied is recorded,
        // and the same callback re-sent after the payment settled still counts as a new event.
        identity: `${merchant_reference}:${status}:${confirmed}`,
        merchantTransId: merchant_reference,
        outcome: paid ? 'PAID' : 'NOT_PAID',
        evidence: answer.kind === 'found' ? answer.evidence : unpaidEvidence(merchant_reference, answer.raw),
        replyContext: null,
        messageId: `${merchant_reference}:${status}`,
        ...(closedAs ? { closedAs } : {}),
      };
    },

    async acknowledge(): Promise<NotificationReply> {
      // Exactly `sent`, else Latipay keeps re-sending every 30 s.
      return { statusCode: 200, contentType: 'text/plain; charset=utf-8', body: 'sent' };
    },
  };
}
