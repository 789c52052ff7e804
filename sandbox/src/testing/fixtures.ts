/**
 * Test helpers: merchant-side messages signed the way a correct merchant signs them, and an
 * independent check of the sandbox's own signatures with `node:crypto` (not node-rsa), so a bug in
 * the sandbox's signing code cannot hide behind the same bug in its verifier.
 */
import { createVerify, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ALIPAYHK_FUNCTIONS, PROTOCOL_VERSION, toGatewayPath } from '../alipayhk/functions';
import type { RsaKey } from '../alipayhk/rsa-key';
import type { EnvelopeKind } from '../alipayhk/signature';
import { cutSignedContent, signEnvelope } from '../alipayhk/signature';
import { formatRfc3339 } from '../clock';
import type { SignAlgorithm } from '../config';
import { SANDBOX_CLIENT_ID, SANDBOX_MERCHANT_ID } from '../config';

export function requestHead(fn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: PROTOCOL_VERSION,
    function: fn,
    clientId: SANDBOX_CLIENT_ID,
    reqTime: formatRfc3339(Date.now()),
    reqMsgId: randomUUID().replace(/-/g, ''),
    reserve: '{}',
    ...overrides,
  };
}

export interface OrderOptions {
  merchantTransId?: string;
  value?: string;
  currency?: string;
  notifyUrl?: string;
  extendInfo?: string;
  head?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

/** A signed `cashier.wap.pay` envelope: the `orderStr` a BFF hands to `my.tradePay`. */
export function cashierOrderStr(signer: RsaKey, options: OrderOptions = {}): string {
  const body = {
    merchantId: SANDBOX_MERCHANT_ID,
    productCode: 'AGREEMENT_OR_CASHIER_PAY',
    merchantTransId: options.merchantTransId ?? `T${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    order: {
      orderAmount: { currency: options.currency ?? 'HKD', value: options.value ?? '1000' },
      orderTitle: 'Sandbox test order',
      orderDetail: '1 x test item',
      seller: { sellerId: 'S1', sellerName: 'TradePay', mcc: '5499' },
    },
    notifyUrl: options.notifyUrl ?? 'http://127.0.0.1:9/notify/alipayhk',
    ...(options.extendInfo !== undefined && { extendInfo: options.extendInfo }),
    ...options.body,
  };
  return signEnvelope('request', { head: requestHead(ALIPAYHK_FUNCTIONS.cashierPay, options.head), body }, signer);
}

/** A signed gateway request with `merchantId` filled in (acquiring functions). */
export function gatewayRequest(signer: RsaKey, fn: string, body: Record<string, unknown>, head: Record<string, unknown> = {}): string {
  return signedRequest(signer, fn, { merchantId: SANDBOX_MERCHANT_ID, ...body }, head);
}

/** A signed gateway request whose body is sent exactly as given (the oauth functions name the merchant `authMerchantId`). */
export function signedRequest(signer: RsaKey, fn: string, body: Record<string, unknown>, head: Record<string, unknown> = {}): string {
  return signEnvelope('request', { head: requestHead(fn, head), body }, signer);
}

/** Verifies with node:crypto over the cut raw text and returns the parsed value; throws if it fails. */
export function verifyIndependently(
  kind: EnvelopeKind,
  raw: string,
  publicPem: string,
  algorithm: SignAlgorithm = 'RSA2',
): Record<string, any> {
  const { content, signature } = cutSignedContent(kind, raw);
  const verifier = createVerify(algorithm === 'RSA2' ? 'RSA-SHA256' : 'RSA-SHA1');
  verifier.update(content, 'utf8');
  if (!verifier.verify(publicPem, signature, 'base64')) throw new Error(`node:crypto does not verify this ${kind}`);
  return JSON.parse(content) as Record<string, any>;
}

export interface GatewayAnswer {
  status: number;
  raw: string;
  /** `response` value, verified with the gateway public key by node:crypto. */
  response: Record<string, any>;
}

/** Signs `body` for `fn` and posts it to the gateway; the answer verified independently. */
export type GatewayCall = (
  app: FastifyInstance,
  gatewayPublicPem: string,
  signer: RsaKey,
  fn: string,
  body: Record<string, unknown>,
  head?: Record<string, unknown>,
) => Promise<GatewayAnswer>;

function gatewayCall(sign: typeof signedRequest): GatewayCall {
  return (app, gatewayPublicPem, signer, fn, body, head = {}) =>
    postSigned(app, gatewayPublicPem, signer, fn, sign(signer, fn, body, head));
}

/** A gateway call with `merchantId` filled in (acquiring functions). */
export const callGateway: GatewayCall = gatewayCall(gatewayRequest);

/** Like `callGateway`, but the body goes out exactly as given (no `merchantId` added). */
export const callGatewayExact: GatewayCall = gatewayCall(signedRequest);

async function postSigned(
  app: FastifyInstance,
  gatewayPublicPem: string,
  signer: RsaKey,
  fn: string,
  payload: string,
): Promise<GatewayAnswer> {
  const res = await app.inject({
    method: 'POST',
    url: toGatewayPath(fn),
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    payload,
  });
  return { status: res.statusCode, raw: res.body, response: verifyIndependently('response', res.body, gatewayPublicPem, signer.algorithm) };
}

export async function tradePay(
  app: FastifyInstance,
  orderStr: string,
  outcome?: string,
): Promise<{ status: number; json: Record<string, any> }> {
  const res = await app.inject({
    method: 'POST',
    url: '/sandbox/wallet/tradePay',
    payload: outcome === undefined ? { orderStr } : { orderStr, outcome },
  });
  return { status: res.statusCode, json: res.json() };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 3000, stepMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
