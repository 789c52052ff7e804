/**
 * The H5 (mobile-browser) channel through the payment-intents aggregator of seed 001 (docs/protocols/intents.md):
 * create an intent and redirect the shopper to its `next_action.url`; learn the outcome from the
 * webhook (`hex(sha256(raw_body + "." + api_key))`) or by query. Query answers are not signed: they are
 * trusted because they come over TLS from the configured gateway in answer to our bearer-authenticated
 * call — the same trust the aggregator's own SDKs place in them.
 */
import { fromDecimalString, isCurrency, toDecimalString, type PaymentAction } from '@tradepay/shared';
import { AppError, GatewayUnknownError, NotificationRejectedError } from '../../errors';
import type { GatewayCallLog, GatewayCallObserver } from '../gateway-transport';
import type {
  CancelResult,
  Channel,
  ChannelOrder,
  GatewayCall,
  NotificationReply,
  PaymentContext,
  PaymentEvidence,
  PaymentQueryResult,
  RefundableOrder,
  RefundRequest,
  RefundResult,
  VerifiedNotification,
} from '../../payments/channel';
import { createIntentsClient, IntentsAnswerError, type IntentsClient, type IntentsReply } from './client';
import { CANCEL_PATH, CREATE_PATH, PAYMENT_SUCCESS_NOTIFY_TYPE, QUERY_PATH, REFUND_PATH, SIGNATURE_HEADERS } from './endpoints';
import { verifyWebhookSignature } from './signing';
import { NOT_FOUND_CODES, toNormalisedIntentStatus } from './status-map';
import type { CreateIntentRequest, IntentData, IntentsWallet, RefundData, RefundIntentRequest, WebhookBody } from './wire-types';

