/**
 * Intent statuses → our normalised query result. The three statuses are documented (docs/protocols/intents.md):
 * PENDING waits for the shopper, SUCCEEDED is paid, CANCELLED is "cancelled or timed out, closed
 * without payment" — which is an order CANCELLED, not FAILED. Anything else is UNKNOWN: ask again.
 */
import { lookUpStatus, type NormalisedPaymentStatus, type StatusTable } from '../status-table';

export type NormalisedIntentStatus = NormalisedPaymentStatus;

const STATUS: StatusTable = {
  SUCCEEDED: 'PAID',
  PENDING: 'PENDING',
  CANCELLED: 'CLOSED',
};

export function toNormalisedIntentStatus(status: unknown): NormalisedIntentStatus {
  return lookUpStatus(STATUS, status);
}

/**
 * [guess] Non-zero `code`s meaning "no such intent". The aggregator's error table is not public; an
 * HTTP 404 with any code is read the same way.
 */
export const NOT_FOUND_CODES = new Set([40400, 404]);
/** [guess] Non-zero `code`s meaning "the access token is not (or no longer) valid"; HTTP 401 too. */
export const UNAUTHORIZED_CODES = new Set([40100, 401]);
