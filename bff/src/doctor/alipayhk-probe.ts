/**
 * The AlipayHK probe of `doctor --live`: a payQuery (or payCancel, refund) of a payment that cannot
 * exist, signed in one documented form (docs/protocols/alipayhk.md#settled-and-unsettled: RSA/RSA2,
 * base64/url, path spellings), and what its answer says: whether our signature is accepted
 * (`INVALID_SIGNATURE` versus "no such order") and whether the answer's own signature verifies with the
 * configured AlipayHK public key. Plain fetch, `redirect: 'error'`, a timeout per call.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { diagnoseSignature } from '../channels/alipayhk/diagnose';
import { ALIPAYHK_FUNCTIONS, ALIPAYHK_PATHS } from '../channels/alipayhk/functions';
import { toEnvelopeText, toRfc3339 } from '../channels/alipayhk/sign-content';
import {
  createRsaSigner,
  SIGN_ALGORITHMS,
  SIGNATURE_ENCODINGS,
  toWireSignature,
  type SignAlgorithm,
  type SignatureEncoding,
} from '../channels/alipayhk/signing';

export interface Variant {
  algorithm: SignAlgorithm;
  encoding: SignatureEncoding;
  path: string;
}

export type ProbeOutcome =
  | { kind: 'unreachable'; reason: string }
  | { kind: 'no-path'; status: number }
  | { kind: 'not-envelope'; status: number }
  | {
      kind: 'answered';
      status: number;
      resultCode: string;
      signatureAccepted: boolean;
      answerAlgorithm: SignAlgorithm | null;
      answerVerifies: boolean;
      ms: number;
      /** The gateway's respTime minus our clock (null when it sent none). */
      clockSkewMs: number | null;
    };

export const PAY_QUERY = ALIPAYHK_FUNCTIONS.payQuery;
export const PAY_CANCEL = ALIPAYHK_FUNCTIONS.payCancel;
export const REFUND = ALIPAYHK_FUNCTIONS.refund;
export type ProbeFunction = typeof PAY_QUERY | typeof PAY_CANCEL | typeof REFUND;

/**
 * Each probe names a payment that cannot exist, so nothing can be queried, cancelled or refunded:
 * a gateway that accepts our signature answers "no such order" (ORDER_NOT_EXIST).
 */
function toProbeBody(fn: ProbeFunction, merchantId: string): Record<string, unknown> {
  const id = `DOCTOR-PROBE-${randomUUID()}`;
  if (fn === REFUND) {
    return {
      merchantId,
      acquirementId: `DOCTOR${Date.now()}`,
      merchantRefundId: id,
      refundAmount: { currency: 'HKD', value: '1' },
      refundReason: 'pnpm run doctor --live probe',
    };
  }
  return { merchantId, merchantTransId: id };
}

/**
 * The documented spellings (docs/protocols/alipayhk.md#endpoints): the HK pattern in camelCase,
 * and the global publicapi family's `payquery.htm`, `paycancel.htm`
 * (https://global.alipay.com/docs/ac/publicapi/payquery) and `grefund.htm`
 * (https://global.alipay.com/docs/ac/publicapi/refund).
 */
