/**
 * Latipay signatures: HMAC-SHA256 keyed by the api_key, lowercase hex. Verification compares in
 * constant time (`timingSafeEqual` over equal-length digests), so a forger learns nothing from
 * how long a wrong guess took.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requestSignContent, resultSignContent, type ResultFacts, type SignableValue } from './sign-content';

export class LatipaySignatureError extends Error {
  override readonly name = 'LatipaySignatureError';
}

export function hmacSha256Hex(apiKey: string, content: string): string {
  return createHmac('sha256', Buffer.from(apiKey, 'utf8')).update(content, 'utf8').digest('hex');
}

/** Constant-time check of a hex signature against the expected one (any case accepted). */
export function signaturesMatch(expectedHex: string, received: unknown): boolean {
  if (typeof received !== 'string' || !/^[0-9a-fA-F]{64}$/.test(received)) return false;
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(received.toLowerCase(), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface LatipaySigner {
  signRequest(fields: Readonly<Record<string, SignableValue>>): string;
  signResult(facts: ResultFacts): string;
  /** Throws LatipaySignatureError unless `signature` is the callback/query signature of `facts`. */
  verifyResult(facts: ResultFacts, signature: unknown): void;
}

export function createLatipaySigner(apiKey: string): LatipaySigner {
  if (!apiKey) throw new LatipaySignatureError('the Latipay api_key is empty');
  const signResult = (facts: ResultFacts) => hmacSha256Hex(apiKey, resultSignContent(facts));
  return {
    signRequest: (fields) => hmacSha256Hex(apiKey, requestSignContent(fields, apiKey)),
    signResult,
    verifyResult(facts, signature) {
      if (!signaturesMatch(signResult(facts), signature)) {
        throw new LatipaySignatureError(
          'Latipay signature does not match merchant_reference+payment_method+status+currency+amount — check LATIPAY_API_KEY',
        );
      }
    },
  };
}
