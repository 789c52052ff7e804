import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../app';
import { buildSandbox } from '../app';
import { generateSandboxKeys } from '../keys';
import { INTENTS_RETRY_DELAYS_MS } from './notifier';
import { INTENTS_PATHS, SANDBOX_INTENTS_MERCHANT_ID } from './paths';
import { listenRawJson } from '../testing/receiver';

const keys = generateSandboxKeys();
const SCALE = 0.001;

/** The merchant's webhook endpoint: records what arrives, answers per `status`. */
class Receiver {
  readonly received: { raw: string; signature: string | undefined; header: string | undefined }[] = [];
  statuses: number[] = [];
  private readonly app: FastifyInstance = Fastify();
  url = '';

  async start(): Promise<void> {
    this.url = await listenRawJson(this.app, '/notify/intents', async (req, reply) => {
      // Node lower-cases header names: `Signature` arrives as `signature`.
      const name = ['signature', 'x-signature'].find((n) => typeof req.headers[n] === 'string');
      this.received.push({ raw: req.body as string, signature: name ? (req.headers[name] as string) : undefined, header: name });
      return reply.code(this.statuses[this.received.length - 1] ?? 200).send('ok');
    });
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

let sb: Sandbox;
let base: string;
const receiver = new Receiver();

beforeAll(async () => {
  sb = await buildSandbox({ dataDir: '/nonexistent', keys, retryScale: SCALE });
  base = await sb.listen();
  await receiver.start();
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});
beforeEach(() => {
  sb.reset();
  receiver.received.length = 0;
  receiver.statuses = [];
});

async function post(path: string, body: unknown, token?: string) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function getToken(query: Record<string, string>) {
  const res = await fetch(`${base}${INTENTS_PATHS.token}?${new URLSearchParams(query).toString()}`);
  return { status: res.status, body: (await res.json()) as any };
}

const credentials = () => ({ grant_type: 'client_credentials', uid: SANDBOX_INTENTS_MERCHANT_ID, client_secret: keys.intentsApiKey });

async function token(): Promise<string> {
  const res = await getToken(credentials());
  expect(res.status).toBe(200);
  return res.body.access_token;
}

let seq = 0;
function createBody(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    amount: '88.00',
    currency: 'HKD',
    merchant_order_id: `TP20260101TEST${String(seq).padStart(16, '0')}`,
    description: 'Oolong tea, 100 g',
    notify_url: receiver.url,
    return_url: 'http://127.0.0.1:9/h5/return?order=ord_x',
    payment_method: { type: 'alipayhk', alipayhk: { flow: 'mobile_web', payment_method: 'ALIPAYHK' } },
    ...overrides,
  };
}

async function createIntent(overrides: Record<string, unknown> = {}) {
  const t = await token();
  const body = createBody(overrides);
  const res = await post(INTENTS_PATHS.create, body, t);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { t, body, data: res.body.data };
}

async function click(url: string, action: 'pay' | 'cancel') {
  return fetch(`${url}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    redirect: 'manual',
  });
}

async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('token', () => {
  it('GET /mch-api/v1/auth?grant_type=client_credentials&uid&client_secret: a top-level access_token, for the right pair only', async () => {
    expect(INTENTS_PATHS.token).toBe('/mch-api/v1/auth');
    const good = await getToken(credentials());
    expect(good.body).toMatchObject({ access_token: expect.stringMatching(/^itk_/) });
    expect(good.body.data).toBeUndefined();
    expect((await getToken({ ...credentials(), client_secret: 'x'.repeat(64) })).status).toBe(401);
    expect((await getToken({ ...credentials(), uid: 'SOMEONE_ELSE' })).body.code).toBe(40100);
    expect((await getToken({ ...credentials(), grant_type: 'password' })).status).toBe(400);
    expect((await post(INTENTS_PATHS.token, { api_key: keys.intentsApiKey })).status).toBe(404);
    expect(sb.ledger.snapshot().intents.tokensIssued).toBe(1);
  });

  it('refuses calls without a valid token, and tokens expire and vanish on reset', async () => {
    expect((await post(INTENTS_PATHS.create, createBody())).status).toBe(401);
    expect((await post(INTENTS_PATHS.create, createBody(), 'itk_forged')).body.code).toBe(40100);
    const t = await token();
    expect((await post(INTENTS_PATHS.query, { merchant_order_id: 'nope' }, t)).status).toBe(404);
    sb.control.update({ clockOffsetMs: 7201 * 1000 });
    expect((await post(INTENTS_PATHS.query, { merchant_order_id: 'nope' }, t)).status).toBe(401);
    sb.control.update({ clockOffsetMs: 0 });
    const fresh = await token();
    sb.reset();
    expect((await post(INTENTS_PATHS.query, { merchant_order_id: 'nope' }, fresh)).status).toBe(401);
  });
});

describe('create', () => {
  it('records a PENDING intent and answers with a redirect to the cashier', async () => {
    const { body, data } = await createIntent();
    expect(data).toMatchObject({
      merchant_order_id: body.merchant_order_id,
      amount: '88.00',
      currency: 'HKD',
      status: 'PENDING',
      next_action: { type: 'redirect' },
    });
    expect(data.order_id).toMatch(/^C[0-9]{21}$/);
    expect(data.next_action.url).toBe(`${base}/sandbox/intents/cashier/${data.order_id}`);
    const [intent] = sb.ledger.snapshot().intents.intents;
    expect(intent).toMatchObject({
      orderId: data.order_id,
      amountMinor: 8800,
      wallet: 'ALIPAYHK',
      returnUrl: body.return_url,
      notifyUrl: receiver.url,
    });
  });

  it('answers a retry of the same create with the same intent; another amount is a conflict', async () => {
    const { t, body, data } = await createIntent();
    const again = await post(INTENTS_PATHS.create, body, t);
    expect(again.body.data.order_id).toBe(data.order_id);
    const other = await post(INTENTS_PATHS.create, { ...body, amount: '88.01' }, t);
    expect(other).toMatchObject({ status: 409, body: { code: 40900 } });
    expect(sb.ledger.snapshot().intents.intents).toHaveLength(1);
  });

  it.each([
    [
      'the seed\'s "wechat" label',
      { payment_method: { type: 'alipayhk', wechat: { flow: 'mobile_web', payment_method: 'ALIPAYHK' } } },
      40001,
    ],
    ['an unknown wallet', { payment_method: { type: 'alipayhk', alipayhk: { flow: 'mobile_web', payment_method: 'WECHAT' } } }, 40001],
    ['another flow', { payment_method: { type: 'alipayhk', alipayhk: { flow: 'mobile_app', payment_method: 'ALIPAYHK' } } }, 40001],
    ['a 33-character merchant_order_id', { merchant_order_id: 'X'.repeat(33) }, 40001],
    ['minor units instead of a decimal', { amount: '88.001' }, 40001],
    ['a zero amount', { amount: '0.00' }, 40001],
    ['USD', { currency: 'USD' }, 40002],
    ['an unknown field', { returnUrl: 'http://evil.example' }, 40001],
    ['a javascript: return_url', { return_url: 'javascript:alert(1)' }, 40001],
  ])('refuses %s', async (_name, overrides, code) => {
    const t = await token();
    const res = await post(INTENTS_PATHS.create, createBody(overrides), t);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.code).toBe(code);
    expect(sb.ledger.snapshot().intents.intents).toHaveLength(0);
  });
});

describe('cashier page and webhooks', () => {
  it('Pay → SUCCEEDED, 302 to return_url, a signed webhook re-sent on the schedule until HTTP 200', async () => {
    receiver.statuses = [500, 503];
    const { body, data, t } = await createIntent();
    const html = await (await fetch(data.next_action.url)).text();
    expect(html).toContain('Pay 付款 HKD 88.00');
    expect(html).toContain('Cancel 取消');
    const res = await click(data.next_action.url, 'pay');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(body.return_url);
    const job = await waitFor(
      () => sb.ledger.snapshot().intents.webhooks.find((w) => w.status === 'acknowledged'),
      'the acknowledged webhook',
    );
    expect(job.deliveries.map((d) => d.httpStatus)).toEqual([500, 503, 200]);
    const gaps = job.deliveries.slice(1).map((d, i) => Date.parse(d.at) - Date.parse(job.deliveries[i]!.at));
    expect(gaps[0]).toBeGreaterThanOrEqual(INTENTS_RETRY_DELAYS_MS[0] * SCALE - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(INTENTS_RETRY_DELAYS_MS[1] * SCALE - 5);
    // Every delivery carries the same bytes and a signature an independent SHA-256 reproduces.
    for (const { raw, signature, header } of receiver.received) {
      expect(header).toBe('signature');
      expect(raw).toBe(receiver.received[0]!.raw);
      expect(signature).toBe(createHash('sha256').update(`${raw}.${keys.intentsApiKey}`).digest('hex'));
    }
    const webhook = JSON.parse(receiver.received[0]!.raw);
    expect(webhook).toMatchObject({
      notify_type: 'payment_success',
      data: { order_id: data.order_id, merchant_order_id: body.merchant_order_id, amount: '88.00', currency: 'HKD', status: 'SUCCEEDED' },
    });
    const query = await post(INTENTS_PATHS.query, { merchant_order_id: body.merchant_order_id }, t);
    expect(query.body.data).toMatchObject({ status: 'SUCCEEDED', pay_time: expect.any(String) });
    expect(query.body.data.next_action).toBeUndefined();
  });

  it('Cancel → CANCELLED, 302 to return_url, no webhook; Pay afterwards is refused', async () => {
    const { body, data, t } = await createIntent();
    const res = await click(data.next_action.url, 'cancel');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(body.return_url);
    expect((await post(INTENTS_PATHS.query, { order_id: data.order_id }, t)).body.data.status).toBe('CANCELLED');
    expect((await click(data.next_action.url, 'pay')).status).toBe(409);
    await new Promise((r) => setTimeout(r, 50));
    expect(sb.ledger.snapshot().intents.webhooks).toHaveLength(0);
    expect(sb.ledger.snapshot().intents.intents[0]).toMatchObject({ status: 'CANCELLED', cancelledBy: 'shopper' });
  });

  it('speaks the other documented forms: next_action.redirect_url, x-signature, order_amount/order_currency', async () => {
    sb.control.update({ forms: { intentsRedirect: 'redirect_url', intentsSignatureHeader: 'x-signature', intentsAmount: 'order_amount' } });
    const { body, data } = await createIntent();
    expect(data.next_action.url).toBeUndefined();
    expect(data.next_action.redirect_url).toBe(`${base}/sandbox/intents/cashier/${data.order_id}`);
    await click(data.next_action.redirect_url, 'pay');
    await waitFor(() => sb.ledger.snapshot().intents.webhooks.find((w) => w.status === 'acknowledged'), 'the acknowledged webhook');
    const [{ raw, signature, header }] = receiver.received as [(typeof receiver.received)[number]];
    expect(header).toBe('x-signature');
    expect(signature).toBe(createHash('sha256').update(`${raw}.${keys.intentsApiKey}`).digest('hex'));
    expect(JSON.parse(raw).data).toMatchObject({ merchant_order_id: body.merchant_order_id, order_amount: '88.00', order_currency: 'HKD' });
    expect(JSON.parse(raw).data.amount).toBeUndefined();
  });

  it('an unknown intent is a 404 page', async () => {
    expect((await fetch(`${base}/sandbox/intents/cashier/C000`)).status).toBe(404);
  });
});

describe('cancel and refund [guessed endpoints]', () => {
  it('cancel closes a PENDING intent and refuses a paid one', async () => {
    const open = await createIntent();
    const cancelled = await post(INTENTS_PATHS.cancel, { merchant_order_id: open.body.merchant_order_id }, open.t);
    expect(cancelled.body).toMatchObject({ code: 0, data: { status: 'CANCELLED' } });
    const paid = await createIntent();
    await click(paid.data.next_action.url, 'pay');
    expect(await post(INTENTS_PATHS.cancel, { merchant_order_id: paid.body.merchant_order_id }, paid.t)).toMatchObject({
      status: 409,
      body: { code: 40901 },
    });
    expect(await post(INTENTS_PATHS.cancel, { merchant_order_id: 'never' }, paid.t)).toMatchObject({ status: 404, body: { code: 40400 } });
  });

  it('refunds partly and repeatedly up to the paid amount, in either spelling on either path; the same merchant_refund_id never refunds twice', async () => {
    expect(INTENTS_PATHS.refund).toBe('/mch-api/v1/acq/wechat/create_refund');
    const { body, data, t } = await createIntent();
    const early = await post(
      INTENTS_PATHS.refund,
      { merchant_order_id: body.merchant_order_id, merchant_refund_id: 'RF-0', amount: '1.00' },
      t,
    );
    expect(early).toMatchObject({ status: 422, body: { code: 42200 } });
    await click(data.next_action.url, 'pay');
    const first = await post(
      INTENTS_PATHS.refund,
      {
        order_id: data.order_id,
        merchant_order_id: body.merchant_order_id,
        merchant_refund_id: 'RF-1',
        amount: '50.00',
        reason: 'one box broken',
      },
      t,
    );
    expect(first.body).toMatchObject({ code: 0, data: { merchant_refund_id: 'RF-1', amount: '50.00', status: 'SUCCEEDED' } });
    const retry = await post(
      INTENTS_PATHS.intentsRefund,
      { merchant_payment_order_id: body.merchant_order_id, merchant_refund_id: 'RF-1', refund_amount: '50.00' },
      t,
    );
    expect(retry.body.data.refund_id).toBe(first.body.data.refund_id);
    const reused = await post(
      INTENTS_PATHS.refund,
      { merchant_order_id: body.merchant_order_id, merchant_refund_id: 'RF-1', amount: '10.00' },
      t,
    );
    expect(reused.body.code).toBe(40900);
    const tooMuch = await post(
      INTENTS_PATHS.refund,
      { merchant_order_id: body.merchant_order_id, merchant_refund_id: 'RF-2', amount: '38.01' },
      t,
    );
    expect(tooMuch).toMatchObject({ status: 422, body: { code: 42201 } });
    const rest = await post(
      INTENTS_PATHS.refund,
      { merchant_payment_order_id: body.merchant_order_id, merchant_refund_id: 'RF-3', refund_amount: '38' },
      t,
    );
    expect(rest.body.data.amount).toBe('38.00');
    const book = sb.ledger.snapshot().intents;
    expect(book.refunds.map((r) => r.merchantRefundId)).toEqual(['RF-1', 'RF-3']);
    expect(book.intents[0]!.refundedMinor).toBe(8800);
  });

  it('scripted failures apply: U answers "busy" and changes nothing; 5xx is a 503', async () => {
    const t = await token();
    sb.control.update({ failNext: { count: 1, mode: 'U' } });
    expect((await post(INTENTS_PATHS.create, createBody(), t)).body.code).toBe(50000);
    sb.control.update({ failNext: { count: 1, mode: '5xx' } });
    expect((await post(INTENTS_PATHS.create, createBody(), t)).status).toBe(503);
    expect(sb.ledger.snapshot().intents.intents).toHaveLength(0);
    expect(sb.ledger.snapshot().intents.calls.create).toBe(2);
  });
});
