/**
 * `doctor --live`: harmless signed calls to the configured gateways. AlipayHK gets a payQuery of a
 * merchantTransId that cannot exist; the answer tells whether our signature is accepted
 * (`INVALID_SIGNATURE` versus "no such order"), and its own signature whether the configured
 * AlipayHK public key and algorithm verify it. When the configured form fails, the other documented
 * forms (docs/protocols/alipayhk.md#settled-and-unsettled: RSA/RSA2, base64/url, path spellings)
 * are tried and the working one is recommended. Latipay gets a signed query of an unknown reference, the aggregator a token
 * request. Plain fetch, `redirect: 'error'`, a timeout per call.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { diagnoseSignature } from '../channels/alipayhk/diagnose';
import { ALIPAYHK_FUNCTIONS, ALIPAYHK_PATHS, type AlipayHkPaths, type CalledFunction } from '../channels/alipayhk/functions';
import { toEnvelopeText, toRfc3339 } from '../channels/alipayhk/sign-content';
import {
  createRsaSigner,
  SIGN_ALGORITHMS,
  SIGNATURE_ENCODINGS,
  toWireSignature,
  type SignAlgorithm,
  type SignatureEncoding,
} from '../channels/alipayhk/signing';
import { NOT_FOUND_RESULT_CODES } from '../channels/alipayhk/status-map';
import { createIntentsClient } from '../channels/intents/client';
import { createLatipayClient, LATIPAY_PATHS } from '../channels/latipay/client';
import { createLatipaySigner } from '../channels/latipay/signing';
import { codeOf, ORDER_NOT_EXIST_CODE, SUCCESS_CODE } from '../channels/latipay/status-map';
import type { Check, DoctorReport } from './checks';

export interface LiveOptions {
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
const PAY_CANCEL = ALIPAYHK_FUNCTIONS.payCancel;
const REFUND = ALIPAYHK_FUNCTIONS.refund;
type ProbeFunction = typeof PAY_QUERY | typeof PAY_CANCEL | typeof REFUND;

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
function pathVariants(fn: ProbeFunction, configured: string): string[] {
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

function works(outcome: ProbeOutcome): boolean {
  // FUNCTION_NOT_MATCH: the path serves another function than the one signed in head.function.
  return outcome.kind === 'answered' && outcome.signatureAccepted && outcome.answerVerifies && outcome.resultCode !== 'FUNCTION_NOT_MATCH';
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

async function checkAlipayHk(config: Readonly<Config>, fetchFn: typeof fetch): Promise<DoctorReport> {
  const checks: Check[] = [];
  const settings: Record<string, string> = {};
  const { probe } = createAlipayHkProbe(config, fetchFn);
  const configuredPaths = config.alipayhk.paths;
  const configured: Variant = {
    algorithm: config.alipayhk.signAlgorithm,
    encoding: config.alipayhk.signatureEncoding,
    path: configuredPaths[PAY_QUERY],
  };
  const first = await probe(configured);
  const gateway = config.alipayhk.gatewayUrl;
  if (first.kind === 'unreachable') {
    checks.push({
      id: 'alipayhk.live.reachable',
      status: 'fail',
      message: `AlipayHK at ${gateway}: ${first.reason}`,
      fix: 'check ALIPAYHK_GATEWAY_URL, DNS, the firewall and the TLS certificate chain',
    });
    return { checks, settings };
  }
  checks.push({
    id: 'alipayhk.live.reachable',
    status: 'ok',
    message: `AlipayHK at ${gateway} answers${first.kind === 'answered' ? ` (${first.ms} ms)` : ''}`,
    fix: '',
  });
  if (first.kind === 'answered' && first.clockSkewMs !== null) {
    const skew = Math.round(first.clockSkewMs / 1000);
    checks.push(
      Math.abs(first.clockSkewMs) > MAX_CLOCK_SKEW_MS
        ? {
            id: 'alipayhk.live.clock',
            status: 'warn',
            message: `the gateway's clock differs from ours by ${skew} s`,
            fix: 'sync this host with NTP: reqTime is stamped from its clock',
          }
        : { id: 'alipayhk.live.clock', status: 'ok', message: `clock: within ${Math.max(1, Math.abs(skew))} s of the gateway's`, fix: '' },
    );
  }
  let working: Variant | null = works(first) ? configured : null;
  if (working) {
    checks.push({
      id: 'alipayhk.live.signature',
      status: 'ok',
      message: `payQuery (${describeVariant(configured)}): ${describeOutcome(first)}`,
      fix: '',
    });
    if (first.kind === 'answered' && !NOT_FOUND_RESULT_CODES.has(first.resultCode)) {
      checks.push({
        id: 'alipayhk.live.answer',
        status: 'warn',
        message: `payQuery of an order that cannot exist answered ${first.resultCode}, not ORDER_NOT_EXIST`,
        fix: 'check ALIPAYHK_CLIENT_ID and ALIPAYHK_MERCHANT_ID with AlipayHK',
      });
    }
  } else {
    checks.push({
      id: 'alipayhk.live.signature',
      status: 'fail',
      message: `payQuery as configured (${describeVariant(configured)}): ${describeOutcome(first)}`,
      fix: 'see the recommendation below',
    });
    working = await findWorkingVariant(probe, configured);
    if (!working) {
      checks.push({
        id: 'alipayhk.live.recommendation',
        status: 'fail',
        message: `no documented form works (RSA/RSA2 × base64/url × ${pathVariants(PAY_QUERY, configured.path).join(', ')})`,
        fix: 'run `pnpm run doctor` for the key checks, then `pnpm run doctor verify` on a saved answer; ask AlipayHK which public key they hold for you',
      });
      return { checks, settings };
    }
    if (working.algorithm !== configured.algorithm) settings.ALIPAYHK_SIGN_ALGORITHM = working.algorithm;
    if (working.encoding !== configured.encoding) settings.ALIPAYHK_SIGNATURE_ENCODING = working.encoding;
    checks.push({
      id: 'alipayhk.live.recommendation',
      status: 'warn',
      message: `payQuery works with ${describeVariant(working)}`,
      fix: '',
    });
  }

  // The other disputed paths, probed with the form that works (ids that cannot exist: nothing is cancelled or refunded).
  const paths: Record<string, string> = { [PAY_QUERY]: working.path };
  for (const fn of [PAY_CANCEL, REFUND] as const) {
    const configuredPath = configuredPaths[fn];
    let found: string | null = null;
    for (const path of pathVariants(fn, configuredPath)) {
      if (works(await probe({ ...working, path }, fn))) {
        found = path;
        break;
      }
    }
    const name = fn.split('.').pop();
    if (found === null)
      checks.push({
        id: `alipayhk.live.path.${name}`,
        status: 'warn',
        message: `${name}: none of ${pathVariants(fn, configuredPath).join(', ')} answers`,
        fix: `ask AlipayHK for the ${fn} path and set it in ALIPAYHK_PATHS`,
      });
    else if (found === configuredPath)
      checks.push({ id: `alipayhk.live.path.${name}`, status: 'ok', message: `${name} answers at ${found}`, fix: '' });
    else {
      checks.push({
        id: `alipayhk.live.path.${name}`,
        status: 'fail',
        message: `${name} does not answer at ${configuredPath}, but at ${found}`,
        fix: 'set ALIPAYHK_PATHS as recommended',
      });
      paths[fn] = found;
    }
  }
  const pathSettings = toPathSetting(configuredPaths, paths);
  if (pathSettings !== null) settings.ALIPAYHK_PATHS = pathSettings;
  const changes = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  const recommendation = checks.find((c) => c.id === 'alipayhk.live.recommendation');
  if (recommendation) recommendation.fix = `set ${changes.join(' ')}`;
  else if (changes.length > 0)
    checks.push({
      id: 'alipayhk.live.recommendation',
      status: 'warn',
      message: 'the configured paths need changing',
      fix: `set ${changes.join(' ')}`,
    });
  return { checks, settings };
}

async function findWorkingVariant(probe: (variant: Variant) => Promise<ProbeOutcome>, configured: Variant): Promise<Variant | null> {
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

/** The ALIPAYHK_PATHS value that yields `found` (entries equal to the defaults left out), or null when nothing changes. */
function toPathSetting(configured: AlipayHkPaths, found: Record<string, string>): string | null {
  const nonDefault = (paths: Record<string, string>) =>
    Object.fromEntries(Object.entries(paths).filter(([fn, path]) => ALIPAYHK_PATHS[fn as CalledFunction] !== path));
  const before = nonDefault(configured);
  const after = nonDefault({ ...configured, ...found });
  return JSON.stringify(before) === JSON.stringify(after) ? null : JSON.stringify(after);
}

