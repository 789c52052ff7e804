/**
 * Latipay callbacks (docs/protocols/latipay.md): form-encoded, signed over five fields, acknowledged with
 * the text `sent`. The signature covers no timestamp and no Latipay id, so a verified callback is only
 * a reason to ask: its outcome is the signed query's answer, fetched while the callback is handled.
 */
import type { ChannelName } from '@tradepay/shared';
import { AppError, NotificationRejectedError } from '../../errors';
import type { GatewayCall, NotificationReply, PaymentEvidence, VerifiedNotification } from '../../payments/channel';
import type { TransactionQuery } from './query';
import { LatipaySignatureError, type LatipaySigner } from './signing';
import { toClosedAs } from './status-map';
import type { CallbackFields } from './wire-types';

const CHANNEL: ChannelName = 'latipay';
// The fields read from the form. `order_id` is in the callback since 2024 (docs/protocols/latipay.md); read, never required.
const FORM_FIELDS = ['merchant_reference', 'order_id', 'currency', 'amount', 'payment_method', 'status', 'pay_time', 'signature'] as const;

/** Reads a callback: verified over its fields, then confirmed by the signed query. */
export async function parseLatipayCallback(
  rawBody: string,
  deps: { signer: LatipaySigner; query: TransactionQuery; userId: string },
  call?: GatewayCall,
): Promise<VerifiedNotification> {
  const { signer, query } = deps;
  const params = new URLSearchParams(rawBody);
  const fields: Partial<CallbackFields> = {};
  for (const key of FORM_FIELDS) {
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
  const answer = await query(merchant_reference, call);
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
    answer.kind === 'found' && answer.status === 'CLOSED' ? toClosedAs(answer.wireStatus) : callbackCloses ? toClosedAs(status) : undefined;
  return {
    channel: CHANNEL,
    // The query's answer is part of the identity: a "paid" callback the query denied is recorded,
    // and the same callback re-sent after the payment settled still counts as a new event.
    identity: `${merchant_reference}:${status}:${confirmed}`,
    merchantTransId: merchant_reference,
    outcome: paid ? 'PAID' : 'NOT_PAID',
    evidence: answer.kind === 'found' ? answer.evidence : unpaidEvidence(deps.userId, merchant_reference, answer.raw),
    replyContext: null,
    messageId: `${merchant_reference}:${status}`,
    ...(closedAs ? { closedAs } : {}),
  };
}

export async function acknowledgeLatipayCallback(): Promise<NotificationReply> {
  // Exactly `sent`, else Latipay keeps re-sending every 30 s.
  return { statusCode: 200, contentType: 'text/plain; charset=utf-8', body: 'sent' };
}

function unpaidEvidence(userId: string, merchantReference: string, raw: string): PaymentEvidence {
  return {
    source: 'query',
    merchantId: userId,
    merchantTransId: merchantReference,
    gatewayTransactionId: null,
    amount: -1,
    currency: '',
    paidAt: null,
    raw,
  };
}