export interface IntentsChannelConfig {
  gatewayUrl: string;
  apiKey: string;
  /** The merchant name our evidence carries. */
  merchantId: string | null;
  /** `uid` and `client_secret` of the token call (`client_secret` defaults to the API key in config). */
  uid: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/notify/intents`. */
  notifyUrl: string;
  /** `${PUBLIC_URL}/h5/return`: the order id is appended. Built from configuration, never from a request. */
  returnUrl: string;
  timeoutMs: number;
}

export interface IntentsChannel extends Channel {
  readonly client: IntentsClient;
}

/** The merchant name our evidence carries when no INTENTS_MERCHANT_ID is configured. */
const DEFAULT_MERCHANT_LABEL = 'intents';
const DEFAULT_WALLET: IntentsWallet = 'ALIPAYHK';
const ACK_BODY = JSON.stringify({ code: 0, message: 'success' });

export function createIntentsChannel(
  config: IntentsChannelConfig,
  deps: { now?: () => Date; fetch?: typeof fetch; observeGateway?: GatewayCallObserver; callLog?: GatewayCallLog } = {},
): IntentsChannel {
  const merchantId = config.merchantId || DEFAULT_MERCHANT_LABEL;
  const client = createIntentsClient({
    gatewayUrl: config.gatewayUrl,
    uid: config.uid,
    clientSecret: config.clientSecret,
    timeoutMs: config.timeoutMs,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.observeGateway ? { observe: deps.observeGateway } : {}),
    ...(deps.callLog ? { callLog: deps.callLog } : {}),
  });

  function toEvidence(source: PaymentEvidence['source'], data: Partial<IntentData>, raw: string, fallbackTransId: string): PaymentEvidence {
    return {
      source,
      merchantId,
      merchantTransId: typeof data.merchant_order_id === 'string' ? data.merchant_order_id : fallbackTransId,
      gatewayTransactionId: typeof data.order_id === 'string' && data.order_id !== '' ? data.order_id : null,
      // -1 never matches an order: a missing or unreadable amount is refused by the order service.
      amount: parseDecimal(amountOf(data), currencyOf(data)) ?? -1,
      currency: currencyOf(data) ?? '',
      // The API answers UTC (…Z) only; a pay_time without an offset has no known zone (docs/protocols/intents.md): not used.
      paidAt: toUtcIso(data.pay_time),
      raw,
    };
  }

  async function query(merchantTransId: string, call: GatewayCall | undefined): Promise<PaymentQueryResult> {
    let reply: IntentsReply<IntentData>;
    try {
      reply = await client.call<IntentData>(QUERY_PATH, { merchant_order_id: merchantTransId }, call);
    } catch (error) {
      if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
      throw error;
    }
    const { body } = reply;
    if (body.code !== 0) {
      // Never created there (the create call never arrived): nothing can be paid, yet.
      if (NOT_FOUND_CODES.has(body.code) || reply.httpStatus === 404) return { status: 'PENDING' };
      return { status: 'UNKNOWN', reason: `query refused: code ${body.code} ${body.message ?? ''}`.trim() };
    }
    const data = body.data;
    if (!data || data.merchant_order_id !== merchantTransId) return { status: 'UNKNOWN', reason: 'query answered about another order' };
    const status = toNormalisedIntentStatus(data.status);
    if (status === 'PAID') return { status, evidence: toEvidence('query', data, reply.raw, merchantTransId) };
    if (status === 'CLOSED') return { status, evidence: toEvidence('query', data, reply.raw, merchantTransId), closedAs: 'CANCELLED' };
    if (status === 'PENDING') return { status };
    return { status: 'UNKNOWN', reason: `unmapped intent status ${String(data.status)}` };
  }

  return {
    name: 'h5',
    merchantId,
    // "alipay hk only support HKD" (seed 001): refuse other currencies before an order is stored.
    currencies: ['HKD'],
    client,

    async createPayment(order: ChannelOrder, context: PaymentContext, call?: GatewayCall): Promise<PaymentAction> {
      const request: CreateIntentRequest = {
        amount: toDecimalString(order.amount, order.currency),
        currency: order.currency,
        // 30 characters (payments/ids.ts), within the aggregator's 32; the same on every retry.
        merchant_order_id: order.merchantTransId,
        description: order.title,
        notify_url: config.notifyUrl,
        return_url: `${config.returnUrl}?order=${encodeURIComponent(order.id)}`,
        payment_method: { type: 'alipayhk', alipayhk: { flow: 'mobile_web', payment_method: context.wallet ?? DEFAULT_WALLET } },
      };
      let reply: IntentsReply<IntentData>;
      try {
        reply = await client.call<IntentData>(CREATE_PATH, request, call);
      } catch (error) {
        // The order keeps its merchantTransId: a retry (same Idempotency-Key) creates the same intent.
        if (error instanceof GatewayUnknownError)
          throw new AppError('GATEWAY_UNAVAILABLE', 'The payment gateway did not answer; try again');
        throw error;
      }
      const { body } = reply;
      if (body.code !== 0) throw new AppError('GATEWAY_UNAVAILABLE', `The payment gateway refused the payment (code ${body.code})`);
      const data = body.data;
      if (!data || data.merchant_order_id !== order.merchantTransId)
        throw new AppError('GATEWAY_UNAVAILABLE', 'The payment gateway answered about another order');
      // `next_action.url` (CBTIS) or `next_action.redirect_url` (AiscPay), docs/protocols/intents.md.
      const url = data.next_action?.type === 'redirect' ? safeRedirectUrl(data.next_action.url ?? data.next_action.redirect_url) : null;
      if (!url) throw new AppError('GATEWAY_UNAVAILABLE', 'The payment gateway gave no usable redirect');
      return { type: 'redirect', url };
    },

    queryPayment: (order: ChannelOrder, call?: GatewayCall) => query(order.merchantTransId, call),

    async cancelPayment(order: ChannelOrder, call?: GatewayCall): Promise<CancelResult> {
      let reply: IntentsReply<IntentData>;
      try {
        reply = await client.call<IntentData>(CANCEL_PATH, { merchant_order_id: order.merchantTransId }, call);
      } catch (error) {
        if (error instanceof IntentsAnswerError && (error.httpStatus === 404 || error.httpStatus === 405)) {
          // No cancel endpoint at this address (CANCEL_PATH is a guess). The order service queried
          // the intent just before and found it unpaid, and the aggregator closes unpaid intents on
          // its own timeout; so close the order here. A payment that still lands later is recorded
          // as a late payment and refunded, never lost.
          return { status: 'CANCELLED' };
        }
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
      const { body } = reply;
      if (body.code === 0) {
        return body.data?.status === 'SUCCEEDED' ? { status: 'REFUSED', code: 'ALREADY_PAID' } : { status: 'CANCELLED' };
      }
      // Never created there: there is nothing the shopper could pay.
      if (NOT_FOUND_CODES.has(body.code)) return { status: 'CANCELLED' };
      return { status: 'REFUSED', code: String(body.code) };
    },

    async refund(order: RefundableOrder, request: RefundRequest, call?: GatewayCall): Promise<RefundResult> {
      const wire: RefundIntentRequest = {
        merchant_payment_order_id: order.merchantTransId,
        merchant_refund_id: request.merchantRefundId,
        refund_amount: toDecimalString(request.amount, order.currency),
        reason: request.reason.slice(0, 256),
      };
      let reply: IntentsReply<RefundData>;
      try {
        reply = await client.call<RefundData>(REFUND_PATH, wire, call);
      } catch (error) {
        if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
        throw error;
      }
      const { body } = reply;
      if (body.code !== 0) return { status: 'FAILED', code: String(body.code) };
      if (body.data?.status === 'SUCCEEDED') return { status: 'SUCCEEDED', gatewayRefundId: body.data.refund_id ?? null };
      if (body.data?.status === 'FAILED') return { status: 'FAILED', code: 'REFUND_FAILED' };
      // Accepted but not final: retry with the same merchant_refund_id later.
      return { status: 'UNKNOWN', reason: `refund status ${String(body.data?.status)}` };
    },

    async parseNotification(rawBody, headers, call): Promise<VerifiedNotification> {
      const header = SIGNATURE_HEADERS.map((name) => headers[name]).find((value) => typeof value === 'string');
      if (!verifyWebhookSignature(rawBody, config.apiKey, typeof header === 'string' ? header : undefined)) {
        throw new NotificationRejectedError('intents webhook signature does not verify', 'signature');
      }
      // Parse only what verified.
      let body: WebhookBody;
      try {
        body = JSON.parse(rawBody) as WebhookBody;
      } catch {
        throw new NotificationRejectedError('webhook body is not JSON', 'malformed');
      }
      const data = body?.data;
      if (
        typeof body?.notify_type !== 'string' ||
        !data ||
        typeof data !== 'object' ||
        typeof data.merchant_order_id !== 'string' ||
        typeof data.order_id !== 'string'
      ) {
        throw new NotificationRejectedError('webhook lacks notify_type, data.order_id or data.merchant_order_id', 'malformed');
      }
      const paid = body.notify_type === PAYMENT_SUCCESS_NOTIFY_TYPE && (data.status === undefined || data.status === 'SUCCEEDED');
      let evidence = toEvidence('notification', data, rawBody, data.merchant_order_id);
      if (paid && (amountOf(data) === undefined || currencyOf(data) === undefined)) {
        // The documented example webhook names the order only: take the facts from a query instead.
        const answer = await query(data.merchant_order_id, call);
        if (answer.status !== 'PAID') throw new GatewayUnknownError(`webhook says paid, query says ${answer.status}: retry later`);
        evidence = answer.evidence;
      }
      return {
        channel: 'h5',
        // The status is part of the event: a signed PENDING webhook must not make the later
        // SUCCEEDED one of the same order and type look like a redelivery.
        identity: `${data.order_id}:${body.notify_type}:${typeof data.status === 'string' ? data.status : '-'}`,
        merchantTransId: data.merchant_order_id,
        outcome: paid ? 'PAID' : 'NOT_PAID',
        evidence,
        replyContext: null,
        messageId: data.order_id,
      };
    },

    async acknowledge(): Promise<NotificationReply> {
      // The aggregator wants HTTP 200 within 5 s; anything else is re-sent.
      return { statusCode: 200, contentType: 'application/json; charset=utf-8', body: ACK_BODY };
    },
  };
}

/** `amount`/`currency`, or the twin's `order_amount`/`order_currency` (docs/protocols/intents.md). */
function amountOf(data: Partial<IntentData>): string | undefined {
  const value = data.amount ?? data.order_amount;
  return typeof value === 'string' ? value : undefined;
}

function currencyOf(data: Partial<IntentData>): string | undefined {
  const value = data.currency ?? data.order_currency;
  return typeof value === 'string' ? value : undefined;
}

function parseDecimal(amount: unknown, currency: unknown): number | null {
  if (typeof amount !== 'string' || typeof currency !== 'string' || !isCurrency(currency)) return null;
  try {
    return fromDecimalString(amount, currency);
  } catch {
    return null;
  }
}

/** The shopper's browser goes wherever this says: only an absolute http(s) URL will do. */
function safeRedirectUrl(text: unknown): string | null {
  if (typeof text !== 'string' || text.length > 4096) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** An ISO time with its offset → UTC ISO 8601 (`…Z`); anything else → null (the commit time is used). */
function toUtcIso(value: unknown): string | null {
  if (typeof value !== 'string' || !/(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
