import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, NotificationRejectedError } from '../../errors';
import type { ChannelOrder } from '../../payments/channel';
import { createLatipayChannel, toLatipayIp, type LatipayChannelConfig } from '.';
import { createLatipaySigner } from './signing';

const config: LatipayChannelConfig = {
  gatewayUrl: 'https://latipay.test',
  userId: 'U000000001',
  walletId: 'W000000001',
  apiKey: 'k'.repeat(64),
  currency: 'HKD',
  callbackUrl: 'https://shop.test/notify/latipay',
  timeoutMs: 1000,
};
const signer = createLatipaySigner(config.apiKey);
const order: ChannelOrder = {
  id: 'ord_x',
  merchantTransId: 'TP20260131000001',
  amount: 12050,
  currency: 'HKD',
  title: 'Egg tarts, box of 6',
  detail: '1 x EGG-TART-6',
  createdAt: new Date(),
  expiresAt: new Date(Date.now() + 900_000),
};

interface Seen {
  url: string;
  method: string;
  body: string | undefined;
}

/** A fake Latipay: answers from `route`, records what was sent. */
function fakeLatipay(
  route: (seen: Seen) => { status?: number; json?: unknown; text?: string } | Error,
  channelConfig: LatipayChannelConfig = config,
) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const s: Seen = { url: String(input), method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : undefined };
    seen.push(s);
    const answer = route(s);
    if (answer instanceof Error) throw answer;
    return new Response(answer.text ?? JSON.stringify(answer.json), { status: answer.status ?? 200 });
  }) as typeof fetch;
  return { seen, channel: createLatipayChannel(channelConfig, { fetch: fetchImpl }) };
}

function signedAnswer(status: string, overrides: Record<string, string> = {}) {
  const facts = {
    merchant_reference: order.merchantTransId,
    payment_method: 'alipay',
    status,
    currency: 'HKD',
    amount: '120.50',
    ...overrides,
  };
  return { ...facts, order_id: '20260131-alipay-1234567890123', pay_time: '2026-01-31 10:00:00', signature: signer.signResult(facts) };
}

