/**
 * The webhook signature as the aggregator computes it [vec]: `hex(sha256(raw_body + "." + api_key))`,
 * plain SHA-256 over the bytes sent, not an HMAC. Written apart from the BFF's (which uses
 * node:crypto's createHash over a string): this one hashes the UTF-8 bytes with WebCrypto, so a slip
 * on either side shows up as a refused webhook.
 */
const encoder = new TextEncoder();

export async function signIntentsWebhook(rawBody: string, apiKey: string): Promise<string> {
  const body = encoder.encode(rawBody);
  const suffix = encoder.encode(`.${apiKey}`);
  const bytes = new Uint8Array(body.length + suffix.length);
  bytes.set(body, 0);
  bytes.set(suffix, body.length);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
