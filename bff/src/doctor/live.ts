/**
 * `doctor --live`: harmless signed calls to the configured gateways. AlipayHK gets a payQuery of a
 * merchantTransId that cannot exist; the answer tells whether our signature is accepted
 * (`INVALID_SIGNATURE` versus "no such order"), and its own signature whether the configured
 * AlipayHK public key and algorithm verify it. When the configured form fails, the other documented
 * forms (protocol.md §4: RSA/RSA2, base64/url, payQuery.htm/payquery.htm) are tried and the working
 * one is recommended. Latipay gets a signed query of an unknown reference, the aggregator a token
 * request. Plain fetch, `redirect: 'error'`, a timeout per call.
 */
import { randomUUID } from 'node:crypto';
import type { Config, Env } from '../config';
import { diagnoseSignature } from '../channels/alipayhk/diagnose';
import { ALIPAYHK_FUNCTIONS, ALIPAYHK_PATHS } from '../channels/alipayhk/functions';
import { toEnvelopeText, toRfc3339 } from '../channels/alipayhk/sign-content';
import { createRsaSigner, SIGN_ALGORITHMS, type SignAlgorithm } from '../channels/alipayhk/signing';
import { NOT_FOUND_RESULT_CODES } from '../channels/alipayhk/status-map';
import { createIntentsClient } from '../channels/intents/client';
import { createLatipayClient, LATIPAY_PATHS } from '../channels/latipay/client';
import { createLatipaySigner } from '../channels/latipay/signing';
import { codeOf, ORDER_NOT_EXIST_CODE, SUCCESS_CODE } from '../channels/latipay/status-map';
import type { Check, DoctorReport } from './checks';

export type SignatureEncoding = 'base64' | 'url';
export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = ['base64', 'url'];

export interface LiveOptions {
  env: Env;
  fetch?: typeof fetch;
}

interface Variant {
  algorithm: SignAlgorithm;
  encoding: SignatureEncoding;
  path: string;
}

type ProbeOutcome =
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

const PAY_QUERY = ALIPAYHK_FUNCTIONS.payQuery;

/** payQuery's documented spellings: camelCase (HK pattern) and lower-case (global publicapi family). */
function payQueryPaths(configured: string): string[] {
  const camel = ALIPAYHK_PATHS[PAY_QUERY];
  const lower = camel.replace(/payQuery\.htm$/, 'payquery.htm');
  return [...new Set([configured, camel, lower])];
}

function configuredEncoding(env: Env): SignatureEncoding {
  return env.ALIPAYHK_SIGNATURE_ENCODING === 'url' ? 'url' : 'base64';
}

