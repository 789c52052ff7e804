/**
 * One contract for every channel: each is driven through its public factory against a fake gateway
 * (a `fetch` double answering as the real gateway does, its answers signed with the channel's own
 * `testing.ts`), and must answer the Channel port the same way: a payment action, the four query
 * states, UNKNOWN (never a failure) when the gateway times out or fails, refusal of a tampered or
 * foreign notification, and the acknowledgement the gateway expects.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakeAggregator } from '../../test/support/fake-intents';
import { GatewayUnknownError, NotificationRejectedError } from '../errors';
import { known } from '../payments/agreement-gateway';
import type { Channel, NotificationReply, VerifiedNotification } from '../payments/channel';
import { createAlipayHkChannel, type AlipayHkChannel } from './alipayhk';
import { createAlipayHkAgreementGateway } from './alipayhk/agreements';
import { ALIPAYHK_FUNCTIONS, ALIPAYHK_PATHS } from './alipayhk/functions';
import { cutSignedParts } from './alipayhk/sign-content';
import { createRsaVerifier, parseRsaKey } from './alipayhk/signing';
import { signTestNotification, signTestResponse } from './alipayhk/testing';
import { createIntentsChannel } from './intents';
import { QUERY_PATH } from './intents/endpoints';
import { signTestWebhook } from './intents/testing';
import { createLatipayChannel } from './latipay';
import { signTestCallback, signTestQueryAnswer } from './latipay/testing';
import { TEST_ORDER } from './testing';

type QueryState = 'paid' | 'pending' | 'closed' | 'unknown';
type Fault = 'none' | 'timeout' | '5xx';
type Answer = (input: string, init: RequestInit | undefined, state: QueryState) => Promise<Response>;

const order = TEST_ORDER;

/** Short enough for a test, long enough for a fake that answers at once. */
const TIMEOUT_MS = 200;

/** The fake gateway: `answer` as the real one would, unless a fault is scripted. */
function fakeGateway(answer: Answer) {
  const control: { state: QueryState; fault: Fault; calls: number } = { state: 'paid', fault: 'none', calls: 0 };
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    control.calls++;
    if (control.fault === 'timeout') {
      // Never answers: only the channel's own deadline ends the call.
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason ?? new DOMException('aborted', 'AbortError')));
      });
    }
    if (control.fault === '5xx') return new Response('upstream unavailable', { status: 503, headers: { 'content-type': 'text/plain' } });
    return answer(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, init, control.state);
  }) as typeof fetch;
  return { fetch: fetchImpl, control };
}

/** A harness's setup: the channel its factory builds over a fake gateway answering with `answer`. */
function onFakeGateway(answer: Answer, build: (fetch: typeof globalThis.fetch) => Channel): Harness['setup'] {
  return () => {
    const { fetch, control } = fakeGateway(answer);
    return { channel: build(fetch), control };
  };
}

interface Harness {
  name: string;
  setup(): { channel: Channel; control: ReturnType<typeof fakeGateway>['control'] };
  /** What createPayment must hand the client. */
  action: unknown;
  /** A validly signed notification that the order was paid. */
  notification(): Promise<{ raw: string; headers: Record<string, string> }>;
  /** The same notification with a signed fact changed. */
  tamper(raw: string): string;
  /** Notifications that verify under another key, or name another merchant. */
  foreign(): Promise<{ raw: string; headers: Record<string, string> }[]>;
  expectAck(reply: NotificationReply, notification: VerifiedNotification): void;
}

function rsaPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    private: parseRsaKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'private'),
    public: parseRsaKey(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'public'),
  };
}

