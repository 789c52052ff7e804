/**
 * The payment flow, free of any page or runtime: Pay → `creating` (POST /api/orders) → `paying`
 * (`my.tradePay`) → the result-code table → `confirming` (POST /confirm, then GET with backoff) →
 * `succeeded` / `failed` / `cancelled`, or still `confirming` when the polling limit is reached.
 *
 * The `resultCode` is advice, never proof (docs/protocols/alipayhk.md#mini-program-result-codes): `succeeded` comes only from the BFF
 * saying the order is SUCCEEDED, and the BFF's SUCCEEDED wins over any code.
 */
import { isFinalStatus, toTradePayResult, type CreateOrderBody, type OrderView } from '@tradepay/shared';
import type { ApiClient } from '../api/client';
import { paymentChannel } from '../config';
import { toApiError, type ApiError } from '../api/errors';
import type { TradePay } from '../platform/types';
import { createExclusive } from './exclusive';
import { createRetryKeys } from './retry-key';

export interface PollingPolicy {
  /** Wait before the first GET after the confirm answer. */
  firstDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** ±fraction of each delay, so a crowd of buyers does not poll in lockstep. */
  jitter: number;
  maxAttempts: number;
  /** Stop polling once this much time has passed since the confirm answer. */
  maxWaitMs: number;
}

/**
 * 1 s, 2 s, 4 s, then every 5 s, for at most 8 GETs or 30 s: long enough for a `processing` (8000)
 * payment to settle in the common case, short enough that the buyer is not left watching a spinner.
 * Past that, the order is the BFF reconciler's job and the UI says "still confirming".
 */
export const DEFAULT_POLLING: PollingPolicy = {
  firstDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 5_000,
  jitter: 0.2,
  maxAttempts: 8,
  maxWaitMs: 30_000,
};

/** A cancel or failure still tells the BFF (it may know better), but must not keep the buyer waiting. */
export const QUIET_CONFIRM_TIMEOUT_MS = 5_000;

/**
 * The codes after which the shopper has given up on this order (cancelled, stopped, "forgot password",
 * failed): the order is closed at once (`POST /api/orders/:id/cancel`, which queries the gateway first),
 * so "My orders" does not list an abandoned attempt as awaiting payment.
 */
export const QUIET_CANCEL_CODES: readonly string[] = ['6001', '7001', '99', '4000'];

export type FailReason =
  /** POST /api/orders failed: nothing was paid. */
  | 'create-error'
  /** The BFF answered with a payment the mini program cannot run (a redirect). */
  | 'unsupported-payment'
  /** The result-code table says failed (4000, 4). */
  | 'payment-failed'
  /** The BFF says the order FAILED. */
  | 'order-failed'
  /** The BFF says the order was paid and then refunded. */
  | 'order-refunded';

export type CheckoutOutcome =
  | { state: 'succeeded'; order: OrderView; resultCode: string }
  | { state: 'failed'; reason: FailReason; order?: OrderView; resultCode?: string; error?: ApiError }
  | { state: 'cancelled'; order?: OrderView; resultCode?: string }
  /** The polling limit was reached while the order was still PENDING (or the BFF unreachable). */
  | { state: 'confirming'; orderId: string; order?: OrderView; resultCode: string; error?: ApiError };

export type FlowEvent =
  { state: 'creating' } | { state: 'paying'; order: OrderView } | { state: 'confirming'; orderId: string; attempt: number };

export interface CheckoutFlowDeps {
  api: Pick<ApiClient, 'createOrder' | 'confirmOrder' | 'getOrder' | 'cancelOrder'>;
  tradePay: TradePay;
  sleep(ms: number): Promise<void>;
  now(): number;
  random(): number;
  polling?: Partial<PollingPolicy>;
}

export interface CheckoutFlow {
  /** Runs one payment. Resolves with null (and does nothing) while another payment is in flight. */
  pay(items: CreateOrderBody['items'], onEvent?: (event: FlowEvent) => void): Promise<CheckoutOutcome | null>;
  /** "Check again" after the polling limit: confirms and polls once more. Null while busy. */
  recheck(orderId: string, resultCode: string, onEvent?: (event: FlowEvent) => void): Promise<CheckoutOutcome | null>;
  readonly busy: boolean;
}

/** What the final order status means for the buyer. */
export function outcomeOfFinalOrder(order: OrderView, resultCode: string): CheckoutOutcome {
  switch (order.status) {
    case 'SUCCEEDED':
      return { state: 'succeeded', order, resultCode };
    case 'CANCELLED':
      return { state: 'cancelled', order, resultCode };
    case 'FAILED':
      return { state: 'failed', reason: 'order-failed', order, resultCode };
    default:
      return { state: 'failed', reason: 'order-refunded', order, resultCode };
  }
}

/**
 * Asks the BFF to confirm (it queries the gateway when the code allows a payment), then polls the
 * order with backoff until it is final or the policy's limit is reached. Shared by checkout and by the
 * auto-debit charge flow.
 */
