/**
 * AlipayHK payment states → our normalised query result. The status names are not public
 * (docs/protocols/alipayhk.md#query-statuses): AlipayHK pages mention WAIT_BUYER_PAY and TRADE_CLOSED; the sibling DANA uses
 * INIT/PAYING/SUCCESS/CLOSED/CANCELLED. Anything unlisted is UNKNOWN, so we ask again rather than guess.
 */
import { lookUpStatus, type NormalisedPaymentStatus, type StatusTable } from '../status-table';

export type { NormalisedPaymentStatus } from '../status-table';

const STATUS: StatusTable = {
  SUCCESS: 'PAID',
  TRADE_SUCCESS: 'PAID',
  // Paid, and the refund period is over (https://docs.antom.com/ac/gr/trade_status).
  TRADE_FINISHED: 'PAID',
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
  return lookUpStatus(STATUS, acquirementStatus);
}

/** `F` result codes of payQuery that mean "we have never seen this payment". */
export const NOT_FOUND_RESULT_CODES = new Set(['ORDER_NOT_EXIST', 'ORDER_NOT_FOUND', 'TRANSACTION_NOT_EXIST']);

/**
 * Codes that mean "unknown: query or retry" whatever `resultStatus` they come with (docs/protocols/alipayhk.md#envelope:
 * https://global.alipay.com/docs/ac/PC2Mobile/errorhandling ,
 * https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/payquery , https://docs.antom.com/ac/openapi/payCancel).
 */
export const UNKNOWN_RESULT_CODES: ReadonlySet<string> = new Set(['SYSTEM_ERROR', 'UNKNOWN_EXCEPTION']);

/** payQuery's `acquirementStatus`: at the top of the body, or nested in `statusDetail` as sibling iPay wallets answer. */
export function readAcquirementStatus(body: { acquirementStatus?: unknown; statusDetail?: unknown }): string | undefined {
  if (typeof body.acquirementStatus === 'string') return body.acquirementStatus;
  const detail = body.statusDetail;
  if (detail !== null && typeof detail === 'object' && typeof (detail as { acquirementStatus?: unknown }).acquirementStatus === 'string') {
    return (detail as { acquirementStatus: string }).acquirementStatus;
  }
  return undefined;
}
