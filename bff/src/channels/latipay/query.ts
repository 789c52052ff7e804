/**
 * Latipay's signed transaction query, `GET /v2/transaction/{merchant_reference}` (docs/protocols/latipay.md):
 * the only source of a transition, for a query, a cancel and a callback alike.
 */
import { fromDecimalString, isCurrency } from '@tradepay/shared';
import { GatewayUnknownError } from '../../errors';
import type { GatewayCall, PaymentEvidence } from '../../payments/channel';
import { LATIPAY_PATHS, type LatipayClient } from './client';
import { LatipaySignatureError, type LatipaySigner } from './signing';
import { codeOf, ORDER_NOT_EXIST_CODE, SUCCESS_CODE, toNormalisedPaymentStatus, type NormalisedPaymentStatus } from './status-map';
import type { TransactionQueryResponse } from './wire-types';
import { rawAmountOf, str, toPayTime, type LatipayChannelConfig } from './values';

/** The query answer, verified, or why it cannot be used. */
export type QueryAnswer =
  | { kind: 'found'; status: Exclude<NormalisedPaymentStatus, 'UNKNOWN'>; wireStatus: string; evidence: PaymentEvidence }
  | { kind: 'not-found'; raw: string }
  | { kind: 'unknown'; reason: string };

export type TransactionQuery = (merchantReference: string, call?: GatewayCall) => Promise<QueryAnswer>;

/** Asks Latipay about one merchant_reference and verifies the answer's signature. */
export function createTransactionQuery(
  client: LatipayClient,
  signer: LatipaySigner,
  config: Pick<LatipayChannelConfig, 'userId' | 'payTimeZone'>,
): TransactionQuery {
  return async function query(merchantReference: string, call?: GatewayCall): Promise<QueryAnswer> {
    let reply;
    try {
      reply = await client.get<TransactionQueryResponse>(
        LATIPAY_PATHS.transaction(merchantReference),
        { user_id: config.userId },
        { merchant_reference: merchantReference, user_id: config.userId },
        call,
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
  };
}
