/**
 * The one way a gateway's payment status becomes ours: each channel's `status-map.ts` lists the wire
 * statuses it knows, and anything unlisted (or not a string) is UNKNOWN, so we ask again rather than guess.
 */
import type { PaymentQueryResult } from '../payments/channel';

/** The states a `PaymentQueryResult` speaks. */
export type NormalisedPaymentStatus = PaymentQueryResult['status'];

export type StatusTable = Readonly<Record<string, Exclude<NormalisedPaymentStatus, 'UNKNOWN'>>>;

export function lookUpStatus(table: StatusTable, status: unknown): NormalisedPaymentStatus {
  return typeof status === 'string' && Object.hasOwn(table, status) ? table[status]! : 'UNKNOWN';
}