function configuredPaths(env: Env): Record<string, string> {
  if (!env.ALIPAYHK_PATHS) return {};
  try {
    const parsed: unknown = JSON.parse(env.ALIPAYHK_PATHS);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as Error).name;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS: the host does not resolve (${code})`;
  if (code === 'ECONNREFUSED') return 'TCP: connection refused';
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')) return `TLS: ${cause?.message ?? code}`;
  if (code === 'TimeoutError' || code === 'AbortError') return 'no answer before the timeout';
  return `${code}: ${cause?.message ?? (error as Error).message}`;
}

async function timed(fetchFn: typeof fetch, url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; text: string; ms: number; at: number } | { error: string }> {
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
  const verifyKeys = (algorithm: SignAlgorithm) => ({ algorithm, gatewayPublicKey: alipayhk.gatewayPublicKey, merchantKey: alipayhk.merchantPrivateKey });

  async function signedProbe(variant: Variant): Promise<string> {
    const signer = createRsaSigner(alipayhk.merchantPrivateKey, variant.algorithm);
    // A signature holding both + and /, so a gateway that form-decodes signatures cannot accept
    // a raw base64 one by luck (about 1 in 200 base64 signatures has no +).
    for (;;) {
      const content = JSON.stringify({
        head: { version: '2.0.0', function: PAY_QUERY, clientId: alipayhk.clientId, reqTime: toRfc3339(new Date()), reqMsgId: randomUUID().replace(/-/g, ''), reserve: '{}' },
        body: { merchantId: alipayhk.merchantId, merchantTransId: `DOCTOR-PROBE-${randomUUID()}` },
      });
      const signature = await signer.sign(content);
      if (!signature.includes('+') || !signature.includes('/')) continue;
      return toEnvelopeText('request', content, variant.encoding === 'url' ? encodeURIComponent(signature) : signature);
    }
  }

  async function probe(variant: Variant): Promise<ProbeOutcome> {
    const answer = await timed(
      fetchFn,
      alipayhk.gatewayUrl + variant.path,
      { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: await signedProbe(variant) },
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
    const answerAlgorithm = [variant.algorithm, ...SIGN_ALGORITHMS.filter((a) => a !== variant.algorithm)].find((a) => diagnoseSignature(answer.text, verifyKeys(a)).verified) ?? null;
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

function works(outcome: ProbeOutcome): boolean {
  return outcome.kind === 'answered' && outcome.signatureAccepted && outcome.answerVerifies;
}

function describeVariant(v: Variant): string {
  return `${v.algorithm}, ${v.encoding}, ${v.path}`;
}

function describeOutcome(outcome: ProbeOutcome): string {
  switch (outcome.kind) {
    case 'unreachable':
      return `unreachable (${outcome.reason})`;
    case 'no-path':
      return `HTTP ${outcome.status}: nothing answers at this path`;
    case 'not-envelope':
      return `HTTP ${outcome.status}: the answer is not an AlipayHK envelope`;
    case 'answered': {
      const ours = outcome.signatureAccepted ? `our signature accepted (${outcome.resultCode})` : 'our signature refused (INVALID_SIGNATURE)';
      const theirs = outcome.answerAlgorithm
        ? `the answer verifies with ALIPAYHK_GATEWAY_PUBLIC_KEY under ${outcome.answerAlgorithm}`
        : 'the answer does not verify with ALIPAYHK_GATEWAY_PUBLIC_KEY under RSA or RSA2';
      return `${ours}; ${theirs}; ${outcome.ms} ms`;
    }
  }
}

async function checkAlipayHk(config: Readonly<Config>, options: LiveOptions, fetchFn: typeof fetch): Promise<DoctorReport> {
  const checks: Check[] = [];
  const settings: Record<string, string> = {};
  const { probe } = createAlipayHkProbe(config, fetchFn);
  const overrides = configuredPaths(options.env);
  const configured: Variant = {
    algorithm: config.alipayhk.signAlgorithm,
    encoding: configuredEncoding(options.env),
    path: overrides[PAY_QUERY] ?? ALIPAYHK_PATHS[PAY_QUERY],
  };
  const first = await probe(configured);
  const gateway = config.alipayhk.gatewayUrl;
  if (first.kind === 'unreachable') {
    checks.push({ id: 'alipayhk.live.reachable', status: 'fail', message: `AlipayHK at ${gateway}: ${first.reason}`, fix: 'check ALIPAYHK_GATEWAY_URL, DNS, the firewall and the TLS certificate chain' });
    return { checks, settings };
  }
  checks.push({ id: 'alipayhk.live.reachable', status: 'ok', message: `AlipayHK at ${gateway} answers${first.kind === 'answered' ? ` (${first.ms} ms)` : ''}`, fix: '' });
  if (first.kind === 'answered' && first.clockSkewMs !== null) {
    const skew = Math.round(first.clockSkewMs / 1000);
    checks.push(
      Math.abs(first.clockSkewMs) > MAX_CLOCK_SKEW_MS
        ? { id: 'alipayhk.live.clock', status: 'warn', message: `the gateway's clock differs from ours by ${skew} s`, fix: 'sync this host with NTP: reqTime is stamped from its clock' }
        : { id: 'alipayhk.live.clock', status: 'ok', message: `clock: within ${Math.max(1, Math.abs(skew))} s of the gateway's`, fix: '' },
    );
  }
  if (works(first)) {
    checks.push({ id: 'alipayhk.live.signature', status: 'ok', message: `payQuery (${describeVariant(configured)}): ${describeOutcome(first)}`, fix: '' });
    if (first.kind === 'answered' && !NOT_FOUND_RESULT_CODES.has(first.resultCode)) {
      checks.push({ id: 'alipayhk.live.answer', status: 'warn', message: `payQuery of an order that cannot exist answered ${first.resultCode}, not ORDER_NOT_EXIST`, fix: 'check ALIPAYHK_CLIENT_ID and ALIPAYHK_MERCHANT_ID with AlipayHK' });
    }
    return { checks, settings };
  }
  checks.push({ id: 'alipayhk.live.signature', status: 'fail', message: `payQuery as configured (${describeVariant(configured)}): ${describeOutcome(first)}`, fix: 'trying the other documented forms' });
  const tried = new Set([describeVariant(configured)]);
  const ordered = <T>(preferred: T, all: readonly T[]): T[] => [preferred, ...all.filter((x) => x !== preferred)];
  for (const path of payQueryPaths(configured.path)) {
    for (const algorithm of ordered(configured.algorithm, SIGN_ALGORITHMS)) {
      for (const encoding of ordered(configured.encoding, SIGNATURE_ENCODINGS)) {
        const variant = { algorithm, encoding, path };
        if (tried.has(describeVariant(variant))) continue;
        tried.add(describeVariant(variant));
        const outcome = await probe(variant);
        if (!works(outcome)) continue;
        if (algorithm !== configured.algorithm) settings.ALIPAYHK_SIGN_ALGORITHM = algorithm;
        if (encoding !== configured.encoding) settings.ALIPAYHK_SIGNATURE_ENCODING = encoding;
        if (path !== configured.path) settings.ALIPAYHK_PATHS = JSON.stringify({ ...overrides, ...toPathOverrides(path) });
        const changes = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ');
        checks.push({ id: 'alipayhk.live.recommendation', status: 'warn', message: `payQuery works with ${describeVariant(variant)}: ${describeOutcome(outcome)}`, fix: `set ${changes}` });
        return { checks, settings };
      }
    }
  }
  checks.push({
    id: 'alipayhk.live.recommendation',
    status: 'fail',
    message: `no documented form works (${tried.size} tried: RSA/RSA2 × base64/url × ${payQueryPaths(configured.path).join(', ')})`,
    fix: 'run `pnpm run doctor` for the key checks, then `pnpm run doctor verify` on a saved answer; ask AlipayHK which public key they hold for you',
  });
  return { checks, settings };
}

