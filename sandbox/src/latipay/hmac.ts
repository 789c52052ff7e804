/**
 * Latipay's HMAC-SHA256 signatures, written for the sandbox independently of the BFF's code so each
 * checks the other (both reproduce the vectors of docs/protocols/latipay.md#signatures):
 *
 * - a request: every field except `signature` whose value is not null/undefined/"", ordered by key,
 *   written `key=value` and joined with `&` (no URL encoding), followed by the api_key itself;
 *   HMAC keyed by the api_key, lowercase hex;
 * - a callback or query answer: HMAC of merchant_reference + payment_method + status + currency + amount.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function hmacHex(key: string, message: string): string {
  const mac = createHmac('sha256', key);
  mac.update(Buffer.from(message, 'utf8'));
  return mac.digest('hex');
}

function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The text a Latipay request signature covers (already ending with the api_key). */
export function latipayRequestMessage(params: Record<string, unknown>, apiKey: string): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params).sort(([a], [b]) => byCodeUnits(a, b))) {
    if (key === 'signature' || value === null || value === undefined || value === '') continue;
    pairs.push(key + '=' + String(value));
  }
  return pairs.join('&').concat(apiKey);
}

export function signLatipayRequest(params: Record<string, unknown>, apiKey: string): string {
  return hmacHex(apiKey, latipayRequestMessage(params, apiKey));
}

export interface LatipayResultFields {
  merchant_reference: string;
  payment_method: string;
  status: string;
  currency: string;
  amount: string;
}

export function signLatipayResult(fields: LatipayResultFields, apiKey: string): string {
  const message = [fields.merchant_reference, fields.payment_method, fields.status, fields.currency, fields.amount].join('');
  return hmacHex(apiKey, message);
}

/** Constant-time comparison of two hex signatures; false for anything that is not 64 hex digits. */
export function latipaySignaturesEqual(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || received.length !== expected.length || !/^[0-9a-f]+$/i.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected.toLowerCase(), 'utf8'), Buffer.from(received.toLowerCase(), 'utf8'));
}

export function verifyLatipayRequest(params: Record<string, unknown>, apiKey: string): boolean {
  return latipaySignaturesEqual(signLatipayRequest(params, apiKey), params.signature);
}
