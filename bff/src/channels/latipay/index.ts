/**
 * The Latipay mini-app channel (docs/protocols/latipay.md, seed 004): `POST /v2/minialipay` returns Alipay
 * parameters that, joined in order, are the orderStr for `my.tradePay`; `GET /v2/transaction/{ref}`
 * answers under an HMAC; callbacks are form-encoded and acknowledged with the text `sent`.
 *
 * A callback's signature covers no timestamp and no Latipay id, so a callback is only ever a
 * reason to ask: every transition comes from the signed query answer, fetched while the callback
 * is being handled.
 */
import { toDecimalString, type ChannelName, type PaymentAction } from '@tradepay/shared';
import { AppError, GatewayUnknownError } from '../../errors';
import type { GatewayCallLog, GatewayCallObserver } from '../gateway-transport';
import type { CancelResult, Channel, ChannelOrder, GatewayCall, PaymentContext, PaymentQueryResult } from '../../payments/channel';
import { acknowledgeLatipayCallback, parseLatipayCallback } from './callback';
import { createLatipayClient, LATIPAY_PATHS, type LatipayClient } from './client';
import { createTransactionQuery } from './query';
import { sendLatipayRefund } from './refund';
import { toOrderStr } from './sign-content';
import { createLatipaySigner, type LatipaySigner } from './signing';
import { codeOf, isDocumentedError, LATIPAY_ERROR_CODES, SUCCESS_CODE, toClosedAs } from './status-map';
import type { MiniAlipayResponse } from './wire-types';
import { toLatipayIp, type LatipayChannelConfig } from './values';

export { toLatipayIp, toPayTime, type LatipayChannelConfig, type LatipayPayTimeZone, type LatipayRefundResend } from './values';

export interface LatipayChannel extends Channel {
  readonly client: LatipayClient;
  readonly signer: LatipaySigner;
}

const CHANNEL: ChannelName = 'latipay';
const VERSION = '2.0';
const PRODUCT_NAME_MAX = 128;

export function createLatipayChannel(
  config: LatipayChannelConfig,
  deps: { now?: () => Date; fetch?: typeof fetch; observeGateway?: GatewayCallObserver; callLog?: GatewayCallLog } = {},
): LatipayChannel {
  const signer = createLatipaySigner(config.apiKey);
  const client = createLatipayClient({
    gatewayUrl: config.gatewayUrl,
    signer,
    timeoutMs: config.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.observeGateway ? { observe: deps.observeGateway } : {}),
    ...(deps.callLog ? { callLog: deps.callLog } : {}),
  });
  const query = createTransactionQuery(client, signer, config);

  return {
    name: CHANNEL,
    merchantId: config.userId,
    currencies: [config.currency],
    client,
    signer,

    async createPayment(order: ChannelOrder, context: PaymentContext, call?: GatewayCall): Promise<PaymentAction> {
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
        reply = await client.post<MiniAlipayResponse>(LATIPAY_PATHS.miniAlipay, fields, call);
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

    async queryPayment(order: ChannelOrder, call?: GatewayCall): Promise<PaymentQueryResult> {
      const answer = await query(order.merchantTransId, call);
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
    async cancelPayment(order: ChannelOrder, call?: GatewayCall): Promise<CancelResult> {
      const answer = await query(order.merchantTransId, call);
      if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
      if (answer.kind === 'found' && answer.status === 'PAID') return { status: 'REFUSED', code: 'ALREADY_PAID' };
      return { status: 'CANCELLED' };
    },

    refund: (order, request, call) => sendLatipayRefund(client, config, order, request, call),

    parseNotification: (rawBody, _headers, call) => parseLatipayCallback(rawBody, { signer, query, userId: config.userId }, call),

    acknowledge: acknowledgeLatipayCallback,
  };
}