async function checkLatipay(config: Readonly<Config>, fetchFn: typeof fetch): Promise<Check> {
  const latipay = config.latipay;
  if (!latipay) return { id: 'latipay.live', status: 'ok', message: 'Latipay is off: not probed', fix: '' };
  const client = createLatipayClient({
    gatewayUrl: latipay.gatewayUrl,
    signer: createLatipaySigner(latipay.apiKey),
    timeoutMs: latipay.timeoutMs,
    fetch: fetchFn,
  });
  const reference = `DOCTOR-PROBE-${randomUUID()}`;
  const started = performance.now();
  try {
    const reply = await client.get<{ code?: unknown; message?: unknown }>(
      LATIPAY_PATHS.transaction(reference),
      { user_id: latipay.userId },
      { merchant_reference: reference, user_id: latipay.userId },
    );
    const ms = Math.round(performance.now() - started);
    const code = codeOf(reply.body.code);
    if (code === ORDER_NOT_EXIST_CODE)
      return {
        id: 'latipay.live',
        status: 'ok',
        message: `Latipay at ${latipay.gatewayUrl}: signature accepted (201 order not exist for an unknown reference; ${ms} ms)`,
        fix: '',
      };
    if (code === '206')
      return {
        id: 'latipay.live',
        status: 'fail',
        message: `Latipay at ${latipay.gatewayUrl}: our signature is refused (206)`,
        fix: 'check LATIPAY_API_KEY against the Latipay merchant portal',
      };
    if (code === '205')
      return {
        id: 'latipay.live',
        status: 'fail',
        message: `Latipay at ${latipay.gatewayUrl}: no key for LATIPAY_USER_ID ${latipay.userId} (205)`,
        fix: 'check LATIPAY_USER_ID',
      };
    return {
      id: 'latipay.live',
      status: code === SUCCESS_CODE ? 'warn' : 'fail',
      message:
        `Latipay at ${latipay.gatewayUrl}: a query of an unknown reference answered HTTP ${reply.status} code ${code ?? 'none'} ${String(reply.body.message ?? '')}`.trim(),
      fix: 'ask Latipay what this code means for your account',
    };
  } catch (error) {
    return {
      id: 'latipay.live',
      status: 'fail',
      message: `Latipay at ${latipay.gatewayUrl}: ${(error as Error).message}`,
      fix: 'check LATIPAY_GATEWAY_URL, DNS, the firewall and TLS',
    };
  }
}

