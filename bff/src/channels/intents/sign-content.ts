/**
 * What the aggregator's webhook signature covers [vec]: the raw body exactly as received, a dot, and
 * the API key — `raw_body + "." + api_key`. Never a re-serialised body: key order and escaping would
 * change the bytes.
 */
export function webhookSignedText(rawBody: string, apiKey: string): string {
  return `${rawBody}.${apiKey}`;
}
