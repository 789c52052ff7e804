/**
 * Calls AlipayHK functions: builds the signed envelope, posts it, and verifies the signed reply over
 * its raw bytes. Timeouts, 5xx, unreadable or unsigned replies, `U` results and `SYSTEM_ERROR` /
 * `UNKNOWN_EXCEPTION` (with any status) all surface as GatewayUnknownError: the caller retries with the same business id or queries later.
 */
import { randomUUID } from 'node:crypto';
import { GatewayUnknownError } from '../../errors';
import type { GatewayCall } from '../../payments/channel';
import { createTransportFor, type GatewayCallLog, type GatewayCallObserver } from '../gateway-transport';
import { ALIPAYHK_PATHS, type AlipayHkFunction, type AlipayHkPaths, type CalledFunction } from './functions';
import { cutSignedParts, rfc3339PerSecond, toEnvelopeText } from './sign-content';
import { toWireSignature, type RsaSigner, type RsaVerifier, type SignatureEncoding } from './signing';
import { UNKNOWN_RESULT_CODES } from './status-map';
import type { RequestPayload, ResponsePayload } from './wire-types';

export interface AlipayHkClientOptions {
  gatewayUrl: string;
  clientId: string;
  signer: RsaSigner;
  verifier: RsaVerifier;
  timeoutMs: number;
  /** How our signatures are written (default `base64`); inbound both forms are read. */
  signatureEncoding?: SignatureEncoding;
  /** function → path (default `ALIPAYHK_PATHS`; `ALIPAYHK_PATHS` in the environment overrides entries). */
  paths?: AlipayHkPaths;
  now?: () => Date;
  fetch?: typeof fetch;
  observe?: GatewayCallObserver;
  callLog?: GatewayCallLog;
}

export interface SignedRequest {
  payload: RequestPayload;
  /** `{"request":…,"signature":"…"}` — for cashier.wap.pay this text is the orderStr. */
  text: string;
}

export interface GatewayReply<B> {
  payload: ResponsePayload<B>;
  raw: string;
}

export interface AlipayHkClient {
  signRequest(fn: AlipayHkFunction, body: object, extraHead?: { accessToken?: string }): Promise<SignedRequest>;
  call<B = Record<string, unknown>>(
    fn: CalledFunction,
    body: object,
    call?: GatewayCall,
    extraHead?: { accessToken?: string },
  ): Promise<GatewayReply<B>>;
}

/** A fresh id per system request (≤64 chars); never reused, unlike the business ids. */
export function newReqMsgId(): string {
  return randomUUID().replace(/-/g, '');
}

export function createAlipayHkClient(options: AlipayHkClientOptions): AlipayHkClient {
  const now = options.now ?? (() => new Date());
  const transport = createTransportFor('alipayhk', options);
  const baseUrl = options.gatewayUrl.replace(/\/+$/, '');
  const paths = options.paths ?? ALIPAYHK_PATHS;
  const encoding = options.signatureEncoding ?? 'base64';
  const reqTimeOf = rfc3339PerSecond();

  async function signRequest(fn: AlipayHkFunction, body: object, extraHead: { accessToken?: string } = {}): Promise<SignedRequest> {
    const head: RequestPayload['head'] = {
      version: '2.0.0',
      function: fn,
      clientId: options.clientId,
      reqTime: reqTimeOf(now()),
      reqMsgId: newReqMsgId(),
      reserve: '{}',
    };
    if (extraHead.accessToken) head.accessToken = extraHead.accessToken;
    const payload: RequestPayload = { head, body: body as Record<string, unknown> };
    // Serialise once: these exact bytes are signed and spliced into the envelope.
    const content = JSON.stringify(payload);
    const signature = await options.signer.sign(content);
    return { payload, text: toEnvelopeText('request', content, toWireSignature(signature, encoding)) };
  }

  async function callFunction<B>(
    fn: CalledFunction,
    body: object,
    call?: GatewayCall,
    extraHead?: { accessToken?: string },
  ): Promise<GatewayReply<B>> {
    const request = await signRequest(fn, body, extraHead);
    // Redirects refused, answer capped, deadline: no answer, a redirect or a 5xx is GatewayUnknownError.
    const { status, text: raw } = await transport.send(
      fn,
      baseUrl + paths[fn],
      { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: request.text },
      call,
    );
    let payload: ResponsePayload<B>;
    try {
      const parts = cutSignedParts(raw, 'response');
      options.verifier.verify(parts.content, parts.signature);
      payload = JSON.parse(parts.content) as ResponsePayload<B>;
    } catch (error) {
      throw new GatewayUnknownError(`${fn}: reply rejected (HTTP ${status}): ${(error as Error).message}`);
    }
    if (payload?.head?.reqMsgId !== request.payload.head.reqMsgId) {
      throw new GatewayUnknownError(`${fn}: reply answers another request (reqMsgId mismatch)`);
    }
    const resultInfo = payload.body?.resultInfo;
    if (!resultInfo || !['S', 'F', 'U'].includes(resultInfo.resultStatus)) {
      throw new GatewayUnknownError(`${fn}: reply has no resultInfo`);
    }
    if (resultInfo.resultStatus === 'U' || UNKNOWN_RESULT_CODES.has(resultInfo.resultCode)) {
      throw new GatewayUnknownError(`${fn}: result unknown (${resultInfo.resultStatus} ${resultInfo.resultCode})`);
    }
    return { payload, raw };
  }

  return { signRequest, call: callFunction };
}
