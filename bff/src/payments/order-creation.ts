/**
 * Creating an order: priced by the server from the catalog, idempotent under a key, its payment
 * created by the channel (signed locally, or asked of the gateway after the order is stored).
 */
import type { ChannelName, H5Wallet, OrderView, PaymentAction } from '@tradepay/shared';
import type { GatewayCall } from './channel';
import type { IdempotencyRecord, OrderRecord } from './store';
import { idempotencyClaim, idempotencyOutcome, idempotencyScope, requestHash as hashRequest } from './idempotency';
import { newPendingOrder, toChannelOrder, toNewOrderView, toOrderView } from './order-views';
import type { OrderContext } from './order-context';
import { ok, type OrderRefusal, type Outcome } from './outcomes';
import { priceCart } from './pricing';

export interface CreateOrderInput {
  items: { sku: string; quantity: number }[];
  channel?: ChannelName | undefined;
  buyerId?: string | null;
  clientIp: string;
  /** H5 only: the wallet the shopper chose; passed to the channel, not stored. */
  wallet?: H5Wallet | undefined;
  idempotencyKey?: string | undefined;
}

/** The order and its payment action; `replayed` when it is the answer to an earlier request under the key. */
export interface CreateOrderResult {
  body: { order: OrderView; payment: PaymentAction };
  replayed: boolean;
}

type CreateOrderOutcome = Outcome<CreateOrderResult, OrderRefusal>;

/** The status an order's creation answer is stored (and replayed) with. */
const CREATED = 201;

export function createOrderCreation(ctx: OrderContext) {
  const { options, store, now, channelFor } = ctx;
  const firstCheckDelayMs = options.firstCheckDelayMs ?? 60_000;

  function idemScope(input: CreateOrderInput): string {
    return idempotencyScope('create-order', input.buyerId ?? 'anonymous');
  }

  async function replay(
    existing: IdempotencyRecord,
    requestHash: string,
    input: CreateOrderInput,
    call: GatewayCall | undefined,
  ): Promise<CreateOrderOutcome> {
    const outcome = idempotencyOutcome<CreateOrderResult['body']>(existing, requestHash);
    if (outcome.kind === 'conflict') return { kind: 'idempotency-key-reused' };
    if (outcome.kind === 'replay') return ok({ body: outcome.body, replayed: true });
    // The first attempt stored its order but not its answer (it crashed or the gateway failed):
    // finish that same order, with the same merchantTransId, rather than making a second one.
    const order = existing.orderId ? await store.getOrder(existing.orderId) : null;
    if (!order) return { kind: 'idempotency-key-in-use' };
    return finishPayment(order, input, call);
  }

  async function finishPayment(order: OrderRecord, input: CreateOrderInput, call: GatewayCall | undefined): Promise<CreateOrderOutcome> {
    const payment = await channelFor(order.channel).createPayment(
      toChannelOrder(order),
      { clientIp: input.clientIp, wallet: input.wallet },
      call,
    );
    const body = { order: toOrderView(order), payment };
    await store.attachPayment(
      order.id,
      payment,
      input.idempotencyKey
        ? { scope: idemScope(input), key: input.idempotencyKey, status: CREATED, body: JSON.stringify(body) }
        : undefined,
    );
    return ok({ body, replayed: false });
  }

  return {
    async createOrder(input: CreateOrderInput, call?: GatewayCall): Promise<CreateOrderOutcome> {
      const channelName = input.channel ?? options.defaultChannel;
      const channel = options.channels.get(channelName);
      if (!channel) return { kind: 'channel-unavailable', channel: channelName };
      const priced = priceCart(options.catalog, input.items);
      if (priced.kind !== 'ok') return priced;
      const cart = priced.value;
      if (channel.currencies && !channel.currencies.includes(cart.currency)) {
        // Refused before anything is stored: no order is left behind for a payment that cannot be.
        return { kind: 'channel-unavailable', channel: channelName, currency: cart.currency };
      }
      // Only a request that can be retried under a key needs its hash.
      const requestHash = input.idempotencyKey
        ? hashRequest({ items: input.items, channel: channelName, ...(input.wallet ? { wallet: input.wallet } : {}) })
        : '';
      // No read of the key first: the insert claims it in its own transaction and hands back an
      // earlier claim, which is replayed below. A first attempt (nearly every request) costs one write.
      const order = newPendingOrder({
        channel: channelName,
        buyerId: input.buyerId ?? null,
        cart,
        createdAt: now(),
        orderTtlMs: options.orderTtlMs,
        firstCheckDelayMs,
      });
      const claim = input.idempotencyKey ? idempotencyClaim(idemScope(input), input.idempotencyKey, requestHash) : undefined;
      if (channel.paymentIsLocal) {
        // Signing calls no gateway: sign first, then one write holds the order, its payment and the
        // answer a retry replays. A crash before the commit leaves nothing behind to finish.
        // The order object itself is viewed, signed for and stored: no record or copy is made of it.
        const payment = await channel.createPayment(toChannelOrder(order), { clientIp: input.clientIp, wallet: input.wallet }, call);
        order.payment = payment;
        const body = { order: toNewOrderView(order), payment };
        const inserted = await store.insertOrder(order, claim, claim ? { status: CREATED, body: JSON.stringify(body) } : undefined);
        if (!inserted.inserted) return replay(inserted.existing, requestHash, input, call);
        return ok({ body, replayed: false });
      }
      const inserted = await store.insertOrder(order, claim);
      if (!inserted.inserted) return replay(inserted.existing, requestHash, input, call);
      return finishPayment(inserted.order, input, call);
    },
  };
}
