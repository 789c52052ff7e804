/**
 * The webhook signature: `hex(sha256(raw_body + "." + api_key))` — plain SHA-256 of the text, not an
 * HMAC (docs/protocols/intents.md#webhook [vec]). Compared in constant time over the decoded digests, so neither the
 * length nor the content of a wrong signature leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { webhookSignedText } from './sign-content';

export function webhookSignature(rawBody: string, apiKey: string): string {
  return createHash('sha256').update(webhookSignedText(rawBody, apiKey), 'utf8').digest('hex');
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

export function verifyWebhookSignature(rawBody: string, apiKey: string, signature: string | undefined): boolean {
  if (typeof signature !== 'string' || !HEX_SHA256.test(signature.trim())) return false;
  const expected = createHash('sha256').update(webhookSignedText(rawBody, apiKey), 'utf8').digest();
  const given = Buffer.from(signature.trim(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
