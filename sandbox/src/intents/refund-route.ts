/**
 * The aggregator's refund call (docs/protocols/intents.md): one handler for both refund paths, each
 * taking either spelling of the fields.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import { bodyOf, decimalToMinor, field, findIntent, httpUrl, IntentsError, minorToDecimal, ok, onlyKeys } from './api-fields';
import type { IntentsLedger } from './ledger';
import { INTENTS_CODES } from './paths';

export interface RefundRouteDeps {
  ledger: IntentsLedger;
  clock: Clock;
}

/** The refund handler; refund ids are numbered per handler, so both paths share one sequence. */
export function createRefundHandler({ ledger, clock }: RefundRouteDeps): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  let refundSeq = 0;
  // The twin's `create_refund` (refund_amount, merchant_payment_order_id) and the intents-family
  // spelling (amount, merchant_order_id): both paths take either spelling (docs/protocols/intents.md).
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const body = bodyOf(request);
    onlyKeys(
      body,
      [
        'order_id',
        'merchant_order_id',
        'merchant_payment_order_id',
        'merchant_refund_id',
        'amount',
        'refund_amount',
        'reason',
        'notify_url',
      ],
      '',
    );
    const merchantOrderId =
      field(body, 'merchant_order_id', { max: 32, optional: true }) ??
      field(body, 'merchant_payment_order_id', { max: 32, optional: true });
    const orderIdField = field(body, 'order_id', { max: 32, optional: true });
    const intent = findIntent(ledger, {
      ...(orderIdField ? { order_id: orderIdField } : {}),
      ...(merchantOrderId ? { merchant_order_id: merchantOrderId } : {}),
    });
    const merchantRefundId = field(body, 'merchant_refund_id', { max: 64 }) as string;
    const amountText = (field(body, 'amount', { max: 32, optional: true }) ?? field(body, 'refund_amount', { max: 32 })) as string;
    httpUrl(body, 'notify_url');
    const amountMinor = decimalToMinor(amountText);
    if (amountMinor === null || amountMinor <= 0)
      throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'amount must be a positive decimal with at most 2 fraction digits');
    const reason = field(body, 'reason', { max: 256, optional: true }) ?? null;
    const view = (r: {
      refundId: string;
      merchantRefundId: string;
      orderId: string;
      amount: string;
      currency: string;
      createdAt: string;
    }) => ({
      refund_id: r.refundId,
      merchant_refund_id: r.merchantRefundId,
      order_id: r.orderId,
      amount: r.amount,
      currency: r.currency,
      status: 'SUCCEEDED',
      create_time: formatRfc3339(Date.parse(r.createdAt)),
    });
    const previous = ledger.findRefund(merchantRefundId);
    if (previous) {
      // The same merchant_refund_id is the same refund: answered again, never applied twice.
      if (previous.orderId !== intent.orderId || previous.amountMinor !== amountMinor) {
        throw new IntentsError(INTENTS_CODES.CONFLICT, 'merchant_refund_id was used for another refund', 409);
      }
      return ok(reply, view(previous));
    }
    if (intent.status !== 'SUCCEEDED')
      throw new IntentsError(INTENTS_CODES.NOT_REFUNDABLE, `order is ${intent.status}, not SUCCEEDED`, 422);
    if (intent.refundedMinor + amountMinor > intent.amountMinor) {
      throw new IntentsError(
        INTENTS_CODES.REFUND_EXCEEDS,
        `at most ${minorToDecimal(intent.amountMinor - intent.refundedMinor)} can still be refunded`,
        422,
      );
    }
    intent.refundedMinor += amountMinor;
    const refund = ledger.addRefund({
      refundId: `R${clock.now()}${String(++refundSeq).padStart(6, '0')}`,
      merchantRefundId,
      orderId: intent.orderId,
      merchantOrderId: intent.merchantOrderId,
      amount: minorToDecimal(amountMinor),
      amountMinor,
      currency: intent.currency,
      reason,
      createdAt: new Date(clock.now()).toISOString(),
    });
    return ok(reply, view(refund));
  };
}
