/**
 * Refunds: full or partial, several per order while their sum stays within the paid amount. Each
 * refund gets one merchantRefundId, stored (with the amount reserved) before the first gateway call
 * and reused on every retry, so a timeout or `U` can be retried without refunding twice.
 */
import { randomBytes } from 'node:crypto';
import { OrderNotRefundableError, RefundExceedsPaymentError, type OrderRecord, type RefundRecord, type Store } from './store';
import { backoffDelay, sleep as realSleep, type BackoffPolicy } from './backoff';
import { ChannelNotConfiguredError, type ChannelRegistry, type GatewayCall } from './channel';
import { ok, type Outcome, type RefundRefusal } from './outcomes';
import type { RuntimeOptions } from './service-options';
import { toChannelOrder, toOrderView } from './order-service';
import { idempotencyClaim, idempotencyOutcome, idempotencyScope, requestHash as hashRequest, type StoredIdempotency } from './idempotency';
import { toAmount, type Currency, type OrderView, type RefundView } from '@tradepay/shared';

export interface RefundServiceOptions extends RuntimeOptions {
  store: Store;
  channels: ChannelRegistry;
  /** In-request attempts when the gateway's answer is unknown. */
  attempts?: number;
  /** Schedule of later retries by the reconciler. */
  retryBackoff?: BackoffPolicy;
}

export interface RefundInput {
  orderId: string;
  amount?: number | undefined;
  reason?: string | undefined;
  idempotencyKey: string;
}

/** The refund (PENDING while the gateway has not confirmed it) and its order. */
export interface RefundAnswer {
  refund: RefundView;
  order: OrderView;
}

type RefundOutcome = Outcome<RefundAnswer, RefundRefusal>;

/** The status a final refund answer is stored (and replayed) with. */
const FINAL = 201;

export function toRefundView(refund: RefundRecord): RefundView {
  return {
    id: refund.id,
    orderId: refund.orderId,
    merchantRefundId: refund.merchantRefundId,
    amount: toAmount(refund.amount, refund.currency as Currency),
    status: refund.status,
    failureCode: refund.failureCode,
    createdAt: refund.createdAt,
  };
}

function newMerchantRefundId(): string {
  return `RF${randomBytes(15).toString('hex').toUpperCase()}`;
}

