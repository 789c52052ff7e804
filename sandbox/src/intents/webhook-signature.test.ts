import { describe, expect, it } from 'vitest';
import { signIntentsWebhook } from './webhook-signature';

/** Computed with `printf '%s' '<body>.<key>' | sha256sum` (coreutils), not with either implementation. */
const VECTORS = [
  {
    body: '{"notify_type":"payment_success","data":{"order_id":"C991289984923795789123","merchant_order_id":"P9297895081903"}}',
    key: '111222333',
    hex: 'f89925952f25d237a4dd84a57b668fb8b80046facb23dbf5895495464e3232f5',
  },
  {
    body: '{"notify_type":"payment_success","data":{"order_id":"C1","merchant_order_id":"TP茶"}}',
    key: 'k',
    hex: '0e60e80d63bcd55f22fbaa79a45bcad1c50ef6ccfc8e6374dcebb2852b02e4f0',
  },
];

describe('webhook signature: hex(sha256(raw_body + "." + api_key))', () => {
  it.each(VECTORS)('matches the coreutils vector ($hex)', async ({ body, key, hex }) => {
    expect(await signIntentsWebhook(body, key)).toBe(hex);
  });
});
