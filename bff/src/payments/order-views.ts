/** How an order is shown: to the buyer (OrderView) and to a channel (ChannelOrder); and a new PENDING order from a priced cart. */
import { toAmount, type ChannelName, type OrderView } from '@tradepay/shared';
import type { NewOrder, OrderRecord } from './store';
import type { ChannelOrder } from './channel';
import { newMerchantTransId, newOrderId } from './ids';
import type { PricedCart } from './pricing';

export function toOrderView(order: OrderRecord): OrderView {
  return orderView(order, order.refundedAmount, order.updatedAt, order.paidAt);
}

/** A new order's view (nothing refunded, updated or paid yet), read from the order itself rather than a record copied from it. */
export function toNewOrderView(order: NewOrder): OrderView {
  return orderView(order, 0, order.createdAt, null);
}

/** What every order, stored or new, has in common. */
type OrderFacts = Pick<
  OrderRecord,
  'id' | 'merchantTransId' | 'channel' | 'status' | 'currency' | 'amount' | 'items' | 'createdAt' | 'expiresAt'
>;

function orderView(order: OrderFacts, refundedAmount: number, updatedAt: string, paidAt: string | null): OrderView {
  const { currency } = order;
  return {
    id: order.id,
    merchantTransId: order.merchantTransId,
    channel: order.channel,
    status: order.status,
    amount: toAmount(order.amount, currency),
    refundedAmount: toAmount(refundedAmount, currency),
    items: order.items.map((line) => ({
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      unitPrice: toAmount(line.unitPrice, currency),
    })),
    createdAt: order.createdAt,
    updatedAt,
    paidAt,
    expiresAt: order.expiresAt,
  };
}

export function toChannelOrder(order: OrderFacts): ChannelOrder {
  const title = order.items.length === 1 ? order.items[0]!.title : `${order.items[0]!.title} and ${order.items.length - 1} more`;
  return {
    id: order.id,
    merchantTransId: order.merchantTransId,
    amount: order.amount,
    currency: order.currency,
    title: title.slice(0, 128),
    detail: order.items
      .map((l) => `${l.quantity} x ${l.sku}`)
      .join(', ')
      .slice(0, 256),
    createdAt: new Date(order.createdAt),
    expiresAt: new Date(order.expiresAt),
  };
}

/** A PENDING order for a priced cart: it expires after `orderTtlMs` and is first checked after `firstCheckDelayMs` (at the latest on expiry). */
export function newPendingOrder(input: {
  channel: ChannelName;
  buyerId: string | null;
  cart: PricedCart;
  createdAt: Date;
  orderTtlMs: number;
  firstCheckDelayMs: number;
}): NewOrder {
  const { cart, createdAt } = input;
  return {
    id: newOrderId(createdAt),
    merchantTransId: newMerchantTransId(createdAt),
    channel: input.channel,
    buyerId: input.buyerId,
    status: 'PENDING',
    currency: cart.currency,
    amount: cart.total,
    items: cart.lines,
    createdAt: createdAt.toISOString(),
    expiresAt: new Date(createdAt.getTime() + input.orderTtlMs).toISOString(),
    nextCheckAt: new Date(createdAt.getTime() + Math.min(input.firstCheckDelayMs, input.orderTtlMs)).toISOString(),
  };
}
