/**
 * Verified gateway evidence applied to an order: a notification, a query's signed answer, or an
 * auto-debit's agreement.pay. Its facts must match the order; one conditional transition follows.
 */
import { NotificationRejectedError } from '../errors';
import type { OrderRecord, PaymentFacts } from './store';
import type { Channel, PaymentEvidence, VerifiedNotification } from './channel';
import type { OrderContext } from './order-context';

/** The gateway's signed facts must be about this order, for this amount, to this merchant. */
export function checkEvidence(
  order: Pick<PaymentFacts, 'merchantTransId' | 'currency' | 'amount'>,
  evidence: PaymentEvidence,
  channel: Channel,
): void {
  if (evidence.merchantId !== channel.merchantId) throw new NotificationRejectedError('evidence names another merchant', 'merchant');
  if (evidence.merchantTransId !== order.merchantTransId)
    throw new NotificationRejectedError('evidence names another transaction', 'unknown-order');
  if (evidence.currency !== order.currency) {
    throw new NotificationRejectedError(`currency ${evidence.currency} does not match the order's ${order.currency}`, 'currency');
  }
  if (evidence.amount !== order.amount) {
    throw new NotificationRejectedError(`amount ${evidence.amount} does not match the order's ${order.amount}`, 'amount');
  }
}

export function createOrderEvidence(ctx: OrderContext) {
  const { options, store, channelFor } = ctx;

  function warnLatePayment(orderId: string, refund: { id: string } | null | undefined): void {
    if (!refund) return;
    options.log?.warn({ orderId, refundId: refund.id }, 'payment arrived after the order was closed: refund recorded');
  }

  /** Applies a verified "paid" to the order; a payment after close is refunded, never dropped. */
  async function applyPaid(order: OrderRecord, evidence: PaymentEvidence, reason: string): Promise<OrderRecord> {
    checkEvidence(order, evidence, channelFor(order.channel));
    const result = await store.markPaid(order.id, evidence, reason);
    warnLatePayment(order.id, result.latePaymentRefund);
    return result.order;
  }

  /**
   * Applies a verified notification: its facts must match our order, then one conditional
   * transition in the same transaction as the notification row. Returns once committed. A
   * notification that does not match is rejected (NotificationRejectedError, as its verification).
   */
  async function acceptNotification(notification: VerifiedNotification) {
    const order = await store.getPaymentFactsByMerchantTransId(notification.merchantTransId);
    if (!order) throw new NotificationRejectedError(`no order with merchantTransId ${notification.merchantTransId}`, 'unknown-order');
    const channel = channelFor(order.channel);
    if (order.channel !== notification.channel) throw new NotificationRejectedError('notification came through another channel', 'channel');
    if (notification.outcome === 'PAID') checkEvidence(order, notification.evidence, channel);
    const result = await store.recordNotification(
      {
        channel: notification.channel,
        identity: notification.identity,
        orderId: order.id,
        outcome: notification.outcome,
        raw: notification.evidence.raw,
      },
      notification.evidence,
    );
    if (notification.outcome === 'NOT_PAID' && notification.closedAs && result.order.status === 'PENDING') {
      // The gateway closed the payment under its signature: close ours too (a no-op if it moved on).
      const closed = await store.closeUnpaid(
        order.id,
        notification.closedAs,
        `notification: closed at gateway (${notification.messageId})`,
      );
      return { ...result, order: closed.order, transitioned: result.transitioned || closed.transitioned };
    }
    warnLatePayment(order.id, result.latePaymentRefund);
    return result;
  }

  return { applyPaid, acceptNotification };
}
