/**
 * What crosses between the BFF's thread and the SQLite writer thread: calls of the Store port by
 * name, their answers, and errors rebuilt on arrival as the same classes with the same fields (a
 * structured clone keeps only an Error's message and stack, so services could no longer tell a
 * refund over the paid amount from a failed disk).
 */
import Database from 'better-sqlite3';
import type { AgreementStatus } from '@tradepay/shared';
import {
  AgreementNotActiveError,
  DailyCapExceededError,
  OrderNotRefundableError,
  RefundExceedsPaymentError,
  type Store,
} from '../payments/store';

export type WriterMethod = Exclude<keyof Store, 'kind' | 'writeStats'>;

/** Every method the writer answers (a Record, so the compiler notices one added to the port). */
export const WRITER_METHODS: Readonly<Record<WriterMethod, true>> = {
  ping: true,
  insertOrder: true,
  findIdempotency: true,
  attachPayment: true,
  getOrder: true,
  getPaymentFactsByMerchantTransId: true,
  markPaid: true,
  closeUnpaid: true,
  recordNotification: true,
  countTransitions: true,
  listOrders: true,
  claimDueOrders: true,
  scheduleNextCheck: true,
  getCheckState: true,
  createRefund: true,
  completeRefund: true,
  deferRefund: true,
  claimDueRefunds: true,
  getRefund: true,
  listRefunds: true,
  completeIdempotency: true,
  insertAgreement: true,
  getAgreement: true,
  getAgreementByMerchantAgreementId: true,
  listAgreements: true,
  claimAgreementReturn: true,
  releaseAgreementReturn: true,
  transitionAgreement: true,
  replaceAgreementTokens: true,
  recordAgreementCheck: true,
  insertAgreementCharge: true,
  sumAgreementCharges: true,
  oldestPendingOrderAt: true,
  audit: true,
  close: true,
};

export interface WriterCall {
  id: number;
  method: WriterMethod;
  args: unknown[];
  /** The caller's clock (epoch ms) when it called: the time the store records for this call. */
  now: number;
}

export interface WireError {
  name: string;
  message: string;
  stack: string | undefined;
  /** The error's own fields (code, refundable, status, …), primitives only. */
  fields: Record<string, string | number | boolean | null>;
}

export type WriterReply = { id: number; stats: { commits: number; writes: number } } & (
  { ok: true; value: unknown } | { ok: false; error: WireError }
);

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: WireError['fields'] = {};
  for (const [key, value] of Object.entries(error))
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as string | number | boolean | null;
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

export function fromWireError(wire: WireError): Error {
  const f = wire.fields;
  let error: Error;
  switch (wire.name) {
    case 'RefundExceedsPaymentError':
      error = new RefundExceedsPaymentError(Number(f.refundable));
      break;
    case 'OrderNotRefundableError':
      error = new OrderNotRefundableError(wire.message);
      break;
    case 'AgreementNotActiveError':
      error = new AgreementNotActiveError((f.status ?? null) as AgreementStatus | null);
      break;
    case 'DailyCapExceededError':
      error = new DailyCapExceededError(Number(f.chargedToday), Number(f.dailyCap));
      break;
    case 'SqliteError':
      error = new Database.SqliteError(wire.message, String(f.code));
      break;
    default:
      error = Object.assign(new Error(wire.message), f);
      error.name = wire.name;
  }
  // The writer's stack: it shows where in the store the call failed.
  if (wire.stack) error.stack = wire.stack;
  return error;
}
