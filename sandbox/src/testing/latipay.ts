/**
 * Test support for the sandbox's Latipay: a sandbox, a merchant callback endpoint on loopback that
 * answers from a script, and merchant calls signed the way a correct merchant signs them.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Sandbox } from '../app';
import { buildSandbox } from '../app';
import { generateSandboxKeys } from '../keys';
import { SANDBOX_LATIPAY_USER_ID, SANDBOX_LATIPAY_WALLET_ID } from '../latipay/config';
import { signLatipayRequest, type LatipayResultFields } from '../latipay/hmac';
import type { LatipaySnapshot } from '../latipay/ledger';

export interface ReceivedCallback {
  contentType: string | undefined;
  body: string;
}

export interface CallbackAnswer {
  status: number;
  body: string;
}

export interface LatipayHarness {
  /** The sandbox (built before the file's tests, reset before each). */
  sb: Sandbox;
  /** What the merchant callback endpoint received since the test began. */
  received: ReceivedCallback[];
  /** How the endpoint answers the next callback; before each test: HTTP 200 `sent`. */
  answer: () => CallbackAnswer;
  /** A signed `/v2/minialipay` body for 84.00 HKD, its callback to the endpoint above. */
  createBody(overrides?: Record<string, unknown>, key?: string): Record<string, unknown>;
  create(body: Record<string, unknown>): Promise<{ status: number; json: any }>;
  tradePay(orderStr: string, outcome?: string): Promise<{ status: number; json: any }>;
  /** The raw text of a `/v2/transaction/{ref}` answer; `sign: false` sends a wrong signature. */
  queryRaw(ref: string, sign?: boolean): Promise<string>;
  query(ref: string, sign?: boolean): Promise<any>;
  refundBody(orderId: string, amount: string, reference: string, key?: string): Record<string, unknown>;
  /** Checked with node:crypto directly, not with the sandbox's own helper. */
  expectedResultSignature(facts: LatipayResultFields): string;
  latipay(): LatipaySnapshot;
}

const ANSWER_SENT = (): CallbackAnswer => ({ status: 200, body: 'sent' });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The Alipay orderStr of a create's gatewaydata, in the order given. */
export function orderStrOf(gatewaydata: Record<string, string>): string {
  return Object.entries(gatewaydata)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Registers the file's hooks (build, reset, close) and returns the harness they keep current. */
export function useLatipaySandbox(): LatipayHarness {
  const keys = generateSandboxKeys();
  const apiKey = () => keys.latipayApiKey;
  let server: Server;
  let callbackUrl: string;

  const h: LatipayHarness = {
    sb: undefined as unknown as Sandbox,
    received: [],
    answer: ANSWER_SENT,
    createBody(overrides = {}, key = apiKey()) {
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
    },
    async create(body) {
      const res = await h.sb.app.inject({ method: 'POST', url: '/v2/minialipay', payload: body });
      return { status: res.statusCode, json: res.json() };
    },
    async tradePay(orderStr, outcome) {
      const res = await h.sb.app.inject({
        method: 'POST',
        url: '/sandbox/wallet/tradePay',
        payload: outcome ? { orderStr, outcome } : { orderStr },
      });
      return { status: res.statusCode, json: res.json() };
    },
    async queryRaw(ref, sign = true) {
      const signature = sign ? signLatipayRequest({ merchant_reference: ref, user_id: SANDBOX_LATIPAY_USER_ID }, apiKey()) : 'f'.repeat(64);
      const res = await h.sb.app.inject({
        method: 'GET',
        url: `/v2/transaction/${ref}?user_id=${SANDBOX_LATIPAY_USER_ID}&signature=${signature}`,
      });
      return res.body;
    },
    async query(ref, sign = true) {
      return JSON.parse(await h.queryRaw(ref, sign));
    },
    refundBody(orderId, amount, reference, key = apiKey()) {
      const fields = { user_id: SANDBOX_LATIPAY_USER_ID, order_id: orderId, refund_amount: amount, reference };
      return { ...fields, signature: signLatipayRequest(fields, key) };
    },
    expectedResultSignature(f) {
      return createHmac('sha256', apiKey())
        .update(f.merchant_reference + f.payment_method + f.status + f.currency + f.amount)
        .digest('hex');
    },
    latipay: () => h.sb.ledger.snapshot().latipay,
  };

  beforeAll(async () => {
    h.sb = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001 });
    server = createServer(async (req, res) => {
      h.received.push({ contentType: req.headers['content-type'], body: await readBody(req) });
      const { status, body } = h.answer();
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    callbackUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notify/latipay`;
  });
  afterAll(async () => {
    await h.sb.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    h.sb.reset();
    h.received = [];
    h.answer = ANSWER_SENT;
  });
  return h;
}
