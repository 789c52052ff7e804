import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../app';
import { buildSandbox } from '../app';
import { formatRfc3339 } from '../clock';
import { generateSandboxKeys } from '../keys';
import { cashierOrderStr, tradePay, verifyIndependently, waitFor } from '../testing/fixtures';
import { ALIPAYHK_FUNCTIONS } from './functions';
import { parseRsaKey } from './rsa-key';
import { signEnvelope } from './signature';
import { listenRawJson } from '../testing/receiver';

const keys = generateSandboxKeys();

interface Received {
  at: number;
  raw: string;
  request: Record<string, any>;
}
type Answer = { status: number; body: string };
type Behaviour = (request: Record<string, any>, index: number) => Answer;

/** A merchant notify endpoint: verifies the gateway signature independently and answers per `behaviour`. */
class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = (request) => ({ status: 200, body: signedAck(request) });
  private readonly app: FastifyInstance = Fastify();
  url = '';

  async start(): Promise<void> {
    this.url = await listenRawJson(this.app, '/notify/alipayhk', async (req, reply) => {
      const raw = req.body as string;
      expect(req.headers['content-type']).toBe('application/json; charset=UTF-8');
      const request = verifyIndependently('request', raw, keys.gatewayPublicPem);
      const index = this.received.length;
      this.received.push({ at: Date.now(), raw, request });
      const answer = this.behaviour(request, index);
      return reply.code(answer.status).header('content-type', 'application/json; charset=UTF-8').send(answer.body);
    });
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

const merchantSigner = parseRsaKey(keys.merchantPrivatePem, 'RSA2', 'private');

function ackPayload(request: Record<string, any>, resultCode = 'SUCCESS'): object {
  return {
    head: {
      version: '2.0.0',
      function: request.head.function,
      clientId: request.head.clientId,
      respTime: formatRfc3339(Date.now()),
      reqMsgId: request.head.reqMsgId,
      reserve: '{}',
    },
    body: { resultInfo: { resultStatus: 'S', resultCodeId: '00000000', resultCode, resultMsg: 'success' } },
  };
}
function signedAck(request: Record<string, any>, resultCode = 'SUCCESS'): string {
  return signEnvelope('response', ackPayload(request, resultCode), merchantSigner);
}

let sb: Sandbox;
let receiver: Receiver;

beforeAll(async () => {
  sb = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001, signAlgorithm: 'RSA2' });
});
afterAll(async () => {
  await sb.close();
});
beforeEach(async () => {
  sb.reset();
  receiver = new Receiver();
  await receiver.start();
});
afterEach(async () => {
  await receiver.close();
});

async function pay(merchantTransId: string, outcome = 'success'): Promise<void> {
  const res = await tradePay(
    sb.app,
    cashierOrderStr(sb.merchantSigner, { merchantTransId, notifyUrl: receiver.url, value: '1234' }),
    outcome,
  );
  expect(res.status).toBe(200);
}
function job(merchantTransId: string) {
  return sb.ledger.snapshot().notifications.find((n) => n.merchantTransId === merchantTransId);
}