export function pathVariants(fn: ProbeFunction, configured: string): string[] {
  const standard = ALIPAYHK_PATHS[fn];
  const variant =
    fn === PAY_QUERY
      ? standard.replace(/payQuery\.htm$/, 'payquery.htm')
      : fn === PAY_CANCEL
        ? standard.replace(/payCancel\.htm$/, 'paycancel.htm')
        : standard.replace(/refund\.htm$/, 'grefund.htm');
  return [...new Set([configured, standard, variant])];
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as Error).name;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS: the host does not resolve (${code})`;
  if (code === 'ECONNREFUSED') return 'TCP: connection refused';
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT'))
    return `TLS: ${cause?.message ?? code}`;
  if (code === 'TimeoutError' || code === 'AbortError') return 'no answer before the timeout';
  return `${code}: ${cause?.message ?? (error as Error).message}`;
}

async function timed(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; text: string; ms: number; at: number } | { error: string }> {
  const started = performance.now();
  try {
    const response = await fetchFn(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { status: response.status, text, ms: Math.round(performance.now() - started), at: Date.now() };
  } catch (error) {
    return { error: describeFetchError(error) };
  }
}

export function createAlipayHkProbe(config: Readonly<Config>, fetchFn: typeof fetch) {
  const alipayhk = config.alipayhk;
  const verifyKeys = (algorithm: SignAlgorithm) => ({
    algorithm,
    gatewayPublicKey: alipayhk.gatewayPublicKey,
    merchantKey: alipayhk.merchantPrivateKey,
  });

  async function signedProbe(fn: ProbeFunction, algorithm: SignAlgorithm, encoding: SignatureEncoding): Promise<string> {
    const signer = createRsaSigner(alipayhk.merchantPrivateKey, algorithm);
    // A signature holding both + and /, so a gateway that form-decodes signatures cannot accept
    // a raw base64 one by luck (about 1 in 200 base64 signatures has no +).
    for (;;) {
      const content = JSON.stringify({
        head: {
          version: '2.0.0',
          function: fn,
          clientId: alipayhk.clientId,
          reqTime: toRfc3339(new Date()),
          reqMsgId: randomUUID().replace(/-/g, ''),
          reserve: '{}',
        },
        body: toProbeBody(fn, alipayhk.merchantId),
      });
      const signature = await signer.sign(content);
      if (!signature.includes('+') || !signature.includes('/')) continue;
      return toEnvelopeText('request', content, toWireSignature(signature, encoding));
    }
  }

  async function probe(variant: Variant, fn: ProbeFunction = PAY_QUERY): Promise<ProbeOutcome> {
    const answer = await timed(
      fetchFn,
      alipayhk.gatewayUrl + variant.path,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: await signedProbe(fn, variant.algorithm, variant.encoding),
      },
      alipayhk.timeoutMs,
    );
    if ('error' in answer) return { kind: 'unreachable', reason: answer.error };
    if (answer.status === 404 || answer.status === 405) return { kind: 'no-path', status: answer.status };
    let parsed: { response?: { head?: { respTime?: unknown }; body?: { resultInfo?: { resultCode?: unknown } } } };
    try {
      parsed = JSON.parse(answer.text) as typeof parsed;
    } catch {
      return { kind: 'not-envelope', status: answer.status };
    }
    const resultCode = parsed?.response?.body?.resultInfo?.resultCode;
    if (typeof resultCode !== 'string') return { kind: 'not-envelope', status: answer.status };
    const answerAlgorithm =
      [variant.algorithm, ...SIGN_ALGORITHMS.filter((a) => a !== variant.algorithm)].find(
        (a) => diagnoseSignature(answer.text, verifyKeys(a)).verified,
      ) ?? null;
    return {
      kind: 'answered',
      status: answer.status,
      resultCode,
      signatureAccepted: resultCode !== 'INVALID_SIGNATURE',
      answerAlgorithm,
      answerVerifies: answerAlgorithm === variant.algorithm,
      ms: answer.ms,
      clockSkewMs: toClockSkew(parsed.response?.head?.respTime, answer.at),
    };
  }

  return { probe };
}

/** reqTime is checked against the gateway's clock: a skewed host is refused before any signature is. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

function toClockSkew(respTime: unknown, at: number): number | null {
  if (typeof respTime !== 'string') return null;
  const theirs = Date.parse(respTime);
  return Number.isNaN(theirs) ? null : theirs - at;
}

export function works(outcome: ProbeOutcome): boolean {
  // FUNCTION_NOT_MATCH: the path serves another function than the one signed in head.function.
  return outcome.kind === 'answered' && outcome.signatureAccepted && outcome.answerVerifies && outcome.resultCode !== 'FUNCTION_NOT_MATCH';
}

export function describeVariant(v: Variant): string {
  return `${v.algorithm}, ${v.encoding}, ${v.path}`;
}

export function describeOutcome(outcome: ProbeOutcome): string {
  switch (outcome.kind) {
    case 'unreachable':
      return `unreachable (${outcome.reason})`;
    case 'no-path':
      return `HTTP ${outcome.status}: nothing answers at this path`;
    case 'not-envelope':
      return `HTTP ${outcome.status}: the answer is not an AlipayHK envelope`;
    case 'answered': {
      const ours = outcome.signatureAccepted
        ? `our signature accepted (${outcome.resultCode})`
        : 'our signature refused (INVALID_SIGNATURE)';
      const theirs = outcome.answerAlgorithm
        ? `the answer verifies with ALIPAYHK_GATEWAY_PUBLIC_KEY under ${outcome.answerAlgorithm}`
        : 'the answer does not verify with ALIPAYHK_GATEWAY_PUBLIC_KEY under RSA or RSA2';
      return `${ours}; ${theirs}; ${outcome.ms} ms`;
    }
  }
}

export async function findWorkingVariant(probe: (variant: Variant) => Promise<ProbeOutcome>, configured: Variant): Promise<Variant | null> {
  const ordered = <T>(preferred: T, all: readonly T[]): T[] => [preferred, ...all.filter((x) => x !== preferred)];
  for (const path of pathVariants(PAY_QUERY, configured.path)) {
    for (const algorithm of ordered(configured.algorithm, SIGN_ALGORITHMS)) {
      for (const encoding of ordered(configured.encoding, SIGNATURE_ENCODINGS)) {
        const variant = { algorithm, encoding, path };
        if (describeVariant(variant) === describeVariant(configured)) continue;
        if (works(await probe(variant))) return variant;
      }
    }
  }
  return null;
}
