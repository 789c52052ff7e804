import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../app';
import { buildSandbox } from '../app';
import { generateSandboxKeys } from '../keys';
import { waitFor } from '../testing/fixtures';
import { LATIPAY_MAX_CALLBACK_ATTEMPTS, SANDBOX_LATIPAY_USER_ID, SANDBOX_LATIPAY_WALLET_ID } from './config';
import { signLatipayRequest } from './hmac';

const keys = generateSandboxKeys();
let sb: Sandbox;

/** A merchant callback endpoint on loopback that answers from a script. */
let server: Server;
let callbackUrl: string;
let received: Array<{ contentType: string | undefined; body: string }> = [];
let answer: () => { status: number; body: string } = () => ({ status: 200, body: 'sent' });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  sb = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001 });
  server = createServer(async (req, res) => {
    received.push({ contentType: req.headers['content-type'], body: await readBody(req) });
    const { status, body } = answer();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  callbackUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notify/latipay`;
});
afterAll(async () => {
  await sb.close();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  sb.reset();
  received = [];
  answer = () => ({ status: 200, body: 'sent' });
});

const apiKey = () => keys.latipayApiKey;

function createBody(overrides: Record<string, unknown> = {}, key = apiKey()): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    user_id: SANDBOX_LATIPAY_USER_ID,
    wallet_id: SANDBOX_LATIPAY_WALLET_ID,
    amount: '84.00',
    callback_url: callbackUrl,
    merchant_reference: `TP${Math.random().toString(36).slice(2, 14)}`,
    ip: '127.0.0.1',
    version: '2.0',
    product_name: 'Lotus seed mooncakes, box of 4',
    ...overrides,
  };
  return { ...fields, signature: signLatipayRequest(fields, key) };
}

async function create(body: Record<string, unknown>) {
  const res = await sb.app.inject({ method: 'POST', url: '/v2/minialipay', payload: body });
  return { status: res.statusCode, json: res.json() };
}

function orderStrOf(gatewaydata: Record<string, string>): string {
  return Object.entries(gatewaydata)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

async function tradePay(orderStr: string, outcome?: string) {
  const res = await sb.app.inject({
    method: 'POST',
    url: '/sandbox/wallet/tradePay',
    payload: outcome ? { orderStr, outcome } : { orderStr },
  });
  return { status: res.statusCode, json: res.json() };
}

async function queryRaw(ref: string, sign = true): Promise<string> {
  const signature = sign ? signLatipayRequest({ merchant_reference: ref, user_id: SANDBOX_LATIPAY_USER_ID }, apiKey()) : 'f'.repeat(64);
  const res = await sb.app.inject({
    method: 'GET',
    url: `/v2/transaction/${ref}?user_id=${SANDBOX_LATIPAY_USER_ID}&signature=${signature}`,
  });
  return res.body;
}

async function query(ref: string, sign = true) {
  return JSON.parse(await queryRaw(ref, sign));
}

function refundBody(orderId: string, amount: string, reference: string, key = apiKey()) {
  const fields = { user_id: SANDBOX_LATIPAY_USER_ID, order_id: orderId, refund_amount: amount, reference };
  return { ...fields, signature: signLatipayRequest(fields, key) };
}

/** Checked with node:crypto directly, not with the sandbox's own helper. */
function expectedResultSignature(f: {
  merchant_reference: string;
  payment_method: string;
  status: string;
  currency: string;
  amount: string;
}) {
  return createHmac('sha256', apiKey())
    .update(f.merchant_reference + f.payment_method + f.status + f.currency + f.amount)
    .digest('hex');
}

const latipay = () => sb.ledger.snapshot().latipay;

describe('POST /v2/minialipay', () => {
  it('answers code 0 with gatewaydata in a fixed, non-alphabetical order and records the payment', async () => {
    const body = createBody();
    const { status, json } = await create(body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ code: 0, message: 'SUCCESS' });
    const keysInOrder = Object.keys(json.gatewaydata);
    expect(keysInOrder.slice(0, 4)).toEqual(['service', 'partner', '_input_charset', 'out_trade_no']);
    expect([...keysInOrder].sort()).not.toEqual(keysInOrder);
    expect(json.gatewaydata).toMatchObject({ total_fee: '84.00', currency: 'HKD', secondary_merchant_id: SANDBOX_LATIPAY_WALLET_ID });
    expect(json.paydata.orderId).toBe(json.gatewaydata.out_trade_no);
    expect(latipay().payments).toEqual([
      expect.objectContaining({
        merchantReference: body.merchant_reference,
        orderId: json.paydata.orderId,
        status: 'pending',
        amount: '84.00',
        amountMinor: 8400,
      }),
    ]);
    expect(sb.ledger.snapshot().payments).toHaveLength(0); // AlipayHK's records are separate
  });

  it('a retry for the same merchant_reference gets the same payment; a different amount is refused', async () => {
    const body = createBody();
    const first = await create(body);
    const again = await create(body);
    expect(again.json.gatewaydata).toEqual(first.json.gatewaydata);
    const changed = await create(createBody({ merchant_reference: body.merchant_reference, amount: '1.00' }));
    expect(changed.json.code).toBe(207);
    expect(latipay().payments).toHaveLength(1);
  });

  it('refuses with Latipay error codes and records nothing', async () => {
    const wrongKey = createBody({}, 'f'.repeat(64));
    const tampered = { ...createBody(), amount: '1.00' };
    const { signature: _dropped, ...unsigned } = createBody();
    const cases: Array<[Record<string, unknown>, number]> = [
      [wrongKey, 206],
      [tampered, 206],
      [unsigned, 204],
      [createBody({ user_id: 'U999' }), 205],
      [createBody({ wallet_id: 'W999' }), 450],
      [createBody({ payment_method: 'wechat' }), 304],
      [createBody({ amount: '84.001' }), 207],
      [createBody({ amount: '0.00' }), 207],
      [createBody({ version: '1.0' }), 207],
      [createBody({ callback_url: 'javascript:alert(1)' }), 207],
      [createBody({ product_name: '' }), 204],
    ];
    for (const [body, code] of cases) {
      const { status, json } = await create(body);
      expect(status).toBe(200);
      expect(json.code, JSON.stringify(body)).toBe(code);
      expect(typeof json.message).toBe('string');
    }
    expect(latipay().payments).toHaveLength(0);
    expect(latipay().calls.minialipay).toBe(cases.length);
  });

  it('control.latipayFailNext scripts an error reply; control.failNext 5xx and U apply too', async () => {
    sb.control.update({ latipayFailNext: { count: 1, code: 301 } });
    expect((await create(createBody())).json.code).toBe(301);
    sb.control.update({ failNext: { count: 2, mode: '5xx' } });
    expect((await sb.app.inject({ method: 'POST', url: '/v2/minialipay', payload: createBody() })).statusCode).toBe(503);
    expect((await sb.app.inject({ method: 'POST', url: '/refund', payload: refundBody('x', '1.00', 'r') })).statusCode).toBe(503);
    sb.control.update({ failNext: { count: 1, mode: 'U' } });
    expect((await create(createBody())).json.code).toBe(1);
    expect(latipay().payments).toHaveLength(0);
    expect((await create(createBody())).json.code).toBe(0);
  });

  it('control refuses an undocumented form, and a reset returns to the start-up forms', async () => {
    for (const forms of [{ latipayAmount: 'float' }, { nope: 'x' }, 'number']) {
      expect((await sb.app.inject({ method: 'POST', url: '/sandbox/control', payload: { forms } })).statusCode).toBe(400);
    }
    sb.control.update({ forms: { latipayAmount: 'string' } });
    sb.reset();
    expect(sb.control.current.forms.latipayAmount).toBe('number');
  });

  it('control refuses an undocumented latipayFailNext code', async () => {
    const res = await sb.app.inject({ method: 'POST', url: '/sandbox/control', payload: { latipayFailNext: { count: 1, code: 999 } } });
    expect(res.statusCode).toBe(400);
  });
});

describe('the wallet pays a Latipay orderStr; callbacks and query', () => {
  it('success: 9000, paid, a signed form-encoded callback acknowledged by "sent", and a signed query answer', async () => {
    const body = createBody();
    const { json } = await create(body);
    expect(await tradePay(orderStrOf(json.gatewaydata), 'success')).toEqual({ status: 200, json: { resultCode: '9000' } });
    await waitFor(() => latipay().callbacks[0]?.status === 'acknowledged', 3000);
    expect(received).toHaveLength(1);
    expect(received[0]!.contentType).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(received[0]!.body);
    const facts = {
      merchant_reference: String(body.merchant_reference),
      payment_method: 'alipay',
      status: 'paid',
      currency: 'HKD',
      amount: '84.00',
    };
    expect(Object.fromEntries(form)).toMatchObject({ ...facts, order_id: json.paydata.orderId });
    expect([...form.keys()]).toEqual([
      'merchant_reference',
      'order_id',
      'currency',
      'amount',
      'payment_method',
      'status',
      'pay_time',
      'signature',
    ]);
    expect(form.get('pay_time')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(form.get('signature')).toBe(expectedResultSignature(facts));

    // The documented form: `"amount":84.00`, a JSON number with its digits, signed as text.
    const raw = await queryRaw(String(body.merchant_reference));
    expect(raw).toContain('"amount":84.00,');
    const answer = JSON.parse(raw);
    expect(answer).toMatchObject({ ...facts, amount: 84, order_id: json.paydata.orderId });
    expect(answer.signature).toBe(expectedResultSignature(facts));
    sb.control.update({ forms: { latipayAmount: 'string' } });
    expect(await query(String(body.merchant_reference))).toMatchObject({ ...facts, signature: expectedResultSignature(facts) });
    expect(latipay().payments[0]).toMatchObject({ status: 'paid', outcome: 'success' });
  });

  it('re-sends until the answer is HTTP 200 with exactly "sent"', async () => {
    const replies = [
      { status: 200, body: 'ok' },
      { status: 500, body: 'sent' },
      { status: 200, body: 'sent\n' },
      { status: 200, body: 'sent' },
    ];
    answer = () => replies.shift() ?? { status: 200, body: 'sent' };
    const { json } = await create(createBody());
    await tradePay(orderStrOf(json.gatewaydata));
    await waitFor(() => latipay().callbacks[0]?.status === 'acknowledged', 5000);
    const deliveries = latipay().callbacks[0]!.deliveries;
    expect(deliveries.map((d) => d.acknowledged)).toEqual([false, false, false, true]);
    expect(deliveries[1]).toMatchObject({ httpStatus: 500, error: 'HTTP 500' });
  });

  it(`gives up after ${LATIPAY_MAX_CALLBACK_ATTEMPTS} deliveries`, async () => {
    sb.control.update({ retryScale: 0.00001 });
    answer = () => ({ status: 503, body: 'busy' });
    const { json } = await create(createBody());
    await tradePay(orderStrOf(json.gatewaydata));
    await waitFor(() => latipay().callbacks[0]?.status === 'exhausted', 10_000);
    expect(latipay().callbacks[0]!.deliveries).toHaveLength(LATIPAY_MAX_CALLBACK_ATTEMPTS);
  });

  it('fail, cancel, processing, unknown and network behave as for AlipayHK', async () => {
    sb.control.update({ processingDelayMs: 50_000, lateNotifyDelayMs: 200_000 }); // × 0.001 → 50 ms, 200 ms
    const pay = async (outcome: string) => {
      const body = createBody();
      const { json } = await create(body);
      return {
        ref: String(body.merchant_reference),
        result: await tradePay(orderStrOf(json.gatewaydata), outcome),
        orderStr: orderStrOf(json.gatewaydata),
      };
    };
    const fail = await pay('fail');
    expect(fail.result.json).toEqual({ resultCode: '4000' });
    expect((await query(fail.ref)).status).toBe('failed');
    expect((await tradePay(fail.orderStr, 'success')).json.resultCode).toBe('4000');

    const cancel = await pay('cancel');
    expect(cancel.result.json).toEqual({ resultCode: '6001' });
    expect((await query(cancel.ref)).status).toBe('pending');
    expect((await tradePay(cancel.orderStr, 'success')).json.resultCode).toBe('9000');
    expect((await tradePay(cancel.orderStr, 'success')).json.resultCode).toBe('5000');

    const processing = await pay('processing');
    expect(processing.result.json).toEqual({ resultCode: '8000' });
    expect((await query(processing.ref)).status).toBe('pending');
    await waitFor(() => latipay().payments.find((p) => p.merchantReference === processing.ref)?.status === 'paid', 3000);

    const unknown = await pay('unknown');
    expect(unknown.result.json).toEqual({ resultCode: '6004' });
    expect((await query(unknown.ref)).status).toBe('paid');

    const network = await pay('network');
    expect(network.result.json).toEqual({ resultCode: '6002' });
    const job = latipay().callbacks.find((c) => c.merchantReference === network.ref);
    expect(job?.deliveries).toHaveLength(0);
    await waitFor(() => latipay().callbacks.find((c) => c.merchantReference === network.ref)?.status === 'acknowledged', 3000);

    await waitFor(() => latipay().callbacks.find((c) => c.merchantReference === processing.ref)?.status === 'acknowledged', 3000);
    expect(latipay().callbacks.filter((c) => c.merchantReference === unknown.ref || c.merchantReference === fail.ref)).toHaveLength(0);
  });

  it('refuses an edited or unknown orderStr with HTTP 400 and 4000', async () => {
    const { json } = await create(createBody());
    const orderStr = orderStrOf(json.gatewaydata);
    const cheaper = orderStr.replace('total_fee=84.00', 'total_fee=0.01');
    expect(cheaper).not.toBe(orderStr);
    const edited = await tradePay(cheaper);
    expect(edited.status).toBe(400);
    expect(edited.json).toMatchObject({ resultCode: '4000', error: 'INVALID_SIGNATURE' });
    const unknown = await tradePay(orderStr.replace(/out_trade_no=[^&]*/, 'out_trade_no=20200101-alipay-0'));
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('INVALID_ORDER');
    expect((await tradePay('a=1&a=2')).status).toBe(400);
    expect(latipay().payments[0]!.status).toBe('pending');
  });

  it('query: 201 for an unknown reference, 206 for a bad signature', async () => {
    expect((await query('NOPE')).code).toBe(201);
    const { json } = await create(createBody({ merchant_reference: 'Q-1' }));
    expect(json.code).toBe(0);
    expect((await query('Q-1', false)).code).toBe(206);
    expect((await query('Q-1')).status).toBe('pending');
  });
});

describe('POST /refund', () => {
  async function paidOrder() {
    const { json } = await create(createBody());
    await tradePay(orderStrOf(json.gatewaydata), 'unknown');
    return json.paydata.orderId as string;
  }

  const post = (body: Record<string, unknown>) => sb.app.inject({ method: 'POST', url: '/refund', payload: body }).then((r) => r.json());

  it('refunds partially and fully, never more than was paid; `reference` is a note, so a repeat refunds again', async () => {
    const orderId = await paidOrder();
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toMatchObject({ code: 0 });
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toMatchObject({ code: 0 });
    expect(latipay().refunds.map((r) => r.refundAmount)).toEqual(['20.00', '20.00']);
    expect((await post(refundBody(orderId, '44.01', 'RF-2'))).code).toBe(550);
    expect(await post(refundBody(orderId, '44.00', 'RF-2'))).toMatchObject({ code: 0 });
    expect(latipay().payments[0]!.refundedMinor).toBe(8400);
    expect((await post(refundBody(orderId, '0.01', 'RF-3'))).code).toBe(550);
    expect((await post(refundBody('20200101-alipay-0', '1.00', 'RF-4'))).code).toBe(551);
    expect((await post(refundBody(orderId, '1.00', 'RF-5', 'f'.repeat(64)))).code).toBe(206);
  });

  it('with forms.latipayRefundRepeat = 562, a repeat answers "This refund request has been done"', async () => {
    sb.control.update({ forms: { latipayRefundRepeat: '562' } });
    const orderId = await paidOrder();
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toMatchObject({ code: 0 });
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toEqual({ code: 562, message: 'This refund request has been done' });
    expect(await post(refundBody(orderId, '20.00', 'RF-2'))).toMatchObject({ code: 0 });
    expect(latipay().refunds.map((r) => r.reference)).toEqual(['RF-1', 'RF-2']);
  });

  it('refuses to refund an unpaid payment', async () => {
    const { json } = await create(createBody());
    const res = await sb.app.inject({ method: 'POST', url: '/refund', payload: refundBody(json.paydata.orderId, '1.00', 'RF-U') });
    expect(res.json().code).toBe(550);
    expect(latipay().refunds).toHaveLength(0);
  });
});

describe('Latipay closes a payment: canceled / rejected', () => {
  it('closes an open payment, calls back with that status, and the query says so', async () => {
    for (const status of ['canceled', 'rejected'] as const) {
      received = [];
      const body = createBody();
      const { json } = await create(body);
      const res = await sb.app.inject({
        method: 'POST',
        url: '/sandbox/latipay/close',
        payload: { merchant_reference: body.merchant_reference, status },
      });
      expect(res.statusCode).toBe(200);
      await waitFor(() => received.length > 0, 3000);
      const form = new URLSearchParams(received[0]!.body);
      const facts = {
        merchant_reference: String(body.merchant_reference),
        payment_method: 'alipay',
        status,
        currency: 'HKD',
        amount: '84.00',
      };
      expect(Object.fromEntries(form)).toMatchObject({ ...facts, signature: expectedResultSignature(facts) });
      expect((await query(String(body.merchant_reference))).status).toBe(status);
      expect(await tradePay(orderStrOf(json.gatewaydata))).toMatchObject({ json: { resultCode: '4000' } });
      const again = await sb.app.inject({
        method: 'POST',
        url: '/sandbox/latipay/close',
        payload: { merchant_reference: body.merchant_reference, status },
      });
      expect(again.statusCode).toBe(400);
    }
  });
});
