/**
 * The order service: server-side pricing, idempotent creation, and the only code that moves an
 * order's status — from verified gateway evidence, never from what a client says.
 */
import { toTradePayResult, type ChannelName, type OrderView, type PaymentAction, type H5Wallet } from '@tradepay/shared';
import type { Catalog } from '../catalog/catalog';
import { AppError, NotificationRejectedError } from '../errors';
import { toNewOrderRecord } from '../store/rows';
import type { IdempotencyRecord, OrderRecord, Store } from './store';
import type { Channel, ChannelRegistry, PaymentEvidence, VerifiedNotification } from './channel';
import { backoffDelay, sleep as realSleep, type BackoffPolicy } from './backoff';
import { idempotencyClaim, idempotencyOutcome, idempotencyScope, requestHash as hashRequest } from './idempotency';
import { newPendingOrder, toChannelOrder, toOrderView } from './order-views';
import { priceCart } from './pricing';

export { toChannelOrder, toOrderView } from './order-views';

export interface OrderServiceOptions {
  store: Store;
  catalog: Catalog;
  channels: ChannelRegistry;
  defaultChannel: ChannelName;
  orderTtlMs: number;
  /** When the reconciler first looks at a new order (the buyer is usually still paying). */
  firstCheckDelayMs?: number;
  /** Schedule of gateway queries for one order: confirm retries and reconciler checks. */
  queryBackoff?: BackoffPolicy;
  /** In-request query retries when the gateway's answer is unknown. */
  confirmAttempts?: number;
  /** Confirm asks the gateway at most this often per order; in between it answers from the store. */
  minQueryIntervalMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface CreateOrderInput {
  items: { sku: string; quantity: number }[];
  channel?: ChannelName | undefined;
  buyerId?: string | null;
  clientIp: string;
  /** H5 only: the wallet the shopper chose; passed to the channel, not stored. */
  wallet?: H5Wallet | undefined;
  idempotencyKey?: string | undefined;
}

export interface CreateOrderResult {
  statusCode: number;
  body: { order: OrderView; payment: PaymentAction };
  replayed: boolean;
}

export function createOrderService(options: OrderServiceOptions) {
  const { store, catalog, channels } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const pause = options.sleep ?? realSleep;
  const queryBackoff = options.queryBackoff ?? { baseMs: 5_000, capMs: 5 * 60_000 };
  const confirmAttempts = options.confirmAttempts ?? 3;
  const minQueryIntervalMs = options.minQueryIntervalMs ?? 1_000;
  const firstCheckDelayMs = options.firstCheckDelayMs ?? 60_000;

  /** Next check: backoff from the attempt count, but never later than the order's expiry. */
  function nextCheckAt(order: OrderRecord, attempts: number): string {
    const at = now().getTime() + backoffDelay(attempts, queryBackoff, random);
    const expiry = new Date(order.expiresAt).getTime();
    return new Date(at > expiry && now().getTime() < expiry ? expiry : at).toISOString();
  }

  /** Applies a verified "paid" to the order; a payment after close is refunded, never dropped. */
  async function applyPaid(order: OrderRecord, evidence: PaymentEvidence, reason: string): Promise<OrderRecord> {
    checkEvidence(order, evidence, channelFor(order.channel));
    const result = await store.markPaid(order.id, evidence, reason);
    if (result.latePaymentRefund) {
      options.log?.warn(
        { orderId: order.id, refundId: result.latePaymentRefund.id },
        'payment arrived after the order was closed: refund recorded',
      );
    }
    return result.order;
  }

  /**
   * One question to the gateway about a PENDING order, with its answer applied. Returns the order
   * and whether the answer was conclusive. A gateway error never fails an order.
   */
  async function queryOnce(order: OrderRecord): Promise<{ order: OrderRecord; conclusive: boolean; status: string }> {
    const result = await channelFor(order.channel).queryPayment(toChannelOrder(order));
    if (result.status === 'PAID') {
      try {
        return { order: await applyPaid(order, result.evidence, 'query'), conclusive: true, status: 'PAID' };
      } catch (error) {
        options.log?.error({ orderId: order.id, err: error }, 'signed query answer does not match the order');
        return { order, conclusive: false, status: 'MISMATCH' };
      }
    }
    if (result.status === 'CLOSED') {
      return {
        order: (await store.closeUnpaid(order.id, result.closedAs ?? 'FAILED', 'query: closed at gateway')).order,
        conclusive: true,
        status: 'CLOSED',
      };
    }
    if (result.status === 'UNKNOWN') {
      options.log?.warn({ orderId: order.id, reason: result.reason }, 'payment query inconclusive');
      return { order, conclusive: false, status: 'UNKNOWN' };
    }
    return { order, conclusive: true, status: 'PENDING' };
  }

  function channelFor(name: ChannelName): Channel {
    const channel = channels.get(name);
    if (!channel) throw new AppError('CHANNEL_UNAVAILABLE', `Payment channel ${name} is not configured`);
    return channel;
  }

  async function replay(existing: IdempotencyRecord, requestHash: string, input: CreateOrderInput): Promise<CreateOrderResult> {
    const outcome = idempotencyOutcome<CreateOrderResult['body']>(existing, requestHash);
    if (outcome.kind === 'conflict') throw new AppError('IDEMPOTENCY_KEY_REUSED');
    if (outcome.kind === 'replay') return { statusCode: outcome.statusCode, body: outcome.body, replayed: true };
    // The first attempt stored its order but not its answer (it crashed or the gateway failed):
    // finish that same order, with the same merchantTransId, rather than making a second one.
    const order = existing.orderId ? await store.getOrder(existing.orderId) : null;
    if (!order) throw new AppError('IDEMPOTENCY_KEY_IN_USE');
    return finishPayment(order, input, requestHash);
  }

  async function finishPayment(order: OrderRecord, input: CreateOrderInput, _requestHash: string): Promise<CreateOrderResult> {
    const payment = await channelFor(order.channel).createPayment(toChannelOrder(order), {
      clientIp: input.clientIp,
      wallet: input.wallet,
    });
    const body = { order: toOrderView(order), payment };
    await store.attachPayment(
      order.id,
      payment,
      input.idempotencyKey ? { scope: idemScope(input), key: input.idempotencyKey, status: 201, body: JSON.stringify(body) } : undefined,
    );
    return { statusCode: 201, body, replayed: false };
  }

  function idemScope(input: CreateOrderInput): string {
    return idempotencyScope('create-order', input.buyerId ?? 'anonymous');
  }

  return {
    async createOrder(input: CreateOrderInput): Promise<CreateOrderResult> {
      const channelName = input.channel ?? options.defaultChannel;
      const channel = channelFor(channelName);
      const cart = priceCart(catalog, input.items);
      if (channel.currencies && !channel.currencies.includes(cart.currency)) {
        // Refused before anything is stored: no order is left behind for a payment that cannot be.
        throw new AppError('CHANNEL_UNAVAILABLE', `Channel ${channelName} does not take ${cart.currency}`);
      }
      // Only a request that can be retried under a key needs its hash.
      const requestHash = input.idempotencyKey
        ? hashRequest({ items: input.items, channel: channelName, ...(input.wallet ? { wallet: input.wallet } : {}) })
        : '';
      if (input.idempotencyKey) {
        const existing = await store.findIdempotency(idemScope(input), input.idempotencyKey);
        if (existing) return replay(existing, requestHash, input);
      }
      const createdAt = now();
      const order = newPendingOrder({
        channel: channelName,
        buyerId: input.buyerId ?? null,
        cart,
        createdAt,
        orderTtlMs: options.orderTtlMs,
        firstCheckDelayMs,
      });
      const claim = input.idempotencyKey ? idempotencyClaim(idemScope(input), input.idempotencyKey, requestHash) : undefined;
      if (channel.paymentIsLocal) {
        // Signing calls no gateway: sign first, then one write holds the order, its payment and the
        // answer a retry replays. A crash before the commit leaves nothing behind to finish.
        const record = toNewOrderRecord(order);
        const payment = await channel.createPayment(toChannelOrder(record), { clientIp: input.clientIp, wallet: input.wallet });
        const body = { order: toOrderView({ ...record, payment }), payment };
        const inserted = await store.insertOrder(
          { ...order, payment },
          claim,
          claim ? { status: 201, body: JSON.stringify(body) } : undefined,
        );
        if (!inserted.inserted) return replay(inserted.existing, requestHash, input);
        return { statusCode: 201, body, replayed: false };
      }
      const inserted = await store.insertOrder(order, claim);
      if (!inserted.inserted) return replay(inserted.existing, requestHash, input);
      return finishPayment(inserted.order, input, requestHash);
    },

    /**
     * Reads an order. With a buyer, only that buyer's own orders exist: another buyer's order is a
     * 404, indistinguishable from an order that does not exist.
     */
    async getOrder(id: string, buyerId?: string | null): Promise<OrderRecord> {
      const order = await store.getOrder(id);
      if (!order || (buyerId !== undefined && order.buyerId !== buyerId)) throw new AppError('ORDER_NOT_FOUND');
      return order;
    },

    /**
     * The client reports what `my.tradePay` said. That is a hint, not evidence: when the code means
     * money may have moved, ask the gateway (a few times, backing off, when it cannot say); whatever
     * the code, only the gateway's signed answer changes the order.
     */
    async confirm(id: string, resultCode: string, buyerId?: string | null): Promise<OrderRecord> {
      let order = await this.getOrder(id, buyerId);
      if (order.status !== 'PENDING' || !toTradePayResult(resultCode).mayHavePaid) return order;
      const state = await store.getCheckState(order.id);
      // Many clients polling one order must not fan out into gateway queries.
      if (state.lastCheckedAt && now().getTime() - new Date(state.lastCheckedAt).getTime() < minQueryIntervalMs) return order;
      let attempts = state.attempts;
      for (let i = 0; i < confirmAttempts; i++) {
        if (i > 0) await pause(backoffDelay(i - 1, { baseMs: 200, capMs: 2_000 }, random));
        const result = await queryOnce(order);
        order = result.order;
        attempts = result.conclusive ? attempts : attempts + 1;
        if (result.conclusive) break;
      }
      if (order.status === 'PENDING') {
        // Still open: make sure the reconciler comes back soon rather than at the slow schedule.
        await store.scheduleNextCheck(order.id, {
          owner: null,
          checkedAt: now().toISOString(),
          nextCheckAt: nextCheckAt(order, attempts),
          attempts,
        });
      }
      return order;
    },

    /** Queries the gateway for one PENDING order and applies a signed answer (the reconciler's step). */
    async reconcile(order: OrderRecord): Promise<OrderRecord> {
      if (order.status !== 'PENDING') return order;
      return (await queryOnce(order)).order;
    },

    queryOnce,
    nextCheckAt,
    /**
     * Applies a signed answer that states a payment directly (an auto-debit's agreement.pay): checked
     * against the order like every other evidence (merchant, transaction id, amount, currency).
     */
    applyPaidEvidence: applyPaid,

    /**
     * Closes an unpaid order at the gateway: query first (the buyer may have just paid), then
     * payCancel, then CANCELLED. A paid order is never cancelled here; it is refunded by the shop.
     */
    async cancel(id: string, buyerId?: string | null, reason = 'cancelled by the buyer'): Promise<OrderRecord> {
      const order = await this.getOrder(id, buyerId);
      if (order.status === 'CANCELLED') return order;
      if (order.status !== 'PENDING') throw new AppError('ORDER_NOT_CANCELLABLE', `Order is ${order.status}`);
      const checked = await queryOnce(order);
      if (!checked.conclusive) throw new AppError('GATEWAY_UNAVAILABLE');
      if (checked.order.status !== 'PENDING') {
        if (checked.order.status === 'SUCCEEDED') throw new AppError('ORDER_NOT_CANCELLABLE', 'Order is already paid');
        return checked.order;
      }
      const result = await channelFor(order.channel).cancelPayment(toChannelOrder(order));
      if (result.status === 'UNKNOWN') throw new AppError('GATEWAY_UNAVAILABLE');
      if (result.status === 'REFUSED') throw new AppError('ORDER_NOT_CANCELLABLE', `The gateway refused to cancel (${result.code})`);
      return (await store.closeUnpaid(order.id, 'CANCELLED', reason)).order;
    },

    /**
     * Applies a verified notification: its facts must match our order, then one conditional
     * transition in the same transaction as the notification row. Returns once committed.
     */
    async acceptNotification(notification: VerifiedNotification) {
      const order = await store.getOrderByMerchantTransId(notification.merchantTransId);
      if (!order) throw new NotificationRejectedError(`no order with merchantTransId ${notification.merchantTransId}`, 'unknown-order');
      const channel = channelFor(order.channel);
      if (order.channel !== notification.channel)
        throw new NotificationRejectedError('notification came through another channel', 'channel');
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
      if (result.latePaymentRefund) {
        options.log?.warn(
          { orderId: order.id, refundId: result.latePaymentRefund.id },
          'payment arrived after the order was closed: refund recorded',
        );
      }
      return result;
    },
  };
}

/** The gateway's signed facts must be about this order, for this amount, to this merchant. */
function checkEvidence(order: OrderRecord, evidence: PaymentEvidence, channel: Channel): void {
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

export type OrderService = ReturnType<typeof createOrderService>;
