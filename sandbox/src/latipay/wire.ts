/**
 * Latipay's wire, as the sandbox reads and writes it: the `{code, message}` reply, the request fields
 * it requires, and the Alipay parameters (orderStr) of a Latipay payment.
 */
import { createHash } from 'node:crypto';
import { SandboxInputError } from '../errors';
import type { LatipayErrorCode } from './config';
import { LATIPAY_ERRORS } from './config';

export type LatipayReply = { code: number; message: string } & Record<string, unknown>;

export const MINIALIPAY_FIELDS = [
  'user_id',
  'wallet_id',
  'amount',
  'callback_url',
  'merchant_reference',
  'ip',
  'version',
  'product_name',
  'signature',
] as const;
export const REFUND_FIELDS = ['user_id', 'order_id', 'refund_amount', 'reference', 'signature'] as const;

export function latipayError(code: LatipayErrorCode, detail?: string): LatipayReply {
  return { code, message: detail ? `${LATIPAY_ERRORS[code]}: ${detail}` : LATIPAY_ERRORS[code] };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads the named fields as non-empty strings; missing → 204, wrong type → 207. */
export function readFields<K extends string>(body: unknown, names: readonly K[]): Record<K, string> | LatipayReply {
  if (!isRecord(body)) return latipayError(207, 'the body must be a JSON object');
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = Object.hasOwn(body, name) ? body[name] : undefined;
    if (value === undefined || value === null || value === '') return latipayError(204, name);
    if (typeof value !== 'string') return latipayError(207, `${name} must be a string`);
    out[name] = value;
  }
  return out;
}

export function isReply(value: unknown): value is LatipayReply {
  return isRecord(value) && typeof value.code === 'number' && typeof value.message === 'string';
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Alipay's legacy MD5 signing of the gateway parameters: sorted `k=v&…` + partner key. */
export function md5Sign(params: Record<string, string>, partnerKey: string): string {
  const text = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('md5')
    .update(text + partnerKey, 'utf8')
    .digest('hex');
}

/** Splits an orderStr `k=v&k=v` (values unencoded; the sandbox keeps `&`/`=` out of them). */
export function parseLatipayOrderStr(orderStr: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const part of orderStr.split('&')) {
    const at = part.indexOf('=');
    if (at <= 0) throw new SandboxInputError('INVALID_ORDER', 'orderStr is neither an AlipayHK envelope nor k=v&… Alipay parameters');
    const key = part.slice(0, at);
    if (Object.hasOwn(fields, key)) throw new SandboxInputError('INVALID_ORDER', `orderStr repeats ${key}`);
    fields[key] = part.slice(at + 1);
  }
  return fields;
}
