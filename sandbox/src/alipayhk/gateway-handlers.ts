/**
 * Body handling of each gateway function: read the verified request body, call the acquiring domain,
 * shape the reply fields. Bad fields throw `SandboxInputError` (answered as F / PARAM_ILLEGAL).
 */
import type { Amount } from '@tradepay/shared';
import { parseAmount } from '@tradepay/shared';
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import { SandboxInputError } from '../errors';
import type { JsonObject } from '../input';
import { readObject, readString, requireString } from '../input';
import type { LedgerPayment } from '../ledger';
import type { Acquiring } from './acquiring';
import { toAcquirementStatus } from './acquiring';
import type { GatewayFunction } from './functions';
import { ALIPAYHK_FUNCTIONS } from './functions';
import type { ResultInfo } from './result-codes';
import { resultInfo } from './result-codes';

export interface HandlerResult {
  info: ResultInfo;
  fields?: Record<string, unknown>;
}

export interface HandlerDeps {
  acquiring: Acquiring;
  clock: Clock;
}

type Handler = (body: JsonObject, deps: HandlerDeps) => HandlerResult;

const ID_MAX = 64;

function readTransactionRef(body: JsonObject): { acquirementId?: string; merchantTransId?: string } {
  const acquirementId = readString(body, 'acquirementId', 'body', { max: ID_MAX, optional: true });
  const merchantTransId = readString(body, 'merchantTransId', 'body', { max: ID_MAX, optional: true });
  if (acquirementId === undefined && merchantTransId === undefined) {
    throw new SandboxInputError('BAD_REQUEST', 'body.acquirementId or body.merchantTransId is required');
  }
  return { ...(acquirementId !== undefined && { acquirementId }), ...(merchantTransId !== undefined && { merchantTransId }) };
}

/** `{currency, value}` with value = integer minor units as a string; returned in canonical form. */
export function readAmount(value: unknown, path: string): Amount {
  const obj = readObject(value, path);
  const currency = obj.currency;
  const text = obj.value;
  if (typeof currency !== 'string' || typeof text !== 'string') {
    throw new SandboxInputError('BAD_REQUEST', `${path} must be {currency, value} with string fields`);
  }
  try {
    const parsed = parseAmount({ currency, value: text });
    return { currency: parsed.currency, value: String(parsed.minor) };
  } catch (error) {
    throw new SandboxInputError('BAD_REQUEST', `${path}: ${(error as Error).message}`);
  }
}

function wireTime(iso: string): string {
  return formatRfc3339(Date.parse(iso));
}

function paymentFields(payment: LedgerPayment): Record<string, unknown> {
  const status = toAcquirementStatus(payment.status);
  return {
    acquirementId: payment.acquirementId,
    merchantTransId: payment.merchantTransId,
    acquirementStatus: status,
    ...(payment.orderAmount !== null && { orderAmount: payment.orderAmount }),
    ...(status === 'SUCCESS' && payment.paidAt !== null && { paymentTime: wireTime(payment.paidAt) }),
  };
}

const payQuery: Handler = (body, { acquiring }) => {
  const payment = acquiring.find(readTransactionRef(body));
  if (!payment) return { info: resultInfo('ORDER_NOT_EXIST') };
  return { info: resultInfo('SUCCESS'), fields: paymentFields(payment) };
};

const payCancel: Handler = (body, { acquiring, clock }) => {
  const merchantId = requireString(body, 'merchantId', 'body');
  const ref = readTransactionRef(body);
  const result = acquiring.cancel({ merchantId, ...ref });
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  const payment = result.value;
  return {
    info: resultInfo('SUCCESS'),
    fields: {
      ...(payment !== null ? { acquirementId: payment.acquirementId, merchantTransId: payment.merchantTransId } : ref),
      cancelTime: payment?.closedAt ? wireTime(payment.closedAt) : formatRfc3339(clock.now()),
    },
  };
};

const refund: Handler = (body, { acquiring }) => {
  const acquirementId = requireString(body, 'acquirementId', 'body', { max: ID_MAX });
  const merchantRefundId = requireString(body, 'merchantRefundId', 'body', { max: ID_MAX });
  const refundAmount = readAmount(body.refundAmount, 'body.refundAmount');
  const refundReason = readString(body, 'refundReason', 'body', { max: 256, optional: true }) ?? null;
  readString(body, 'extendInfo', 'body', { max: 4096, optional: true });
  const result = acquiring.refund({ acquirementId, merchantRefundId, refundAmount, refundReason });
  if (!result.ok) return { info: resultInfo(result.code, result.message) };
  const done = result.value;
  return {
    info: resultInfo('SUCCESS'),
    fields: {
      acquirementId: done.acquirementId,
      refundId: done.refundId,
      merchantRefundId: done.merchantRefundId,
      refundAmount: done.refundAmount,
      refundTime: wireTime(done.refundTime),
    },
  };
};

export const GATEWAY_HANDLERS: Record<GatewayFunction, Handler> = {
  [ALIPAYHK_FUNCTIONS.payQuery]: payQuery,
  [ALIPAYHK_FUNCTIONS.payCancel]: payCancel,
  [ALIPAYHK_FUNCTIONS.refund]: refund,
};