const alipayhk: Harness = (() => {
  const merchant = rsaPair();
  const gateway = rsaPair();
  const clientId = '2160000000000001';
  const merchantId = '216620000000000001';
  const ACQUIREMENT: Record<QueryState, string> = { paid: 'SUCCESS', pending: 'WAIT_BUYER_PAY', closed: 'CLOSED', unknown: 'NOT_A_STATUS' };
  const answer: Answer = async (_url, init, state) => {
    const request = String(init?.body);
    const fn = (JSON.parse(cutSignedParts(request, 'request').content) as { head: { function: string } }).head.function;
    const ok = { resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' };
    const body =
      fn === ALIPAYHK_FUNCTIONS.payQuery
        ? {
            resultInfo: ok,
            acquirementId: '20260301111212800100166000000001',
            merchantTransId: order.merchantTransId,
            acquirementStatus: ACQUIREMENT[state],
            orderAmount: { currency: 'HKD', value: '12050' },
            paymentTime: '2026-03-01T18:01:00+08:00',
          }
        : { resultInfo: ok };
    return new Response(await signTestResponse(request, body, gateway.private), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  const notify = (key = gateway.private, other?: string) =>
    signTestNotification(
      { clientId, merchantId: other ?? merchantId, merchantTransId: order.merchantTransId, amount: { currency: 'HKD', value: '12050' } },
      key,
    );
  return {
    name: 'AlipayHK',
    setup: onFakeGateway(answer, (fetch) =>
      createAlipayHkChannel(
        {
          gatewayUrl: 'https://alipayhk.test',
          clientId,
          merchantId,
          signAlgorithm: 'RSA2',
          signatureEncoding: 'base64',
          paths: ALIPAYHK_PATHS,
          merchantPrivateKey: merchant.private,
          gatewayPublicKey: gateway.public,
          notifyUrl: 'https://shop.test/notify/alipayhk',
          sellerName: 'Tea shop',
          mcc: '5812',
          timeoutMs: TIMEOUT_MS,
        },
        { fetch },
      ),
    ),
    action: {
      type: 'tradePay',
      orderStr: expect.stringMatching(/^\{"request":\{.*"function":"alipay\.intl\.acquiring\.cashier\.wap\.pay".*\},"signature":"/),
    },
    notification: async () => ({ raw: await notify(), headers: { 'content-type': 'application/json' } }),
    tamper: (raw) => raw.replace('"value":"12050"', '"value":"12051"'),
    foreign: async () => [
      { raw: await notify(merchant.private), headers: {} },
      { raw: await notify(gateway.private, '216620000000009999'), headers: {} },
    ],
    expectAck(reply, notification) {
      expect(reply.statusCode).toBe(200);
      const parts = cutSignedParts(reply.body, 'response');
      expect(() => createRsaVerifier(merchant.public, 'RSA2').verify(parts.content, parts.signature)).not.toThrow();
      const payload = JSON.parse(parts.content) as { head: { reqMsgId: string }; body: { resultInfo: { resultCode: string } } };
      expect(payload.head.reqMsgId).toBe(notification.messageId);
      expect(payload.body.resultInfo.resultCode).toBe('SUCCESS');
    },
  };
})();

const latipay: Harness = (() => {
  const apiKey = 'k'.repeat(64);
  const WIRE: Record<QueryState, string> = { paid: 'paid', pending: 'pending', closed: 'failed', unknown: 'not-a-status' };
  const answer: Answer = async (url, _init, state) => {
    const path = new URL(url).pathname;
    const json = path.startsWith('/v2/transaction/')
      ? signTestQueryAnswer({ merchantReference: order.merchantTransId, status: WIRE[state], amount: '120.50' }, apiKey)
      : {
          code: 0,
          message: 'SUCCESS',
          gatewaydata: { partner: '2088000000000001', out_trade_no: order.merchantTransId, sign: 'x' },
          paydata: {},
        };
    return new Response(JSON.stringify(json), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const callback = (key = apiKey) => signTestCallback({ merchantReference: order.merchantTransId, status: 'paid', amount: '120.50' }, key);
  return {
    name: 'Latipay',
    setup: onFakeGateway(answer, (fetch) =>
      createLatipayChannel(
        {
          gatewayUrl: 'https://latipay.test',
          userId: 'U000000001',
          walletId: 'W000000001',
          apiKey,
          currency: 'HKD',
          callbackUrl: 'https://shop.test/notify/latipay',
          timeoutMs: TIMEOUT_MS,
        },
        { fetch },
      ),
    ),
    action: { type: 'tradePay', orderStr: `partner=2088000000000001&out_trade_no=${order.merchantTransId}&sign=x` },
    notification: async () => ({ raw: callback(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    tamper: (raw) => raw.replace('amount=120.50', 'amount=1.20'),
    foreign: async () => [{ raw: callback('x'.repeat(64)), headers: {} }],
    expectAck(reply) {
      expect(reply).toMatchObject({ statusCode: 200, body: 'sent' });
      expect(reply.contentType).toMatch(/^text\/plain/);
    },
  };
})();

const aggregator: Harness = (() => {
  const apiKey = 'test-intents-api-key-0123456789abcdef';
  const WIRE: Record<QueryState, string> = { paid: 'SUCCEEDED', pending: 'PENDING', closed: 'CANCELLED', unknown: 'NOT_A_STATUS' };
  const webhook = (key = apiKey) => signTestWebhook({ merchantOrderId: order.merchantTransId, amount: '120.50', currency: 'HKD' }, key);
  return {
    name: 'aggregator (payment intents)',
    setup() {
      const fake = fakeAggregator();
      const { fetch, control } = fakeGateway(async (url, init, state) => {
        fake.override(
          QUERY_PATH,
          {
            status: 200,
            body: {
              code: 0,
              message: 'ok',
              data: {
                order_id: 'C000000000000000000001',
                merchant_order_id: order.merchantTransId,
                amount: '120.50',
                currency: 'HKD',
                status: WIRE[state],
              },
            },
          },
          false,
        );
        return fake.fetch(url, init);
      });
      const channel = createIntentsChannel(
        {
          gatewayUrl: 'https://intents.example',
          apiKey,
          merchantId: 'M-1',
          uid: 'UID-1',
          clientSecret: 'test-client-secret',
          notifyUrl: 'https://shop.example/notify/intents',
          returnUrl: 'https://shop.example/h5/return',
          timeoutMs: TIMEOUT_MS,
        },
        { fetch },
      );
      return { channel, control };
    },
    action: { type: 'redirect', url: 'https://cashier.example/pay/C000000000000000000001' },
    notification: async () => webhook(),
    tamper: (raw) => raw.replace('"120.50"', '"1.20"'),
    foreign: async () => [webhook('another-merchants-api-key')],
    expectAck(reply) {
      expect(reply.statusCode).toBe(200);
    },
  };
})();

describe.each([alipayhk, latipay, aggregator])('$name channel conformance', (harness) => {
  it('createPayment answers the payment action the client needs', async () => {
    const { channel } = harness.setup();
    expect(await channel.createPayment(order, { clientIp: '203.0.113.9', wallet: 'ALIPAYHK' })).toEqual(harness.action);
  });

  it.each(['paid', 'pending', 'closed', 'unknown'] as const)('queryPayment maps a signed "%s" answer', async (state) => {
    const { channel, control } = harness.setup();
    control.state = state;
    const result = await channel.queryPayment(order);
    expect(result.status).toBe(state.toUpperCase());
    if (result.status === 'PAID' || result.status === 'CLOSED') {
      expect(result.evidence).toMatchObject({ source: 'query', merchantId: channel.merchantId, merchantTransId: order.merchantTransId });
    }
    if (result.status === 'PAID') expect(result.evidence).toMatchObject({ amount: 12050, currency: 'HKD' });
    if (result.status === 'UNKNOWN') expect(result.reason).not.toBe('');
  });

  it.each(['timeout', '5xx'] as const)('a %s is UNKNOWN, never a failure', async (fault) => {
    const { channel, control } = harness.setup();
    control.fault = fault;
    const result = await channel.queryPayment(order);
    expect(result).toMatchObject({ status: 'UNKNOWN', reason: expect.any(String) });
    expect(control.calls).toBeGreaterThan(0);
    expect((await channel.cancelPayment(order)).status).toBe('UNKNOWN');
  });

  it('accepts a validly signed notification', async () => {
    const { channel } = harness.setup();
    const { raw, headers } = await harness.notification();
    const verified = await channel.parseNotification(raw, headers);
    expect(verified).toMatchObject({
      merchantTransId: order.merchantTransId,
      outcome: 'PAID',
      evidence: { amount: 12050, currency: 'HKD' },
    });
  });

  it('rejects a tampered notification', async () => {
    const { channel } = harness.setup();
    const { raw, headers } = await harness.notification();
    const tampered = harness.tamper(raw);
    expect(tampered).not.toBe(raw);
    await expect(channel.parseNotification(tampered, headers)).rejects.toBeInstanceOf(NotificationRejectedError);
  });

  it('rejects a notification signed with another key or naming another merchant', async () => {
    const { channel } = harness.setup();
    for (const { raw, headers } of await harness.foreign()) {
      await expect(channel.parseNotification(raw, headers)).rejects.toBeInstanceOf(NotificationRejectedError);
    }
  });

  it('acknowledges in the format the gateway expects', async () => {
    const { channel } = harness.setup();
    const { raw, headers } = await harness.notification();
    const verified = await channel.parseNotification(raw, headers);
    harness.expectAck(await channel.acknowledge(verified), verified);
  });
});

describe('the AgreementGateway port answers "unknown" the same way (AlipayHK)', () => {
  function setup() {
    const { channel, control } = alipayhk.setup();
    const gateway = createAlipayHkAgreementGateway((channel as AlipayHkChannel).client, {
      merchantId: channel.merchantId,
      notifyUrl: 'https://shop.test/notify/alipayhk',
      sellerName: 'Tea shop',
      mcc: '5812',
    });
    return { gateway, control };
  }

  it('answers a signed S as before', async () => {
    const { gateway } = setup();
    expect(await gateway.cancel('MA0001')).toEqual({ ok: true, value: null });
  });

  it.each(['timeout', '5xx'] as const)('a %s is answered as UNKNOWN by every method, never thrown', async (fault) => {
    const { gateway, control } = setup();
    control.fault = fault;
    const unknown = { ok: false, status: 'UNKNOWN', reason: expect.any(String) };
    expect(await gateway.prepare({ merchantAgreementId: 'MA0001', state: 's', redirectUrl: 'https://shop.test/back' })).toEqual(unknown);
    expect(await gateway.exchangeAuthCode('code')).toEqual(unknown);
    expect(await gateway.userId('token')).toEqual(unknown);
    expect(await gateway.refresh('refresh')).toEqual(unknown);
    expect(await gateway.query('MA0001')).toEqual(unknown);
    const cancelled = await gateway.cancel('MA0001');
    expect(cancelled).toEqual(unknown);
    expect(await gateway.pay(order, 'token')).toEqual({ status: 'UNKNOWN', reason: expect.any(String) });
    // A caller that handles every unknown in one place gets the error back.
    expect(() => known(cancelled)).toThrow(GatewayUnknownError);
  });
});