export function createRefundService(options: RefundServiceOptions) {
  const { store, channels } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const pause = options.sleep ?? realSleep;
  const attempts = options.attempts ?? 3;
  const retryBackoff = options.retryBackoff ?? { baseMs: 10_000, capMs: 10 * 60_000 };

  /**
   * Calls the gateway for a PENDING refund, retrying an unknown answer with the same
   * merchantRefundId; leaves it PENDING for the reconciler when the gateway stays silent.
   */
  async function execute(
    refund: RefundRecord,
    owner: string | null = null,
    tries = attempts,
    call?: GatewayCall,
  ): Promise<{ refund: RefundRecord; order: OrderRecord }> {
    const order = await store.getOrder(refund.orderId);
    if (!order) throw new Error(`refund ${refund.id} names a missing order`);
    const channel = channels.get(order.channel);
    if (!channel) throw new ChannelNotConfiguredError(order.channel);
    let done = refund.attempts;
    for (let i = 0; i < tries; i++) {
      if (i > 0) await pause(backoffDelay(i - 1, { baseMs: 200, capMs: 2_000 }, random));
      const result = await channel.refund(
        { ...toChannelOrder(order), gatewayTransactionId: order.gatewayTransactionId },
        { merchantRefundId: refund.merchantRefundId, amount: refund.amount, reason: refund.reason, resend: done > 0 },
        call,
      );
      done += 1;
      if (result.status === 'SUCCEEDED')
        return store.completeRefund(refund.id, { status: 'SUCCEEDED', gatewayRefundId: result.gatewayRefundId });
      if (result.status === 'FAILED') {
        options.log?.warn({ refundId: refund.id, code: result.code }, 'refund refused by the gateway');
        return store.completeRefund(refund.id, { status: 'FAILED', code: result.code });
      }
      if (result.held) {
        options.log?.warn(
          { refundId: refund.id, merchantRefundId: refund.merchantRefundId, reason: result.reason },
          'refund outcome unknown; held for reconciliation',
        );
        break;
      }
      options.log?.warn(
        { refundId: refund.id, merchantRefundId: refund.merchantRefundId, reason: result.reason },
        'refund outcome unknown; will retry with the same id',
      );
    }
    const nextAttemptAt = new Date(now().getTime() + backoffDelay(done, retryBackoff, random)).toISOString();
    await store.deferRefund(refund.id, { owner, nextAttemptAt, attempts: done });
    return { refund: (await store.getRefund(refund.id))!, order };
  }

  function answer(result: { refund: RefundRecord; order: OrderRecord }): RefundAnswer {
    return { refund: toRefundView(result.refund), order: toOrderView(result.order) };
  }

  /**
   * Executes the refund and stores a final answer for replays (a PENDING one is retried, by the
   * reconciler or by a retry under the same key).
   */
  async function executeAndRecord(refund: RefundRecord, scope: string, key: string, call: GatewayCall | undefined): Promise<RefundOutcome> {
    let result;
    try {
      result =
        refund.status === 'PENDING'
          ? answer(await execute(refund, null, attempts, call))
          : answer({ refund, order: (await store.getOrder(refund.orderId))! });
    } catch (error) {
      if (error instanceof ChannelNotConfiguredError) return { kind: 'channel-unavailable' };
      throw error;
    }
    if (result.refund.status !== 'PENDING') await store.completeIdempotency(scope, key, FINAL, JSON.stringify(result));
    return ok(result);
  }

  return {
    execute,

    async refund(input: RefundInput, call?: GatewayCall): Promise<RefundOutcome> {
      const order = await store.getOrder(input.orderId);
      if (!order) return { kind: 'order-not-found' };
      const amount = input.amount ?? order.amount - order.refundedAmount;
      const reason = input.reason ?? 'refund';
      const scope = idempotencyScope('refund', order.id);
      const requestHash = hashRequest({ amount: input.amount ?? null, reason: input.reason ?? null });
      const existing = await store.findIdempotency(scope, input.idempotencyKey);
      if (existing) return replay(existing);
      if (amount <= 0) return { kind: 'nothing-to-refund' };
      let created;
      try {
        created = await store.createRefund(
          {
            id: `rf_${randomBytes(12).toString('base64url')}`,
            orderId: order.id,
            merchantRefundId: newMerchantRefundId(),
            amount,
            reason,
            source: 'admin',
          },
          idempotencyClaim(scope, input.idempotencyKey, requestHash),
        );
      } catch (error) {
        if (error instanceof RefundExceedsPaymentError) return { kind: 'refund-exceeds-payment', refundable: error.refundable };
        if (error instanceof OrderNotRefundableError) return { kind: 'order-not-refundable', detail: error.message };
        throw error;
      }
      if (!created.created) {
        return replay(created.existing);
      }
      return executeAndRecord(created.refund, scope, input.idempotencyKey, call);

      async function replay(existing: StoredIdempotency): Promise<RefundOutcome> {
        const claimed = idempotencyOutcome<RefundAnswer>(existing, requestHash);
        if (claimed.kind === 'conflict') return { kind: 'idempotency-key-reused' };
        if (claimed.kind === 'replay') return ok(claimed.body);
        // Unfinished: the claim's body names the refund it created.
        const refundId = existing.responseBody ? (JSON.parse(existing.responseBody) as { refundId?: string }).refundId : undefined;
        const refund = refundId ? await store.getRefund(refundId) : null;
        if (!refund) return { kind: 'idempotency-key-in-use' };
        // Still pending: this retry retries the gateway call, with the same merchantRefundId.
        return executeAndRecord(refund, scope, input.idempotencyKey, call);
      }
    },
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