/** A lower-case payquery.htm also means the global family's lower-case paycancel.htm (protocol.md §1.3). */
function toPathOverrides(payQueryPath: string): Record<string, string> {
  if (payQueryPath === ALIPAYHK_PATHS[PAY_QUERY]) return { [PAY_QUERY]: payQueryPath };
  if (payQueryPath.endsWith('/payquery.htm')) {
    const cancel = ALIPAYHK_FUNCTIONS.payCancel;
    return { [PAY_QUERY]: payQueryPath, [cancel]: ALIPAYHK_PATHS[cancel].replace(/payCancel\.htm$/, 'paycancel.htm') };
  }
  return { [PAY_QUERY]: payQueryPath };
}

async function checkLatipay(config: Readonly<Config>, fetchFn: typeof fetch): Promise<Check> {
  const latipay = config.latipay;
  if (!latipay) return { id: 'latipay.live', status: 'ok', message: 'Latipay is off: not probed', fix: '' };
  const client = createLatipayClient({ gatewayUrl: latipay.gatewayUrl, signer: createLatipaySigner(latipay.apiKey), timeoutMs: latipay.timeoutMs, fetch: fetchFn });
  const reference = `DOCTOR-PROBE-${randomUUID()}`;
  const started = performance.now();
  try {
    const reply = await client.get<{ code?: unknown; message?: unknown }>(LATIPAY_PATHS.transaction(reference), { user_id: latipay.userId }, { merchant_reference: reference, user_id: latipay.userId });
    const ms = Math.round(performance.now() - started);
    const code = codeOf(reply.body.code);
    if (code === ORDER_NOT_EXIST_CODE) return { id: 'latipay.live', status: 'ok', message: `Latipay at ${latipay.gatewayUrl}: signature accepted (201 order not exist for an unknown reference; ${ms} ms)`, fix: '' };
    if (code === '206') return { id: 'latipay.live', status: 'fail', message: `Latipay at ${latipay.gatewayUrl}: our signature is refused (206)`, fix: 'check LATIPAY_API_KEY against the Latipay merchant portal' };
    if (code === '205') return { id: 'latipay.live', status: 'fail', message: `Latipay at ${latipay.gatewayUrl}: no key for LATIPAY_USER_ID ${latipay.userId} (205)`, fix: 'check LATIPAY_USER_ID' };
    return { id: 'latipay.live', status: code === SUCCESS_CODE ? 'warn' : 'fail', message: `Latipay at ${latipay.gatewayUrl}: a query of an unknown reference answered HTTP ${reply.status} code ${code ?? 'none'} ${String(reply.body.message ?? '')}`.trim(), fix: 'ask Latipay what this code means for your account' };
  } catch (error) {
    return { id: 'latipay.live', status: 'fail', message: `Latipay at ${latipay.gatewayUrl}: ${(error as Error).message}`, fix: 'check LATIPAY_GATEWAY_URL, DNS, the firewall and TLS' };
  }
}

async function checkIntents(config: Readonly<Config>, fetchFn: typeof fetch): Promise<Check> {
  const intents = config.intents;
  if (!intents) return { id: 'intents.live', status: 'ok', message: 'H5 aggregator is off: not probed', fix: '' };
  const client = createIntentsClient({ gatewayUrl: intents.gatewayUrl, apiKey: intents.apiKey, merchantId: intents.merchantId, timeoutMs: intents.timeoutMs, fetch: fetchFn });
  const started = performance.now();
  try {
    await client.accessToken();
    return { id: 'intents.live', status: 'ok', message: `H5 aggregator at ${intents.gatewayUrl}: token issued (${Math.round(performance.now() - started)} ms)`, fix: '' };
  } catch (error) {
    return { id: 'intents.live', status: 'fail', message: `H5 aggregator at ${intents.gatewayUrl}: ${(error as Error).message}`, fix: 'check INTENTS_GATEWAY_URL, INTENTS_API_KEY and INTENTS_MERCHANT_ID' };
  }
}

export async function runLiveChecks(config: Readonly<Config>, options: LiveOptions): Promise<DoctorReport> {
  const fetchFn = options.fetch ?? fetch;
  const alipayhk = await checkAlipayHk(config, options, fetchFn);
  const [latipay, intents] = await Promise.all([checkLatipay(config, fetchFn), checkIntents(config, fetchFn)]);
  return { checks: [...alipayhk.checks, latipay, intents], settings: alipayhk.settings };
}
