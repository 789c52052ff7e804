/**
 * What the AlipayHK app checks before showing its cashier for `my.tradePay({orderStr})`: the orderStr
 * is a merchant-signed `alipay.intl.acquiring.cashier.wap.pay` request envelope (docs/protocols/alipayhk.md#functions).
 */
import type { CashierOrder } from '../alipayhk/acquiring';
import { ALIPAYHK_FUNCTIONS, PROTOCOL_VERSION } from '../alipayhk/functions';
import { readAmount } from '../alipayhk/gateway-handlers';
import type { RsaKey } from '../alipayhk/rsa-key';
import { SandboxSignatureError, verifyEnvelope } from '../alipayhk/signature';
import { SandboxInputError } from '../errors';
import type { JsonObject } from '../input';
import { readObject, readString, rejectUnknownKeys, requireString } from '../input';
import type { TradePayOutcome } from '../ledger';

export const TRADE_PAY_OUTCOMES: readonly TradePayOutcome[] = ['success', 'fail', 'cancel', 'processing', 'unknown', 'network'];

/** An orderStr is a few hundred bytes; anything near this is not one. */
const MAX_ORDER_STR = 64 * 1024;

export interface TradePayRequest {
  orderStr: string;
  outcome: TradePayOutcome;
}

/** `{orderStr, outcome?}`; unknown fields are refused. */
export function parseTradePayRequest(input: unknown): TradePayRequest {
  const body = readObject(input, 'body');
  rejectUnknownKeys(body, ['orderStr', 'outcome'], 'body');
  const orderStr = requireString(body, 'orderStr', 'body', { max: MAX_ORDER_STR });
  const outcome = body.outcome ?? 'success';
  if (!TRADE_PAY_OUTCOMES.includes(outcome as TradePayOutcome)) {
    throw new SandboxInputError('BAD_REQUEST', `body.outcome must be one of ${TRADE_PAY_OUTCOMES.join(', ')}`);
  }
  return { orderStr, outcome: outcome as TradePayOutcome };
}

function readUrl(obj: JsonObject, key: string, path: string, optional: boolean): string | undefined {
  const text = readString(obj, key, path, { max: 512, optional, code: 'INVALID_ORDER' });
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SandboxInputError('INVALID_ORDER', `${path}.${key} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SandboxInputError('INVALID_ORDER', `${path}.${key} must be http(s)`);
  return text;
}

export interface OrderExpectations {
  clientId: string;
  merchantId: string;
  merchantKey: RsaKey;
}

/**
 * Verifies the merchant signature exactly as the gateway does, then the head and the order fields.
 * Throws `SandboxInputError` (INVALID_SIGNATURE, MALFORMED_ENVELOPE or INVALID_ORDER).
 */
export function parseCashierOrder(orderStr: string, expected: OrderExpectations): CashierOrder {
  let payload: Record<string, unknown>;
  try {
    payload = verifyEnvelope('request', orderStr, expected.merchantKey);
  } catch (error) {
    if (!(error instanceof SandboxSignatureError)) throw error;
    const code = error.reason === 'MALFORMED_ENVELOPE' ? 'MALFORMED_ENVELOPE' : 'INVALID_SIGNATURE';
    throw new SandboxInputError(code, `orderStr: ${error.message}`);
  }
  const head = readObject(payload.head, 'orderStr.request.head', 'INVALID_ORDER');
  if (head.version !== PROTOCOL_VERSION) throw new SandboxInputError('INVALID_ORDER', `head.version must be "${PROTOCOL_VERSION}"`);
  if (head.function !== ALIPAYHK_FUNCTIONS.cashierPay) {
    throw new SandboxInputError('INVALID_ORDER', `head.function must be "${ALIPAYHK_FUNCTIONS.cashierPay}"`);
  }
  if (head.clientId !== expected.clientId) throw new SandboxInputError('INVALID_ORDER', 'head.clientId is not the sandbox client id');
  requireString(head, 'reqMsgId', 'head', { max: 64, code: 'INVALID_ORDER' });
  requireString(head, 'reqTime', 'head', { code: 'INVALID_ORDER' });

  const body = readObject(payload.body, 'orderStr.request.body', 'INVALID_ORDER');
  if (body.merchantId !== expected.merchantId)
    throw new SandboxInputError('INVALID_ORDER', 'body.merchantId is not the sandbox merchant id');
  requireString(body, 'productCode', 'body', { max: 64, code: 'INVALID_ORDER' });
  const merchantTransId = requireString(body, 'merchantTransId', 'body', { max: 64, code: 'INVALID_ORDER' });
  const order = readObject(body.order, 'body.order', 'INVALID_ORDER');
  let orderAmount;
  try {
    orderAmount = readAmount(order.orderAmount, 'body.order.orderAmount');
  } catch (error) {
    throw new SandboxInputError('INVALID_ORDER', (error as Error).message);
  }
  if (orderAmount.value === '0') throw new SandboxInputError('INVALID_ORDER', 'body.order.orderAmount must be greater than zero');
  const orderTitle = requireString(order, 'orderTitle', 'body.order', { max: 256, code: 'INVALID_ORDER' });
  const notifyUrl = readUrl(body, 'notifyUrl', 'body', false) as string;
  const returnUrl = readUrl(body, 'returnUrl', 'body', true) ?? null;
  const extendInfo = readString(body, 'extendInfo', 'body', { max: 4096, optional: true, code: 'INVALID_ORDER' }) ?? null;
  return { merchantId: expected.merchantId, merchantTransId, orderAmount, orderTitle, notifyUrl, returnUrl, extendInfo };
}
