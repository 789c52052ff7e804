/**
 * AlipayHK payment states → our normalised query result. The status names are not public
 * (docs/protocols/alipayhk.md#query-statuses): AlipayHK pages mention WAIT_BUYER_PAY and TRADE_CLOSED; the sibling DANA uses
 * INIT/PAYING/SUCCESS/CLOSED/CANCELLED. Anything unlisted is UNKNOWN, so we ask again rather than guess.
 */
export type NormalisedPaymentStatus = 'PAID' | 'PENDING' | 'CLOSED' | 'UNKNOWN';

const STATUS: Record<string, NormalisedPaymentStatus> = {
  SUCCESS: 'PAID',
  TRADE_SUCCESS: 'PAID',
  WAIT_BUYER_PAY: 'PENDING',
  INIT: 'PENDING',
  PAYING: 'PENDING',
  PROCESSING: 'PENDING',
  CLOSED: 'CLOSED',
  TRADE_CLOSED: 'CLOSED',
  CANCELLED: 'CLOSED',
  FAIL: 'CLOSED',
};

export function toNormalisedPaymentStatus(acquirementStatus: string | undefined): NormalisedPaymentStatus {
  if (!acquirementStatus) return 'UNKNOWN';
  return STATUS[acquirementStatus] ?? 'UNKNOWN';
}

/** `F` result codes of payQuery that mean "we have never seen this payment". */
export const NOT_FOUND_RESULT_CODES = new Set(['ORDER_NOT_EXIST', 'ORDER_NOT_FOUND', 'TRANSACTION_NOT_EXIST']);
