/**
 * An auto-debit charge ("subscribe and pay later"), free of any page or runtime: `creating`
 * (POST /api/agreements/:id/charges; the BFF debits the bound wallet before it answers) → `succeeded`
 * when the BFF says SUCCEEDED, `failed` on a refusal, or `confirming` when the debit's outcome is not
 * known yet: then the same confirm-and-poll as checkout (the BFF queries the gateway) until the order
 * is final or the polling limit says "still confirming".
 *
 * There is no wallet UI in a charge, so there is no resultCode: confirm is sent `6004` ("result
 * unknown, may have succeeded: query"), which is exactly the charge's situation.
 */
import { isFinalStatus, type OrderView } from '@tradepay/shared';
import type { ApiClient } from '../api/client';
import { toApiError, type ApiError } from '../api/errors';
import { DEFAULT_POLLING, confirmAndPoll, type FlowEvent, type PollingPolicy } from './checkout-flow';
import { createExclusive } from './exclusive';
import { createRetryKeys } from './retry-key';

/** The my.tradePay code meaning "unknown, go and ask": what a charge whose answer was PENDING is. */
export const UNKNOWN_OUTCOME_CODE = '6004';

export type ChargeFailReason =
  /** The charge request failed (network, 5xx, or a refusal not listed below): nothing was charged, or it is unknown. */
  | 'request-error'
  /** The wallet refused the debit (CHARGE_DECLINED). */
  | 'declined'
  /** The agreement is no longer active (revoked, expired): bind again. */
  | 'inactive'
  /** The charge would exceed the agreement's daily limit. */
  | 'over-limit'
  /** The BFF says the order FAILED (or was cancelled, or refunded). */
  | 'order-failed';

export type ChargeOutcome =
  | { state: 'succeeded'; order: OrderView }
  | { state: 'failed'; reason: ChargeFailReason; order?: OrderView; error?: ApiError }
  /** The polling limit was reached while the order was still PENDING (or the BFF unreachable). */
  | { state: 'confirming'; orderId: string; order?: OrderView; error?: ApiError };

export type ChargeEvent = { state: 'creating' } | Extract<FlowEvent, { state: 'confirming' }>;

export interface ChargeFlowDeps {
  api: Pick<ApiClient, 'charge' | 'confirmOrder' | 'getOrder'>;
  sleep(ms: number): Promise<void>;
  now(): number;
  random(): number;
  polling?: Partial<PollingPolicy>;
}

export interface ChargeFlow {
  /** Runs one charge. Resolves with null (and does nothing) while another one is in flight. */
  charge(
    agreementId: string,
    items: { sku: string; quantity: number }[],
    onEvent?: (event: ChargeEvent) => void,
  ): Promise<ChargeOutcome | null>;
  /** "Check again" after the polling limit. Null while busy. */
  recheck(orderId: string, onEvent?: (event: ChargeEvent) => void): Promise<ChargeOutcome | null>;
  readonly busy: boolean;
}

/** What the BFF's refusal code means for the buyer. */
export function failReasonOf(error: ApiError): ChargeFailReason {
  if (error.kind !== 'http') return 'request-error';
  switch (error.code) {
    case 'CHARGE_DECLINED':
      return 'declined';
    case 'AGREEMENT_NOT_ACTIVE':
    case 'AGREEMENT_NOT_FOUND':
      return 'inactive';
    case 'DAILY_CAP_EXCEEDED':
      return 'over-limit';
    default:
      return 'request-error';
  }
}

function outcomeOfOrder(order: OrderView): ChargeOutcome {
  return order.status === 'SUCCEEDED' ? { state: 'succeeded', order } : { state: 'failed', reason: 'order-failed', order };
}

export function createChargeFlow(deps: ChargeFlowDeps): ChargeFlow {
  const policy: PollingPolicy = { ...DEFAULT_POLLING, ...deps.polling };
  const guard = createExclusive();
  const retryKeys = createRetryKeys('mp-ad', deps);

  async function poll(orderId: string, emit: (event: ChargeEvent) => void): Promise<ChargeOutcome> {
    const outcome = await confirmAndPoll(deps, policy, orderId, UNKNOWN_OUTCOME_CODE, (event) => {
      if (event.state === 'confirming') emit(event);
    });
    if (outcome.state === 'confirming') return { state: 'confirming', orderId, order: outcome.order, error: outcome.error };
    if (outcome.state === 'succeeded') return { state: 'succeeded', order: outcome.order };
    return { state: 'failed', reason: 'order-failed', order: outcome.order };
  }

  async function run(
    agreementId: string,
    items: { sku: string; quantity: number }[],
    emit: (event: ChargeEvent) => void,
  ): Promise<ChargeOutcome> {
    emit({ state: 'creating' });
    const bodyText = JSON.stringify({ agreementId, items });
    // An unknown outcome (timeout, 5xx) retried with the same charge must not charge twice.
    const key = retryKeys.keyFor(bodyText);
    let order: OrderView;
    try {
      order = await deps.api.charge(agreementId, { items }, key);
    } catch (caught) {
      const error = toApiError(caught);
      retryKeys.settle(bodyText, key, error.ambiguous);
      return { state: 'failed', reason: failReasonOf(error), error };
    }
    retryKeys.settle(bodyText, key, false);
    if (isFinalStatus(order.status)) return outcomeOfOrder(order);
    return poll(order.id, emit);
  }

  const exclusive = (task: () => Promise<ChargeOutcome>) => guard.run(task);

  const ignore = () => {};
  return {
    charge: (agreementId, items, onEvent = ignore) => exclusive(() => run(agreementId, items, onEvent)),
    recheck: (orderId, onEvent = ignore) => exclusive(() => poll(orderId, onEvent)),
    get busy() {
      return guard.busy;
    },
  };
}