async function checkIntents(config: Readonly<Config>, fetchFn: typeof fetch): Promise<Check> {
  const intents = config.intents;
  if (!intents) return { id: 'intents.live', status: 'ok', message: 'H5 aggregator is off: not probed', fix: '' };
  const client = createIntentsClient({
    gatewayUrl: intents.gatewayUrl,
    uid: intents.uid,
    clientSecret: intents.clientSecret,
    timeoutMs: intents.timeoutMs,
    fetch: fetchFn,
  });
  const started = performance.now();
  try {
    await client.accessToken();
    return {
      id: 'intents.live',
      status: 'ok',
      message: `H5 aggregator at ${intents.gatewayUrl}: token issued (${Math.round(performance.now() - started)} ms)`,
      fix: '',
    };
  } catch (error) {
    return {
      id: 'intents.live',
      status: 'fail',
      message: `H5 aggregator at ${intents.gatewayUrl}: ${(error as Error).message}`,
      fix: 'check INTENTS_GATEWAY_URL, INTENTS_UID and INTENTS_CLIENT_SECRET (default: INTENTS_API_KEY)',
    };
  }
}

export async function runLiveChecks(config: Readonly<Config>, options: LiveOptions): Promise<DoctorReport> {
  const fetchFn = options.fetch ?? fetch;
  const alipayhk = await checkAlipayHk(config, fetchFn);
  const [latipay, intents] = await Promise.all([checkLatipay(config, fetchFn), checkIntents(config, fetchFn)]);
  return { checks: [...alipayhk.checks, latipay, intents], settings: alipayhk.settings };
}