export async function confirmAndPoll(
  deps: Pick<CheckoutFlowDeps, 'sleep' | 'now' | 'random'> & { api: Pick<ApiClient, 'confirmOrder' | 'getOrder'> },
  policy: PollingPolicy,
  orderId: string,
  resultCode: string,
  emit: (event: FlowEvent) => void,
): Promise<CheckoutOutcome> {
  const jittered = (ms: number) => Math.round(ms * (1 + (deps.random() * 2 - 1) * policy.jitter));
  emit({ state: 'confirming', orderId, attempt: 0 });
  let order: OrderView | undefined;
  let error: ApiError | undefined;
  try {
    order = await deps.api.confirmOrder(orderId, resultCode);
    if (isFinalStatus(order.status)) return outcomeOfFinalOrder(order, resultCode);
  } catch (caught) {
    // The confirm may fail while the payment went through: keep asking with GETs.
    error = toApiError(caught);
  }
  const started = deps.now();
  let delay = policy.firstDelayMs;
  for (let attempt = 1; attempt <= policy.maxAttempts && deps.now() - started < policy.maxWaitMs; attempt += 1) {
    await deps.sleep(jittered(delay));
    delay = Math.min(delay * policy.factor, policy.maxDelayMs);
    emit({ state: 'confirming', orderId, attempt });
    try {
      order = await deps.api.getOrder(orderId);
      error = undefined;
      if (isFinalStatus(order.status)) return outcomeOfFinalOrder(order, resultCode);
    } catch (caught) {
      error = toApiError(caught);
    }
  }
  return { state: 'confirming', orderId, order, resultCode, error };
}

export function createCheckoutFlow(deps: CheckoutFlowDeps): CheckoutFlow {
  const policy: PollingPolicy = { ...DEFAULT_POLLING, ...deps.polling };
  const guard = createExclusive();
  const retryKeys = createRetryKeys('mp', deps);

  const poll = (orderId: string, resultCode: string, emit: (event: FlowEvent) => void) =>
    confirmAndPoll(deps, policy, orderId, resultCode, emit);

  async function run(items: CreateOrderBody['items'], emit: (event: FlowEvent) => void): Promise<CheckoutOutcome> {
    emit({ state: 'creating' });
    const body: CreateOrderBody = { items, channel: paymentChannel };
    const bodyText = JSON.stringify(body);
    const key = retryKeys.keyFor(bodyText);
    let created;
    try {
      created = await deps.api.createOrder(body, key);
      retryKeys.settle(bodyText, key, false);
    } catch (caught) {
      const error = toApiError(caught);
      // Unknown outcome (timeout, 5xx): the same cart retried must not create a second order.
      retryKeys.settle(bodyText, key, error.ambiguous);
      return { state: 'failed', reason: 'create-error', error };
    }
    const { order, payment } = created;
    if (payment.type !== 'tradePay') return { state: 'failed', reason: 'unsupported-payment', order };

    emit({ state: 'paying', order });
    let outcome;
    try {
      outcome = await deps.tradePay(payment.orderStr);
    } catch (caught) {
      outcome = { kind: 'fail' as const, errorMessage: String(caught) };
    }
    const resultCode = outcome.kind === 'result' ? outcome.resultCode : 'fail';
    const row = toTradePayResult(resultCode);

    if (row.state === 'confirming') return poll(order.id, resultCode, emit);

    // failed / cancelled: tell the BFF anyway; if it knows the order is paid, that wins.
    let confirmed: OrderView | undefined;
    try {
      confirmed = await deps.api.confirmOrder(order.id, resultCode, { timeoutMs: QUIET_CONFIRM_TIMEOUT_MS });
    } catch {
      // Quiet: the table already decided what the buyer sees.
    }
    if (confirmed?.status === 'SUCCEEDED') return { state: 'succeeded', order: confirmed, resultCode };
    let latest = confirmed ?? order;
    if (QUIET_CANCEL_CODES.includes(resultCode) && latest.status === 'PENDING') {
      try {
        latest = await deps.api.cancelOrder(order.id, { timeoutMs: QUIET_CONFIRM_TIMEOUT_MS });
      } catch {
        // Quiet too: the reconciler closes it when it expires.
      }
      if (latest.status === 'SUCCEEDED') return { state: 'succeeded', order: latest, resultCode };
    }
    return row.state === 'failed'
      ? { state: 'failed', reason: 'payment-failed', order: latest, resultCode }
      : { state: 'cancelled', order: latest, resultCode };
  }

  const exclusive = (task: () => Promise<CheckoutOutcome>) => guard.run(task);

  const ignore = () => {};
  return {
    pay: (items, onEvent = ignore) => exclusive(() => run(items, onEvent)),
    recheck: (orderId, resultCode, onEvent = ignore) => exclusive(() => poll(orderId, resultCode, onEvent)),
    get busy() {
      return guard.busy;
    },
  };
}
