/**
 * The one way bytes travel to a payment gateway (AlipayHK, Latipay, the intents aggregator).
 * Redirects are refused (a redirecting gateway address must not receive signed requests or access
 * tokens), answers are capped in size, every call has a deadline, and each of those failures — like
 * no answer or an HTTP 5xx — is one GatewayTransportError: the outcome is unknown, never a failure.
 * An optional observer sees every call (name, outcome, duration) for metrics. With `callLog`, each
 * call is logged as 'gateway call' with the request id it was given (GatewayCall), and in sandbox mode
 * that id is sent as `x-request-id`, so the sandbox's lines carry it too.
 */
import { GatewayUnknownError } from '../errors';
import type { GatewayCall } from '../payments/channel';

export type GatewayName = 'alipayhk' | 'latipay' | 'intents';

/** Why the outcome is unknown. */
export type UnknownReason = 'no-answer' | 'timeout' | 'redirect' | 'too-large' | 'server-error';

/** `ok`: 2xx; `answered`: another status the caller reads (4xx); `unknown`: see the reason. */
export type GatewayCallOutcome = 'ok' | 'answered' | 'unknown';

export interface GatewayCallEvent {
  gateway: GatewayName;
  /** A low-cardinality name: the AlipayHK function, or the method and path template. */
  name: string;
  outcome: GatewayCallOutcome;
  reason?: UnknownReason;
  /** The HTTP status when there was one. */
  status?: number;
  durationMs: number;
}

export type GatewayCallObserver = (event: GatewayCallEvent) => void;

export class GatewayTransportError extends GatewayUnknownError {
  constructor(
    message: string,
    readonly reason: UnknownReason,
  ) {
    super(message);
  }
}

/** Where each call's 'gateway call' line goes, and whether its request id travels with it. */
export interface GatewayCallLog {
  logger: { info(fields: object, msg: string): void };
  /** Send the id as `x-request-id`: sandbox mode only; live gateways get only the headers their documentation names. */
  forwardRequestId: boolean;
}

export interface GatewayTransportOptions {
  gateway: GatewayName;
  timeoutMs: number;
  /** Largest answer body read, in bytes (default 256 KiB; gateway answers are a few KiB). */
  maxAnswerBytes?: number;
  fetch?: typeof fetch;
  observe?: GatewayCallObserver;
  callLog?: GatewayCallLog;
}

export interface GatewayRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface GatewayAnswer {
  status: number;
  /** The answer's bytes decoded as UTF-8 (what signatures are checked over). */
  text: string;
}

export interface GatewayTransport {
  send(name: string, url: string, request: GatewayRequest, call?: GatewayCall): Promise<GatewayAnswer>;
}

export const DEFAULT_MAX_ANSWER_BYTES = 256 * 1024;

/** The BFF's own request-id header (ops/request-id.ts), sent to the sandbox only. */
const REQUEST_ID_HEADER = 'x-request-id';
/** An AlipayHK body's `reqMsgId`, logged beside the request id so one grep finds both. */
const REQ_MSG_ID = /"reqMsgId":"([^"\\]{1,64})"/;

/** What a channel's client is given for its transport: the deadline, and the fetch, observer and call log to use. */
export type GatewayConnection = Pick<GatewayTransportOptions, 'timeoutMs' | 'fetch' | 'observe' | 'callLog'>;

/** The transport of one gateway, from its client's options (the default answer cap). */
export function createTransportFor(gateway: GatewayName, options: GatewayConnection): GatewayTransport {
  return createGatewayTransport({
    gateway,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    observe: options.observe,
    callLog: options.callLog,
  });
}

export function createGatewayTransport(options: GatewayTransportOptions): GatewayTransport {
  const doFetch = options.fetch ?? fetch;
  const cap = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;

  function report(event: Omit<GatewayCallEvent, 'gateway'>): void {
    try {
      options.observe?.({ gateway: options.gateway, ...event });
    } catch {
      // An observer never changes the outcome of a payment call.
    }
  }

  /** Logs the call with its request id; the request as sent (with the id only when it is forwarded). */
  function logged(url: string, request: GatewayRequest, call: GatewayCall | undefined): GatewayRequest {
    const callLog = options.callLog;
    if (!callLog) return request;
    const reqId = call?.requestId;
    const reqMsgId = request.body === undefined ? undefined : REQ_MSG_ID.exec(request.body)?.[1];
    // The path only: a query string may hold a signature or a client secret.
    callLog.logger.info({ reqId, ...(reqMsgId ? { reqMsgId } : {}), gatewayPath: new URL(url).pathname }, 'gateway call');
    if (!callLog.forwardRequestId || reqId === undefined) return request;
    return { ...request, headers: { ...request.headers, [REQUEST_ID_HEADER]: reqId } };
  }

  async function send(name: string, url: string, request: GatewayRequest, call?: GatewayCall): Promise<GatewayAnswer> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    let status: number | undefined;
    try {
      const sent = logged(url, request, call);
      // One deadline for the whole exchange: the headers and the body.
      const response = await doFetch(url, { ...sent, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
      status = response.status;
      // A fetch that ignored `redirect: 'error'` (or a 304) still never counts as an answer.
      if (status >= 300 && status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new GatewayTransportError(`${name}: gateway answered a redirect (HTTP ${status}); not followed`, 'redirect');
      }
      const text = await readCapped(response, cap, name);
      if (status >= 500) throw new GatewayTransportError(`${name}: gateway answered HTTP ${status}`, 'server-error');
      report({ name, outcome: status < 300 ? 'ok' : 'answered', status, durationMs: elapsed() });
      return { status, text };
    } catch (error) {
      const unknown = toTransportError(name, error);
      report({ name, outcome: 'unknown', reason: unknown.reason, ...(status !== undefined ? { status } : {}), durationMs: elapsed() });
      throw unknown;
    }
  }

  return { send };
}

async function readCapped(response: Response, cap: number, name: string): Promise<string> {
  const tooLarge = () => new GatewayTransportError(`${name}: answer larger than ${cap} bytes`, 'too-large');
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toTransportError(name: string, error: unknown): GatewayTransportError {
  if (error instanceof GatewayTransportError) return error;
  const e = error as Error & { cause?: { message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return new GatewayTransportError(`${name}: no answer in time (${e.name})`, 'timeout');
  // undici: TypeError('fetch failed', { cause: Error('unexpected redirect') }) under redirect: 'error'.
  if (/redirect/i.test(String(e?.cause?.message ?? '')) || /redirect/i.test(String(e?.message ?? ''))) {
    return new GatewayTransportError(`${name}: gateway answered a redirect; not followed`, 'redirect');
  }
  return new GatewayTransportError(
    `${name}: no answer (${e?.name}: ${e?.message}${e?.cause?.message ? `: ${e.cause.message}` : ''})`,
    'no-answer',
  );
}
