/**
 * The aggregator API's building blocks (docs/protocols/intents.md): refusals and answers in
 * `{code, data?, message, rid}`, field readers that refuse as the aggregator does, money as decimals,
 * and the intent as create and query show it.
 */
import { createHash, randomInt } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatRfc3339 } from '../clock';
import { newReqMsgId } from '../ids';
import { isObject } from '../input';
import type { IntentsLedger, IntentWallet, LedgerIntent } from './ledger';
import { INTENTS_CODES } from './paths';

/** A refusal: answered as `{code, message, rid}` with `status`. */
export class IntentsError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const WALLETS: readonly IntentWallet[] = ['ALIPAYHK', 'ALIPAYCN'];
/** "alipay hk only support HKD" [doc]. */
export const CURRENCIES = ['HKD'];

export function rid(): string {
  return newReqMsgId();
}

export function ok(reply: FastifyReply, data: unknown): FastifyReply {
  return reply.code(200).send({ code: INTENTS_CODES.OK, data, message: 'ok', rid: rid() });
}

export function sendIntentsError(reply: FastifyReply, error: IntentsError): FastifyReply {
  return reply.code(error.status).send({ code: error.code, message: error.message, rid: rid() });
}

export function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Major-unit decimal ("88", "88.5", "88.50") → minor units for a 2-decimal currency; null if malformed. */
export function decimalToMinor(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = /^(0|[1-9][0-9]{0,12})(?:\.([0-9]{1,2}))?$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export function minorToDecimal(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

export function field(
  body: Record<string, unknown>,
  key: string,
  { max, optional = false }: { max: number; optional?: boolean },
): string | undefined {
  const value = Object.hasOwn(body, key) ? body[key] : undefined;
  if (value === undefined || value === null || value === '') {
    if (optional) return undefined;
    throw new IntentsError(INTENTS_CODES.BAD_REQUEST, `${key} is required`);
  }
  if (typeof value !== 'string') throw new IntentsError(INTENTS_CODES.BAD_REQUEST, `${key} must be a string`);
  if (value.length > max) throw new IntentsError(INTENTS_CODES.BAD_REQUEST, `${key} is longer than ${max} characters`);
  return value;
}

export function httpUrl(body: Record<string, unknown>, key: string): string | null {
  const value = field(body, key, { max: 1024, optional: true });
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through
  }
  throw new IntentsError(INTENTS_CODES.BAD_REQUEST, `${key} must be an http(s) URL`);
}

export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new IntentsError(INTENTS_CODES.BAD_REQUEST, `${path}${key} is not a known field`);
  }
}

export function newOrderId(ledger: IntentsLedger): string {
  for (;;) {
    // Shaped like the documented "C991289984923795789123": C + 21 digits.
    let id = 'C';
    while (id.length < 22) id += String(randomInt(0, 10));
    if (!ledger.hasOrderId(id)) return id;
  }
}

/**
 * The intent as create and query answer it; the redirect is `next_action.url` (CBTIS) or
 * `next_action.redirect_url` (AiscPay) as `forms.intentsRedirect` says.
 */
export function intentView(intent: LedgerIntent, cashierUrl?: string, redirect: 'url' | 'redirect_url' = 'url'): Record<string, unknown> {
  return {
    order_id: intent.orderId,
    merchant_order_id: intent.merchantOrderId,
    amount: intent.amount,
    currency: intent.currency,
    create_time: formatRfc3339(Date.parse(intent.createdAt)),
    ...(intent.paidAt ? { pay_time: formatRfc3339(Date.parse(intent.paidAt)) } : {}),
    ...(cashierUrl && intent.status === 'PENDING' ? { next_action: { type: 'redirect', [redirect]: cashierUrl } } : {}),
    status: intent.status,
  };
}

export function cashierPath(orderId: string): string {
  return `/sandbox/intents/cashier/${encodeURIComponent(orderId)}`;
}

export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  if (!isObject(request.body)) throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'the body must be a JSON object');
  return request.body;
}

/** The intent a query, cancel or refund names by `order_id` or `merchant_order_id`; 404 when there is none. */
export function findIntent(ledger: IntentsLedger, body: Record<string, unknown>): LedgerIntent {
  const orderId = field(body, 'order_id', { max: 32, optional: true });
  const merchantOrderId = field(body, 'merchant_order_id', { max: 32, optional: true });
  if (orderId === undefined && merchantOrderId === undefined)
    throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'order_id or merchant_order_id is required');
  const intent = ledger.find({ orderId, merchantOrderId });
  if (!intent) throw new IntentsError(INTENTS_CODES.NOT_FOUND, 'order not found', 404);
  return intent;
}
