/**
 * A refused AlipayHK notification is logged with the doctor's diagnosis (the cause, key fingerprints,
 * lengths), never with its content or any key material.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRsaKey } from '../../src/channels/alipayhk/signing';
import { signTestNotification } from '../../src/channels/alipayhk/testing';
import { buildTestApp, type TestApp } from '../support/app';
import { deliverAlipayHk } from './inject';
import { fixture } from '../support/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const deliver = (raw: string) => deliverAlipayHk(t, raw);

function diagnosisLines() {
  return t.logs
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((entry) => entry.msg === 'notification signature not verified');
}

describe('notification diagnosis in the BFF log', () => {
  it('a notification signed with the merchant’s own key: logged at warn as keys swapped, without content', async () => {
    const merchantTransId = 'SECRET-LOOKING-TRANS-ID-4711';
    const raw = await signTestNotification(
      { clientId: t.config.alipayhk.clientId, merchantTransId, amount: { currency: 'HKD', value: '100' } },
      parseRsaKey(fixture('test-merchant-private.pem'), 'private'),
    );
    const res = await deliver(raw);
    expect(res.statusCode).toBe(400);
    const [entry] = diagnosisLines();
    expect(entry).toBeDefined();
    expect(entry?.level).toBe(40);
    expect(entry?.channel).toBe('alipayhk');
    expect(entry?.diagnosis).toMatchObject({
      cause: 'keys-swapped',
      verified: false,
      algorithm: 'RSA2',
      kind: 'request',
      contentBytes: expect.any(Number),
    });
    expect(entry?.diagnosis.keyFingerprint).toMatch(/^SHA256:/);
    expect(entry?.diagnosis).not.toHaveProperty('content');
    const everything = t.logs.join('\n');
    expect(everything).not.toContain(merchantTransId);
    expect(everything).not.toContain('PRIVATE KEY');
  });

  it('a genuine notification logs no diagnosis', async () => {
    const before = diagnosisLines().length;
    const order = (
      await t.app.inject({ method: 'POST', url: '/api/orders', headers: t.auth, payload: { items: [{ sku: 'MOONCAKE-4', quantity: 1 }] } })
    ).json().order;
    const raw = await signTestNotification(
      { clientId: t.config.alipayhk.clientId, merchantTransId: order.merchantTransId, amount: order.amount },
      t.gatewayPrivateKey,
    );
    expect((await deliver(raw)).statusCode).toBe(200);
    expect(diagnosisLines()).toHaveLength(before);
  });
});
