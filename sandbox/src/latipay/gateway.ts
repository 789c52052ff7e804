/**
 * The sandbox's Latipay, framework-free: create (`/v2/minialipay`), query (`/v2/transaction/{ref}`),
 * refund (`/refund`) and what the Alipay app does with a Latipay orderStr. Every answer is a plain
 * `{code, message, …}` object as Latipay sends it; the routes only move bytes.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { fromDecimalString, isCurrency, toDecimalString } from '@tradepay/shared';
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
import { SandboxInputError } from '../errors';
import type { TradePayOutcome } from '../ledger';
import type { Timers } from '../timers';
import { applyWalletOutcome } from '../wallet/outcomes';
import type { LatipayCallbacks } from './callbacks';
import { latipayResult, latipayWireStatus } from './callbacks';
import type { LatipayErrorCode } from './config';
import { LATIPAY_PAYMENT_METHOD, SANDBOX_LATIPAY_CURRENCY, SANDBOX_LATIPAY_USER_ID, SANDBOX_LATIPAY_WALLET_ID } from './config';
import { latipaySignaturesEqual, signLatipayRequest } from './hmac';
import type { LatipayLedger, LatipayPayment } from './ledger';
import type { LatipayReply } from './wire';
import { MINIALIPAY_FIELDS, REFUND_FIELDS, latipayError, readFields, isReply, isHttpUrl, md5Sign, parseLatipayOrderStr } from './wire';

export type { LatipayReply } from './wire';
export { latipayError, parseLatipayOrderStr } from './wire';

export interface LatipayGatewayDeps {
  ledger: LatipayLedger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  callbacks: LatipayCallbacks;
  apiKey: string;
  userId?: string;
  walletId?: string;
  currency?: string;
}

/** The statuses that close an unpaid payment from Latipay's side (callbacks, mainly PayID). */
export type LatipayClosingStatus = 'canceled' | 'rejected';

export interface LatipayGateway {
  readonly userId: string;
  readonly walletId: string;
  readonly currency: string;
  createMiniAlipay(body: unknown): LatipayReply;
  queryTransaction(merchantReference: string, query: Record<string, unknown>): LatipayReply | Record<string, string>;
  refund(body: unknown): LatipayReply;
  /** Latipay closes an unpaid payment as `canceled` or `rejected` and calls back; false if it is not open. */
  close(merchantReference: string, status: LatipayClosingStatus): boolean;
  /** The Alipay app paying a Latipay orderStr; throws SandboxInputError for an orderStr it refuses. */
  tradePay(orderStr: string, outcome: TradePayOutcome): { resultCode: string; memo?: string };
  /** A scripted Latipay error (control.latipayFailNext), consumed by the next API call. */
  takeScriptedError(): LatipayReply | undefined;
}