describe('createPayment', () => {
  it('sends the signed create request and joins gatewaydata in the order received', async () => {
    const { seen, channel } = fakeLatipay(() => ({
      json: { code: 0, message: 'SUCCESS', gatewaydata: { z: '1', a: '2', m: 'x y' }, paydata: {} },
    }));
    const action = await channel.createPayment(order, { clientIp: '::ffff:203.0.113.9' });
    expect(action).toEqual({ type: 'tradePay', orderStr: 'z=1&a=2&m=x y' });
    expect(seen[0]!.url).toBe('https://latipay.test/v2/minialipay');
    const sent = JSON.parse(seen[0]!.body!);
    expect(sent).toMatchObject({
      user_id: 'U000000001',
      wallet_id: 'W000000001',
      amount: '120.50',
      callback_url: 'https://shop.test/notify/latipay',
      merchant_reference: order.merchantTransId,
      ip: '203.0.113.9',
      version: '2.0',
      product_name: 'Egg tarts, box of 6',
    });
    const { signature, ...rest } = sent;
    expect(signature).toBe(signer.signRequest(rest));
  });

  it('maps documented error codes (number or string) to CHANNEL_REJECTED and the rest to GATEWAY_UNAVAILABLE', async () => {
    for (const code of [206, '450', 301]) {
      const { channel } = fakeLatipay(() => ({ json: { code, message: 'nope' } }));
      await expect(channel.createPayment(order, { clientIp: '1.2.3.4' })).rejects.toMatchObject({
        code: 'CHANNEL_REJECTED',
        statusCode: 502,
      });
    }
    for (const answer of [
      { json: { code: 1, message: 'FAIL' } },
      { status: 503, text: 'down' },
      { text: '<html>' },
      { json: { code: 0 } },
      new TypeError('fetch failed'),
    ]) {
      const { channel } = fakeLatipay(() => answer);
      await expect(channel.createPayment(order, { clientIp: '1.2.3.4' })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
    }
  });

  it('refuses an order in another currency than the wallet before calling Latipay', async () => {
    const { seen, channel } = fakeLatipay(() => ({ json: { code: 0 } }));
    await expect(channel.createPayment({ ...order, currency: 'NZD' }, { clientIp: '1.2.3.4' })).rejects.toBeInstanceOf(AppError);
    expect(seen).toHaveLength(0);
  });
});

describe('queryPayment', () => {
  it('signs the query over merchant_reference and user_id, and maps a verified paid answer to evidence', async () => {
    const { seen, channel } = fakeLatipay(() => ({ json: signedAnswer('paid') }));
    const result = await channel.queryPayment(order);
    const url = new URL(seen[0]!.url);
    expect(url.pathname).toBe(`/v2/transaction/${order.merchantTransId}`);
    expect(url.searchParams.get('user_id')).toBe('U000000001');
    expect(url.searchParams.get('signature')).toBe(
      signer.signRequest({ merchant_reference: order.merchantTransId, user_id: 'U000000001' }),
    );
    expect(result).toEqual({
      status: 'PAID',
      evidence: expect.objectContaining({
        source: 'query',
        merchantId: 'U000000001',
        merchantTransId: order.merchantTransId,
        gatewayTransactionId: '20260131-alipay-1234567890123',
        amount: 12050,
        currency: 'HKD',
        paidAt: '2026-01-31T10:00:00.000Z',
      }),
    });
  });

  it('failed → CLOSED, pending and 201 → PENDING', async () => {
    expect((await fakeLatipay(() => ({ json: signedAnswer('failed') })).channel.queryPayment(order)).status).toBe('CLOSED');
    expect((await fakeLatipay(() => ({ json: signedAnswer('pending') })).channel.queryPayment(order)).status).toBe('PENDING');
    expect((await fakeLatipay(() => ({ json: { code: 201, message: 'order not exist' } })).channel.queryPayment(order)).status).toBe(
      'PENDING',
    );
  });

  it('anything unverifiable is UNKNOWN, never paid', async () => {
    const forged = { ...signedAnswer('pending'), status: 'paid' };
    const otherRef = signedAnswer('paid', { merchant_reference: 'SOMEONE-ELSE' });
    for (const json of [
      forged,
      otherRef,
      { ...signedAnswer('paid'), signature: undefined },
      signedAnswer('refunded'),
      { code: 205, message: 'x' },
    ]) {
      const result = await fakeLatipay(() => ({ json })).channel.queryPayment(order);
      expect(result.status, JSON.stringify(json)).toBe('UNKNOWN');
    }
    expect((await fakeLatipay(() => new Error('ECONNRESET')).channel.queryPayment(order)).status).toBe('UNKNOWN');
  });
});

describe('parseNotification', () => {
  function callback(status: string, key = config.apiKey) {
    const facts = { merchant_reference: order.merchantTransId, payment_method: 'alipay', status, currency: 'HKD', amount: '120.50' };
    return new URLSearchParams({
      ...facts,
      pay_time: '2026-01-31 10:00:00',
      signature: createLatipaySigner(key).signResult(facts),
    }).toString();
  }

  it('rejects a bad signature without asking Latipay', async () => {
    const { seen, channel } = fakeLatipay(() => ({ json: signedAnswer('paid') }));
    await expect(channel.parseNotification(callback('paid', 'x'.repeat(64)), {})).rejects.toBeInstanceOf(NotificationRejectedError);
    await expect(channel.parseNotification(`${callback('paid')}&amount=1.00`, {})).rejects.toMatchObject({ reason: 'malformed' });
    expect(seen).toHaveLength(0);
  });

  it('takes the outcome and evidence from the signed query, not from the callback', async () => {
    const paid = await fakeLatipay(() => ({ json: signedAnswer('paid') })).channel.parseNotification(callback('failed'), {});
    expect(paid).toMatchObject({
      outcome: 'PAID',
      identity: `${order.merchantTransId}:failed:paid`,
      evidence: { source: 'query', amount: 12050 },
    });
    const denied = await fakeLatipay(() => ({ json: signedAnswer('pending') })).channel.parseNotification(callback('paid'), {});
    expect(denied).toMatchObject({ outcome: 'NOT_PAID', identity: `${order.merchantTransId}:paid:pending` });
  });

  it('no acknowledgement when the confirming query cannot be had (Latipay re-sends)', async () => {
    const { channel } = fakeLatipay(() => ({ status: 502, text: 'bad gateway' }));
    await expect(channel.parseNotification(callback('paid'), {})).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
  });

  it('acknowledges with exactly "sent"', async () => {
    const { channel } = fakeLatipay(() => ({ json: {} }));
    expect(await channel.acknowledge({} as never)).toEqual({ statusCode: 200, contentType: 'text/plain; charset=utf-8', body: 'sent' });
  });
});

describe('refund and cancel', () => {
  const paidOrder = { ...order, gatewayTransactionId: '20260131-alipay-1234567890123' };
  const request = { merchantRefundId: 'RF0123', amount: 5000, reason: 'x', resend: false };

  it('posts a signed refund to /refund and maps the answer', async () => {
    const { seen, channel } = fakeLatipay(() => ({ json: { code: 0, message: 'SUCCESS' } }));
    expect(await channel.refund(paidOrder, request)).toEqual({ status: 'SUCCEEDED', gatewayRefundId: null });
    expect(seen[0]!.url).toBe('https://latipay.test/refund');
    const sent = JSON.parse(seen[0]!.body!);
    expect(sent).toMatchObject({
      user_id: 'U000000001',
      order_id: paidOrder.gatewayTransactionId,
      refund_amount: '50.00',
      reference: 'RF0123',
    });
    expect(await fakeLatipay(() => ({ json: { code: 207, message: 'Param is wrong' } })).channel.refund(paidOrder, request)).toEqual({
      status: 'FAILED',
      code: 'LATIPAY_207',
    });
    expect((await fakeLatipay(() => ({ json: { code: 1, message: 'FAIL' } })).channel.refund(paidOrder, request)).status).toBe('UNKNOWN');
    expect((await fakeLatipay(() => ({ status: 500, text: '' })).channel.refund(paidOrder, request)).status).toBe('UNKNOWN');
    expect((await fakeLatipay(() => new Error('timeout')).channel.refund(paidOrder, request)).status).toBe('UNKNOWN');
  });

  it('cancel closes only what the query shows unpaid', async () => {
    expect(await fakeLatipay(() => ({ json: signedAnswer('pending') })).channel.cancelPayment(order)).toEqual({ status: 'CANCELLED' });
    expect(await fakeLatipay(() => ({ json: { code: 201 } })).channel.cancelPayment(order)).toEqual({ status: 'CANCELLED' });
    expect(await fakeLatipay(() => ({ json: signedAnswer('paid') })).channel.cancelPayment(order)).toEqual({
      status: 'REFUSED',
      code: 'ALREADY_PAID',
    });
    expect((await fakeLatipay(() => new Error('down')).channel.cancelPayment(order)).status).toBe('UNKNOWN');
  });
});

describe('toLatipayIp', () => {
  it('unwraps IPv4-mapped addresses and loopback', () => {
    expect(toLatipayIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(toLatipayIp('::1')).toBe('127.0.0.1');
    expect(toLatipayIp('203.0.113.9')).toBe('203.0.113.9');
  });
});

/** Vendor samples (bff/test/fixtures/README.md): seed 004's account, key and amounts. */
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/latipay/${name}`, import.meta.url), 'utf8');
const documented: LatipayChannelConfig = { ...config, userId: 'U000334333', apiKey: '111222333', currency: 'NZD' };
const documentedOrder: ChannelOrder = { ...order, merchantTransId: 'dsi39ej430sks03', amount: 12000, currency: 'NZD' };
const QUERY_ANSWER = fixture('query-answer.json');

describe('the documented query answer (amount a JSON number)', () => {
  it('verifies over the amount as it stands in the raw body: …NZD120.00', async () => {
    expect(QUERY_ANSWER).toContain('"amount": 120.00,');
    const result = await fakeLatipay(() => ({ text: QUERY_ANSWER }), documented).channel.queryPayment(documentedOrder);
    expect(result).toMatchObject({
      status: 'PAID',
      evidence: {
        amount: 12000,
        currency: 'NZD',
        gatewayTransactionId: '20170707-alipay-1234567890123',
        paidAt: '2017-07-07T10:53:50.000Z',
      },
    });
  });

  it('verifies the string form too, and compares the amount as a decimal', async () => {
    const asString = QUERY_ANSWER.replace('"amount": 120.00', '"amount": "120.00"');
    expect((await fakeLatipay(() => ({ text: asString }), documented).channel.queryPayment(documentedOrder)).status).toBe('PAID');
  });

  it('never verifies over a reprinted number: 120 is not the signed 120.00', async () => {
    for (const text of [
      QUERY_ANSWER.replace('120.00', '120'),
      QUERY_ANSWER.replace('120.00', '120.0'),
      JSON.stringify(JSON.parse(QUERY_ANSWER)),
    ]) {
      expect((await fakeLatipay(() => ({ text }), documented).channel.queryPayment(documentedOrder)).status).toBe('UNKNOWN');
    }
  });

  it('reads the offset-less pay_time in the configured zone (UTC by default, or GMT+8)', async () => {
    const hk = await fakeLatipay(() => ({ text: QUERY_ANSWER }), { ...documented, payTimeZone: '+08:00' }).channel.queryPayment(
      documentedOrder,
    );
    expect(hk).toMatchObject({ evidence: { paidAt: '2017-07-07T02:53:50.000Z' } });
  });
});

describe('the documented callbacks, one per status', () => {
  const answer = (status: string) =>
    QUERY_ANSWER.replace('"status": "paid"', `"status": "${status}"`).replace(
      /"signature": "[0-9a-f]+"/,
      `"signature": "${createLatipaySigner('111222333').signResult({ merchant_reference: 'dsi39ej430sks03', payment_method: 'alipay', status, currency: 'NZD', amount: '120.00' })}"`,
    );

  it('every documented callback verifies (order_id accepted) and is known', async () => {
    for (const status of ['paid', 'pending', 'failed', 'canceled', 'rejected']) {
      const callback = fixture(`callback-${status}.txt`);
      const { channel } = fakeLatipay(() => ({ text: answer(status === 'paid' ? 'paid' : 'pending') }), documented);
      const n = await channel.parseNotification(callback, {});
      expect(n.identity.startsWith(`dsi39ej430sks03:${status}:`), status).toBe(true);
    }
  });

  it('canceled and rejected close the order unless the query shows it paid', async () => {
    const canceled = await fakeLatipay(() => ({ text: answer('pending') }), documented).channel.parseNotification(
      fixture('callback-canceled.txt'),
      {},
    );
    expect(canceled).toMatchObject({ outcome: 'NOT_PAID', closedAs: 'CANCELLED' });
    const rejected = await fakeLatipay(() => ({ text: answer('rejected') }), documented).channel.parseNotification(
      fixture('callback-rejected.txt'),
      {},
    );
    expect(rejected).toMatchObject({ outcome: 'NOT_PAID', closedAs: 'FAILED' });
    const paidAfterAll = await fakeLatipay(() => ({ text: answer('paid') }), documented).channel.parseNotification(
      fixture('callback-canceled.txt'),
      {},
    );
    expect(paidAfterAll.outcome).toBe('PAID');
    expect(paidAfterAll.closedAs).toBeUndefined();
    const pending = await fakeLatipay(() => ({ text: answer('pending') }), documented).channel.parseNotification(
      fixture('callback-pending.txt'),
      {},
    );
    expect(pending.closedAs).toBeUndefined();
  });
});

describe('refund outcomes (codes 550–562) and no blind re-send', () => {
  const paidOrder = { ...order, gatewayTransactionId: '20260131-alipay-1234567890123' };
  const request = { merchantRefundId: 'RF0123', amount: 5000, reason: 'x', resend: false };

  it('550, 551, 556, 558, 559 are final failures; 562 "has been done" is done', async () => {
    for (const code of [550, '551', 556, 558, 559]) {
      expect(await fakeLatipay(() => ({ json: { code, message: 'x' } })).channel.refund(paidOrder, request)).toEqual({
        status: 'FAILED',
        code: `LATIPAY_${code}`,
      });
    }
    expect(
      await fakeLatipay(() => ({ json: { code: 562, message: 'This refund request has been done' } })).channel.refund(paidOrder, request),
    ).toEqual({ status: 'SUCCEEDED', gatewayRefundId: null });
  });

  it('a refund whose earlier attempt had no answer is held, not sent again (default)', async () => {
    const { seen, channel } = fakeLatipay(() => ({ json: { code: 0, message: 'SUCCESS' } }));
    expect(await channel.refund(paidOrder, { ...request, resend: true })).toMatchObject({ status: 'UNKNOWN', held: true });
    expect(seen).toHaveLength(0);
  });

  it('with LATIPAY_REFUND_RESEND=resend it is sent again, and 562 settles it', async () => {
    const { seen, channel } = fakeLatipay(() => ({ json: { code: 562, message: 'This refund request has been done' } }), {
      ...config,
      refundResend: 'resend',
    });
    expect(await channel.refund(paidOrder, { ...request, resend: true })).toEqual({ status: 'SUCCEEDED', gatewayRefundId: null });
    expect(seen).toHaveLength(1);
  });
});
