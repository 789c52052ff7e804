/**
 * How a payment service answers: a discriminated union of what happened. Success carries its value
 * (`{ kind: 'ok', value }`); a refusal is named (`{ kind: 'order-not-found' }`) and carries the facts
 * that explain it, never an HTTP status. Routes map refusals to their HTTP answer (routes/refusals.ts).
 * Bugs and infrastructure failures (a store that fails) still throw; so does the "unknown" of the
 * gateway ports (GatewayUnknownError, known()), which a service turns into `gateway-unknown`.
 */
import type { AgreementStatus, OrderStatus } from '@tradepay/shared';

export interface Ok<T> {
  kind: 'ok';
  value: T;
}

export type Outcome<T, R extends Refusal = Refusal> = Ok<T> | R;

export function ok<T>(value: T): Ok<T> {
  return { kind: 'ok', value };
}

/** Pricing a cart from the catalog. */
export type PricingRefusal =
  { kind: 'unknown-sku'; sku: string } | { kind: 'mixed-currencies' } | { kind: 'empty-cart' } | { kind: 'amount-too-large' };

/** A retried request under an Idempotency-Key. */
export type IdempotencyRefusal = { kind: 'idempotency-key-reused' } | { kind: 'idempotency-key-in-use' };

/**
 * The channel is not configured, or (with a currency) does not take that currency. A refund names
 * no channel: it is the order's.
 */
export interface ChannelUnavailable {
  kind: 'channel-unavailable';
  channel?: string;
  currency?: string;
}

/** Orders and refunds. */
export type OrderRefusal =
  | PricingRefusal
  | IdempotencyRefusal
  | ChannelUnavailable
  | { kind: 'order-not-found' }
  | { kind: 'order-not-cancellable'; status: OrderStatus }
  /** The gateway's answer, asked before cancelling, says the buyer has just paid. */
  | { kind: 'order-already-paid' }
  | { kind: 'cancel-refused'; code: string }
  /** The gateway did not answer; nothing was decided. */
  | { kind: 'gateway-unknown' };

export type RefundRefusal =
  | IdempotencyRefusal
  | { kind: 'order-not-found' }
  | { kind: 'order-not-refundable'; detail: string }
  /** `refundable`: what can still be refunded, in minor units. */
  | { kind: 'refund-exceeds-payment'; refundable: number }
  | { kind: 'nothing-to-refund' }
  | ChannelUnavailable;

/** Auto-debit: binding, unbinding, charging. */
export type AgreementRefusal =
  | PricingRefusal
  | IdempotencyRefusal
  | { kind: 'auto-debit-unavailable' }
  | { kind: 'wallet-sign-in-required' }
  | { kind: 'agreement-not-found' }
  /** `status` is ours; null: the wallet no longer accepts it (expired or revoked there). */
  | { kind: 'agreement-not-active'; status: AgreementStatus | null }
  /** The wallet's return does not match a PENDING agreement; `why` says what did not. */
  | { kind: 'return-rejected'; why: string }
  /** The wallet refused to start (`prepare`) or to end (`cancel`) a binding. */
  | { kind: 'wallet-refused'; step: 'prepare' | 'cancel'; code: string }
  | { kind: 'currency-not-supported'; currency: string }
  | { kind: 'daily-cap-exceeded'; chargedToday: number; dailyCap: number; currency: string }
  | { kind: 'gateway-unknown' };

export type Refusal = OrderRefusal | RefundRefusal | AgreementRefusal;
