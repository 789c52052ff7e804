/**
 * The Idempotency-Key of each create or charge: a new one per attempt (time and randomness across
 * devices, a counter within this page), except after a request whose outcome is unknown (timeout,
 * 5xx): its key is kept, and reused when the same body is sent again, so that the retry can never
 * create a second order or charge the wallet twice.
 */
export interface RetryKeys {
  /** The key to send with this body. */
  keyFor(body: string): string;
  /** After the answer: keep the key for a retry only when the outcome is unknown. */
  settle(body: string, key: string, ambiguous: boolean): void;
}

export function createRetryKeys(prefix: string, clock: { now(): number; random(): number }): RetryKeys {
  let unsettled: { body: string; key: string } | null = null;
  let keys = 0;
  return {
    keyFor(body) {
      if (unsettled && unsettled.body === body) return unsettled.key;
      keys += 1;
      const random = Math.floor(clock.random() * 0x7fffffff).toString(36);
      return `${prefix}-${clock.now().toString(36)}-${random}-${keys}`;
    },
    settle(body, key, ambiguous) {
      unsettled = ambiguous ? { body, key } : null;
    },
  };
}