export function createLatipayGateway(deps: LatipayGatewayDeps): LatipayGateway {
  const { ledger, control, clock, timers, callbacks, apiKey } = deps;
  const userId = deps.userId ?? SANDBOX_LATIPAY_USER_ID;
  const walletId = deps.walletId ?? SANDBOX_LATIPAY_WALLET_ID;
  const currency = deps.currency ?? SANDBOX_LATIPAY_CURRENCY;
  if (!isCurrency(currency)) throw new Error(`unsupported Latipay sandbox currency ${currency}`);
  // Signs the gatewaydata, so the wallet can tell an orderStr this sandbox issued from an edited one.
  const partnerKey = randomBytes(16).toString('hex');
  const iso = (): string => new Date(clock.now()).toISOString();

  function newOrderId(): string {
    const day = iso().slice(0, 10).replace(/-/g, '');
    let id: string;
    do id = `${day}-alipay-${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e4)).padStart(4, '0')}`;
    while (ledger.findByOrderId(id));
    return id;
  }

  function gatewaydataFor(orderId: string, productName: string, amount: string): Record<string, string> {
    // A fixed, non-alphabetical order, as Latipay sends it: the orderStr keeps this order.
    const params: Record<string, string> = {
      service: 'create_forex_trade_wap',
      partner: '2088000000000001',
      _input_charset: 'UTF-8',
      out_trade_no: orderId,
      subject: productName.replace(/[&=]/g, ' ').slice(0, 128),
      currency,
      total_fee: amount,
      secondary_merchant_id: walletId,
      product_code: 'NEW_WAP_OVERSEAS_SELLER',
    };
    return { ...params, sign_type: 'MD5', sign: md5Sign(params, partnerKey) };
  }

  function markPaid(payment: LatipayPayment): void {
    payment.status = 'paid';
    payment.paidAt = iso();
  }

  return {
    userId,
    walletId,
    currency,

    takeScriptedError() {
      const { count, code } = control.current.latipayFailNext;
      if (count <= 0) return undefined;
      control.update({ latipayFailNext: { count: count - 1, code } });
      return latipayError(code as LatipayErrorCode, 'scripted failure (control.latipayFailNext)');
    },

    createMiniAlipay(body) {
      const fields = readFields(body, MINIALIPAY_FIELDS);
      if (isReply(fields)) return fields;
      if (fields.user_id !== userId) return latipayError(205);
      // Every field but `signature` is signed, extra ones (e.g. payment_method) included.
      if (!latipaySignaturesEqual(signLatipayRequest(body as Record<string, unknown>, apiKey), fields.signature)) return latipayError(206);
      if (fields.wallet_id !== walletId) return latipayError(450);
      const extra = body as Record<string, unknown>;
      if (extra.payment_method !== undefined && extra.payment_method !== LATIPAY_PAYMENT_METHOD) return latipayError(304);
      if (fields.version !== '2.0') return latipayError(207, 'version must be "2.0"');
      let amountMinor: number;
      try {
        amountMinor = fromDecimalString(fields.amount, currency);
      } catch {
        return latipayError(207, `amount must be a decimal amount in ${currency}`);
      }
      if (amountMinor <= 0) return latipayError(207, 'amount must be greater than zero');
      if (!isHttpUrl(fields.callback_url) || fields.callback_url.length > 512)
        return latipayError(207, 'callback_url must be an http(s) URL');
      if (fields.merchant_reference.length > 64) return latipayError(207, 'merchant_reference is longer than 64 characters');
      if (fields.ip.length > 64) return latipayError(207, 'ip is too long');

      const existing = ledger.findByReference(fields.merchant_reference);
      if (existing) {
        // The same order asked for again (a merchant retry): the same payment, the same gatewaydata.
        const same = existing.amountMinor === amountMinor && existing.callbackUrl === fields.callback_url && existing.status === 'pending';
        if (!same) return latipayError(207, 'merchant_reference is already used by another payment');
        return {
          code: 0,
          message: 'SUCCESS',
          messageCN: '操作成功',
          gatewaydata: existing.gatewaydata,
          paydata: { orderId: existing.orderId, customerOrderId: existing.merchantReference },
        };
      }
      const orderId = newOrderId();
      const amount = toDecimalString(amountMinor, currency);
      const payment = ledger.addPayment({
        orderId,
        merchantReference: fields.merchant_reference,
        userId,
        walletId,
        amount,
        currency,
        amountMinor,
        productName: fields.product_name,
        callbackUrl: fields.callback_url,
        ip: fields.ip,
        paymentMethod: LATIPAY_PAYMENT_METHOD,
        status: 'pending',
        outcome: null,
        gatewaydata: gatewaydataFor(orderId, fields.product_name, amount),
        createdAt: iso(),
        paidAt: null,
        refundedMinor: 0,
      });
      return {
        code: 0,
        message: 'SUCCESS',
        messageCN: '操作成功',
        gatewaydata: payment.gatewaydata,
        paydata: { orderId, customerOrderId: payment.merchantReference },
      };
    },

    queryTransaction(merchantReference, query) {
      const queryUser = typeof query.user_id === 'string' ? query.user_id : '';
      if (!queryUser) return latipayError(204, 'user_id');
      if (queryUser !== userId) return latipayError(205);
      const expected = signLatipayRequest({ merchant_reference: merchantReference, user_id: queryUser }, apiKey);
      if (!latipaySignaturesEqual(expected, query.signature)) return latipayError(206);
      const payment = ledger.findByReference(merchantReference);
      if (!payment) return latipayError(201);
      return latipayResult(payment, apiKey);
    },

    refund(body) {
      // The refund API answers with its own codes, 550–562 (Latipay/latipay.github.io src/v2/error-code.md).
      const fields = readFields(body, REFUND_FIELDS);
      if (isReply(fields)) return fields;
      if (fields.user_id !== userId) return latipayError(205);
      if (!latipaySignaturesEqual(signLatipayRequest(body as Record<string, unknown>, apiKey), fields.signature)) return latipayError(206);
      const payment = ledger.findByOrderId(fields.order_id);
      if (!payment) return latipayError(551);
      let amountMinor: number;
      try {
        amountMinor = fromDecimalString(fields.refund_amount, currency);
      } catch {
        return latipayError(550, `refund_amount must be a decimal amount in ${currency}`);
      }
      // `reference` is "Notes about this refund": Latipay documents no de-duplication by it. The
      // sandbox refunds a repeat again, or (forms.latipayRefundRepeat = 562) answers "has been done".
      const repeat = ledger
        .refundsOf(payment.orderId)
        .some((r) => r.reference === fields.reference && fromDecimalString(r.refundAmount, currency) === amountMinor);
      if (repeat && control.current.forms.latipayRefundRepeat === '562') return latipayError(562);
      if (payment.status !== 'paid') return latipayError(550, `the order is ${latipayWireStatus(payment)}, not paid`);
      if (amountMinor <= 0) return latipayError(550, 'refund_amount must be greater than zero');
      if (payment.refundedMinor + amountMinor > payment.amountMinor) {
        return latipayError(
          550,
          `refund_amount exceeds what is left (${toDecimalString(payment.amountMinor - payment.refundedMinor, currency)})`,
        );
      }
      payment.refundedMinor += amountMinor;
      ledger.addRefund({
        refundId: `R${iso().slice(0, 10).replace(/-/g, '')}${String(randomInt(0, 1e9)).padStart(9, '0')}`,
        reference: fields.reference,
        orderId: payment.orderId,
        merchantReference: payment.merchantReference,
        refundAmount: toDecimalString(amountMinor, currency),
        currency,
        refundedAt: iso(),
      });
      return { code: 0, message: 'SUCCESS' };
    },

    close(merchantReference, status) {
      const payment = ledger.findByReference(merchantReference);
      if (!payment || (payment.status !== 'pending' && payment.status !== 'processing')) return false;
      payment.status = status;
      callbacks.schedule(payment, control.current.notifyDelayMs);
      return true;
    },

    tradePay(orderStr, outcome) {
      const params = parseLatipayOrderStr(orderStr);
      const orderId = params.out_trade_no;
      const payment = orderId === undefined ? undefined : ledger.findByOrderId(orderId);
      if (!payment) throw new SandboxInputError('INVALID_ORDER', 'orderStr names no Latipay payment of this sandbox (out_trade_no)');
      const expected = payment.gatewaydata;
      const sameKeys = Object.keys(params).length === Object.keys(expected).length;
      if (!sameKeys || !latipaySignaturesEqual(md5Sign(params, partnerKey), params.sign) || params.sign !== expected.sign) {
        throw new SandboxInputError('INVALID_SIGNATURE', 'orderStr: the Alipay parameters were changed after Latipay issued them');
      }
      if (payment.status === 'paid' || payment.status === 'processing')
        return { resultCode: '5000', memo: 'duplicate payment request: already paid or being paid' };
      if (payment.status === 'failed' || payment.status === 'canceled' || payment.status === 'rejected')
        return { resultCode: '4000', memo: 'this payment is closed' };
      payment.outcome = outcome;
      const row = applyWalletOutcome(
        outcome,
        {
          setStatus: ({ latipay }) => {
            if (latipay !== null) payment.status = latipay;
          },
          markPaid: () => markPaid(payment),
          stillSettling: () => payment.status === 'processing',
          notify: (delayMs) => callbacks.schedule(payment, delayMs),
        },
        control,
        timers,
      );
      return { resultCode: row.resultCode };
    },
  };
}
