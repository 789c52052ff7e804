import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutSignedParts, toEnvelopeText } from '../../src/channels/alipayhk/sign-content';
import { createRsaSigner, createRsaVerifier, parseRsaKey } from '../../src/channels/alipayhk/signing';
import { signTestNotification } from '../../src/channels/alipayhk/testing';
import { buildTestApp, type TestApp } from '../support/app';
import { deliverAlipayHk } from './inject';
import { fixture } from '../support/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

async function newOrder() {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/orders',
    headers: t.auth,
    payload: { items: [{ sku: 'MOONCAKE-4', quantity: 1 }] },
  });
  return res.json().order as { id: string; merchantTransId: string; amount: { currency: string; value: string } };
}

const deliver = (raw: string) => deliverAlipayHk(t, raw);

async function statusOf(id: string) {
  return (await t.app.inject({ url: `/api/orders/${id}`, headers: t.auth })).json().order.status as string;
}

function notification(order: Awaited<ReturnType<typeof newOrder>>, overrides: Partial<Parameters<typeof signTestNotification>[0]> = {}) {
  return signTestNotification(
    { clientId: t.config.alipayhk.clientId, merchantTransId: order.merchantTransId, amount: order.amount, ...overrides },
    t.gatewayPrivateKey,
  );
}

/** A new order and the answer to its signed notification (with `overrides`). */
async function notifyNewOrder(overrides: Partial<Parameters<typeof signTestNotification>[0]> = {}) {
  const order = await newOrder();
  return { order, res: await deliver(await notification(order, overrides)) };
}

describe('POST /notify/alipayhk', () => {
  it('marks the order paid and answers with a response envelope signed by the merchant key', async () => {
    const order = await newOrder();
    const res = await deliver(await notification(order));
    expect(res.statusCode).toBe(200);
    const parts = cutSignedParts(res.body, 'response');
    expect(() => createRsaVerifier(t.merchantPublicKey, 'RSA2').verify(parts.content, parts.signature)).not.toThrow();
    const ack = JSON.parse(parts.content);
    expect(ack.head.function).toBe('alipay.intl.acquiring.common.notify.pay');
    expect(ack.body.resultInfo).toMatchObject({ resultStatus: 'S', resultCode: 'SUCCESS' });
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    expect(t.logs.some((line) => line.includes('"reqMsgId"') && line.includes('notification committed'))).toBe(true);
  });

  it("AlipayHK's documented notify.pay sample (fixture) marks the order paid and is acknowledged", async () => {
    const order = await newOrder();
    const sample = JSON.parse(fixture('alipayhk/notify-pay.request.json')).request;
    sample.body.merchantTransId = order.merchantTransId;
    sample.body.orderAmount = order.amount;
    const content = JSON.stringify(sample);
    const res = await deliver(toEnvelopeText('request', content, await createRsaSigner(t.gatewayPrivateKey, 'RSA2').sign(content)));
    expect(res.statusCode).toBe(200);
    const ack = JSON.parse(cutSignedParts(res.body, 'response').content);
    expect(ack.head).toMatchObject({ function: 'alipay.intl.acquiring.common.notify.pay', reqMsgId: '1234567asdfasdf1123fda' });
    expect(ack.body.resultInfo).toMatchObject({ resultStatus: 'S', resultCode: 'SUCCESS' });
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    // The sample's clientId is AlipayHK's notification id, not ours: logged, never refused.
    expect(t.logs.some((line) => line.includes('2014000014442'))).toBe(true);
  });

  it('accepts alipay.intl.acquiring.cashier.notify.pay alike, and echoes that function in the ack', async () => {
    const { order, res } = await notifyNewOrder({ fn: 'alipay.intl.acquiring.cashier.notify.pay' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(cutSignedParts(res.body, 'response').content).head.function).toBe('alipay.intl.acquiring.cashier.notify.pay');
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
  });

  it("logs, but does not refuse, a head.clientId other than ours (AlipayHK's samples differ): the facts decide", async () => {
    // PC2Mobile notification sample's clientId (https://global.alipay.com/docs/ac/PC2Mobile/notification).
    const { order, res } = await notifyNewOrder({ clientId: '2014000014442' });
    expect(res.statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    expect(t.logs.some((line) => line.includes('2014000014442') && line.includes('"level":40'))).toBe(true);
  });

  it('rejects a notification signed by another key, and changes nothing', async () => {
    const order = await newOrder();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await signTestNotification(
      { clientId: t.config.alipayhk.clientId, merchantTransId: order.merchantTransId, amount: order.amount },
      parseRsaKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'private'),
    );
    const res = await deliver(forged);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('NOTIFICATION_REJECTED');
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects a one-byte tampered body (amount changed after signing)', async () => {
    const order = await newOrder();
    const raw = await notification(order);
    const tampered = raw.replace(`"value":"${order.amount.value}"`, `"value":"${Number(order.amount.value) + 1}"`);
    expect(tampered).not.toBe(raw);
    expect((await deliver(tampered)).statusCode).toBe(400);
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects unsigned and malformed bodies', async () => {
    const order = await newOrder();
    const raw = await notification(order);
    const unsigned = raw.replace(/,"signature":"[^"]*"\}$/, '}');
    for (const body of [unsigned, '', 'null', '{"request":', raw.replace('"signature"', '"sig"'), '{"a":'.repeat(5000)]) {
      const res = await deliver(body);
      expect(res.statusCode, body.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects a validly signed notification for another amount or currency', async () => {
    const order = await newOrder();
    const wrongAmount = await notification(order, { amount: { currency: order.amount.currency, value: '1' } });
    const res = await deliver(wrongAmount);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/amount/);
    const wrongCurrency = await notification(order, { amount: { currency: 'CNY', value: order.amount.value } });
    expect((await deliver(wrongCurrency)).statusCode).toBe(400);
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('rejects a validly signed notification for an unknown merchantTransId or another merchant', async () => {
    const order = await newOrder();
    expect((await deliver(await notification(order, { merchantTransId: 'TP20260101UNKNOWN000000000000' }))).statusCode).toBe(400);
    expect((await deliver(await notification(order, { merchantId: '9999' }))).statusCode).toBe(400);
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('records a failure notification without failing the order (the buyer may still pay)', async () => {
    const { order, res } = await notifyNewOrder({ resultStatus: 'F' });
    expect(res.statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('PENDING');
  });

  it('the same notification 100 times concurrently: one transition, 100 acknowledgements', async () => {
    const order = await newOrder();
    const raw = await notification(order, { acquirementId: '20261122000000000000000000001' });
    const results = await Promise.all(Array.from({ length: 100 }, () => deliver(raw)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(100).fill(200));
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    expect(await t.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('never lets a paid order regress, whatever arrives later', async () => {
    const order = await newOrder();
    await deliver(await notification(order));
    await deliver(await notification(order, { resultStatus: 'F' }));
    await deliver(await notification(order, { acquirementId: 'another-acquirement' }));
    expect(await statusOf(order.id)).toBe('SUCCEEDED');
    expect(await t.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('keeps signatures and order strings out of the logs', async () => {
    const order = await newOrder();
    const raw = await notification(order);
    await deliver(raw);
    const signature = cutSignedParts(raw, 'request').signature;
    expect(t.logs.join('\n')).not.toContain(signature.slice(0, 40));
    expect(t.logs.join('\n')).not.toContain('PRIVATE KEY');
  });
});