describe('payment notifications', () => {
  it('delivers one signed notify.pay and stops at a merchant-signed SUCCESS ack', async () => {
    await pay('N-once');
    await waitFor(() => job('N-once')?.status === 'acknowledged');
    await new Promise((resolve) => setTimeout(resolve, 150)); // the first retry would be due after 120 ms
    expect(receiver.received).toHaveLength(1);
    const { request, raw } = receiver.received[0] as Received;
    const payment = sb.ledger.snapshot().payments[0];
    expect(raw.startsWith('{"request":{"head":')).toBe(true);
    expect(request.head).toMatchObject({
      version: '2.0.0',
      function: ALIPAYHK_FUNCTIONS.notifyPay,
      clientId: 'TPSANDBOXCLIENT01',
      reserve: '{}',
    });
    expect(request.head.reqMsgId).toMatch(/^[0-9a-f]{32}$/);
    expect(request.head.reqTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(request.body).toEqual({
      resultInfo: { resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' },
      acquirementId: payment?.acquirementId,
      merchantTransId: 'N-once',
      orderAmount: { currency: 'HKD', value: '1234' },
      paymentTime: formatRfc3339(Date.parse(payment?.paidAt ?? '')),
    });
    const deliveries = job('N-once')?.deliveries ?? [];
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      attempt: 1,
      copy: 0,
      httpStatus: 200,
      acknowledged: true,
      error: null,
      reqMsgId: request.head.reqMsgId,
    });
  });

  it('retries on 500 with scaled delays: 500, 500, ack → 3 deliveries', async () => {
    receiver.behaviour = (request, index) =>
      index < 2 ? { status: 500, body: '{"error":"db down"}' } : { status: 200, body: signedAck(request) };
    await pay('N-retry');
    await waitFor(() => job('N-retry')?.status === 'acknowledged', 5000);
    const [first, second, third] = receiver.received.map((r) => r.at);
    expect(receiver.received).toHaveLength(3);
    // 2 min and 10 min × 0.001 = 120 ms and 600 ms (timers never fire early).
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(115);
    expect((second as number) - (first as number)).toBeLessThan(600);
    expect((third as number) - (second as number)).toBeGreaterThanOrEqual(595);
    const deliveries = job('N-retry')?.deliveries ?? [];
    expect(deliveries.map((d) => [d.attempt, d.httpStatus, d.acknowledged])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
    expect(deliveries[0]?.error).toBe('HTTP 500');
    // A new reqMsgId per delivery.
    expect(new Set(receiver.received.map((r) => r.request.head.reqMsgId)).size).toBe(3);
  });

  it('does not count unsigned, wrongly signed or non-SUCCESS answers as acknowledgements', async () => {
    const answers: Behaviour[] = [
      (request) => ({ status: 200, body: JSON.stringify({ response: ackPayload(request) }) }),
      () => ({ status: 200, body: '{"resultCode":"SUCCESS"}' }),
      (request) => ({
        status: 200,
        body: signEnvelope('response', ackPayload(request), parseRsaKey(keys.gatewayPrivatePem, 'RSA2', 'private')),
      }),
      (request) => ({ status: 200, body: signedAck(request, 'SYSTEM_ERROR') }),
      (request) => ({ status: 201, body: signedAck(request) }),
    ];
    receiver.behaviour = (request, index) => (answers[index] ?? (answers[0] as Behaviour))(request, index);
    sb.control.update({ retryScale: 0.00002 }); // retries after 2.4, 12, 12, 72 ms …
    await pay('N-unsigned');
    await waitFor(() => (job('N-unsigned')?.deliveries.length ?? 0) >= 5, 5000);
    const deliveries = (job('N-unsigned')?.deliveries ?? []).slice(0, 5);
    expect(deliveries.map((d) => d.acknowledged)).toEqual([false, false, false, false, false]);
    expect(deliveries[0]?.error).toMatch(/ack refused/);
    expect(deliveries[2]?.error).toMatch(/does not verify/);
    expect(deliveries[3]?.error).toMatch(/SYSTEM_ERROR/);
    expect(deliveries[4]?.error).toBe('HTTP 201');
    expect(job('N-unsigned')?.status).not.toBe('acknowledged');
  });

  it('gives up after 8 deliveries', async () => {
    receiver.behaviour = () => ({ status: 503, body: '' });
    sb.control.update({ retryScale: 0.00001 }); // the whole 25 h schedule in about 0.9 s
    await pay('N-exhaust');
    await waitFor(() => job('N-exhaust')?.status === 'exhausted', 5000);
    expect(receiver.received).toHaveLength(8);
    expect(job('N-exhaust')?.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(job('N-exhaust')?.nextAttemptAt).toBeNull();
  });

  it('sends duplicates concurrently and records each copy', async () => {
    sb.control.update({ duplicates: 2 });
    await pay('N-dup');
    await waitFor(() => (job('N-dup')?.deliveries.length ?? 0) === 3);
    expect(receiver.received).toHaveLength(3);
    expect(
      job('N-dup')
        ?.deliveries.map((d) => d.copy)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(job('N-dup')?.status).toBe('acknowledged');
  });

  it('drops every notification of a payment when dropRate hits', async () => {
    sb.control.update({ dropRate: 1 });
    await pay('N-drop');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.received).toHaveLength(0);
    expect(job('N-drop')).toMatchObject({ status: 'dropped', deliveries: [] });
    expect(sb.ledger.snapshot().payments[0]?.status).toBe('PAID');
  });

  it('records an unreachable notifyUrl as an error and keeps retrying', async () => {
    await receiver.close();
    await pay('N-down');
    await waitFor(() => (job('N-down')?.deliveries.length ?? 0) >= 1);
    expect(job('N-down')?.deliveries[0]).toMatchObject({ httpStatus: null, acknowledged: false });
    expect(job('N-down')?.deliveries[0]?.error).toBeTruthy();
    expect(job('N-down')?.status).toBe('scheduled');
    receiver = new Receiver(); // afterEach closes it
    await receiver.start();
  });

  it('stops all pending notifications when the app closes', async () => {
    const other = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001, signAlgorithm: 'RSA2' });
    other.control.update({ notifyDelayMs: 100 });
    const res = await tradePay(other.app, cashierOrderStr(other.merchantSigner, { merchantTransId: 'N-close', notifyUrl: receiver.url }));
    expect(res.json.resultCode).toBe('9000');
    await other.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(0);
  });
});
