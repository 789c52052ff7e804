/**
 * Calls the payment-intents aggregator: JSON over HTTPS with `Authorization: Bearer <access token>`.
 * The token comes from `GET /mch-api/v1/auth?grant_type=client_credentials&uid=…&client_secret=…`
 * (the white-label twin's public merchant code, docs/protocols/intents.md), is cached, refreshed before it expires, and
 * fetched again once when a call answers "unauthorized". Timeouts, 5xx and unreadable answers are
 * GatewayUnknownError: the caller retries with the same merchant_order_id or queries later.
 * A readable refusal (`code` ≠ 0) is returned, not thrown: what it means depends on the call.
 */
import { GatewayUnknownError } from '../../errors';
import type { GatewayCall } from '../../payments/channel';
import { createTransportFor, type GatewayCallLog, type GatewayCallObserver } from '../gateway-transport';
import { TOKEN_PATH } from './endpoints';
import { UNAUTHORIZED_CODES } from './status-map';
import type { IntentsEnvelope, TokenData } from './wire-types';

/** The answer could not be read (not JSON, no numeric `code`, or a 5xx): the outcome is unknown. */
export class IntentsAnswerError extends GatewayUnknownError {
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

export interface IntentsClientOptions {
  gatewayUrl: string;
  /** `uid` and `client_secret` of the token call. */
  uid: string;
  clientSecret: string;
  timeoutMs: number;
  /** Refresh this long before the token expires (default 60 s; at most half the token's life). */
  refreshMarginMs?: number;
  now?: () => Date;
  fetch?: typeof fetch;
  observe?: GatewayCallObserver;
  callLog?: GatewayCallLog;
}

export interface IntentsReply<D> {
  httpStatus: number;
  body: IntentsEnvelope<D>;
  /** The answer's text, kept as evidence. */
  raw: string;
}

export interface IntentsClient {
  call<D>(path: string, body: object, call?: GatewayCall): Promise<IntentsReply<D>>;
  /** The current access token (fetching one if needed). Exposed for tests. */
  accessToken(call?: GatewayCall): Promise<string>;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

export function createIntentsClient(options: IntentsClientOptions): IntentsClient {
  const now = options.now ?? (() => new Date());
  const transport = createTransportFor('intents', options);
  const baseUrl = options.gatewayUrl.replace(/\/+$/, '');
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: CachedToken | null = null;
  // Concurrent callers share one token request instead of stampeding the endpoint.
  let inFlight: Promise<string> | null = null;

  async function post(
    path: string,
    body: object | null,
    token: string | null,
    call: GatewayCall | undefined,
    query = '',
  ): Promise<{ status: number; raw: string }> {
    // Redirects refused, answer capped, deadline: no answer, a redirect or a 5xx is GatewayUnknownError.
    // Named by `path` only: the token call's query string holds the client secret.
    const { status, text: raw } = await transport.send(
      path,
      baseUrl + path + query,
      {
        method: body === null ? 'GET' : 'POST',
        headers: {
          ...(body === null ? {} : { 'content-type': 'application/json; charset=UTF-8' }),
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === null ? {} : { body: JSON.stringify(body) }),
      },
      call,
    );
    return { status, raw };
  }

  function parse<D>(path: string, status: number, raw: string): IntentsEnvelope<D> {
    if (status >= 500) throw new IntentsAnswerError(`${path}: gateway answered HTTP ${status}`, status);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new IntentsAnswerError(`${path}: answer is not JSON (HTTP ${status})`, status);
    }
    if (body === null || typeof body !== 'object' || typeof (body as { code?: unknown }).code !== 'number') {
      throw new IntentsAnswerError(`${path}: answer has no numeric code (HTTP ${status})`, status);
    }
    return body as IntentsEnvelope<D>;
  }

  async function fetchToken(call: GatewayCall | undefined): Promise<string> {
    const query = new URLSearchParams({ grant_type: 'client_credentials', uid: options.uid, client_secret: options.clientSecret });
    const { status, raw } = await post(TOKEN_PATH, null, null, call, `?${query.toString()}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new GatewayUnknownError(`token: answer is not JSON (HTTP ${status})`);
    }
    // A top-level `access_token` (the twin's code); a `{code, data}` envelope is read too.
    const envelope = parsed as Partial<IntentsEnvelope<TokenData>> & Partial<TokenData>;
    const data = (typeof envelope?.access_token === 'string' ? envelope : (envelope?.data ?? envelope)) as Partial<TokenData> | undefined;
    if (
      status !== 200 ||
      (typeof envelope?.code === 'number' && envelope.code !== 0) ||
      typeof data?.access_token !== 'string' ||
      data.access_token === ''
    ) {
      // Never log the key or the answer's token; the code and message are enough.
      throw new GatewayUnknownError(`token: refused (HTTP ${status}, code ${String(envelope?.code)}: ${String(envelope?.message ?? '')})`);
    }
    const lifetimeMs = Number.isFinite(data.expires_in) && (data.expires_in as number) > 0 ? (data.expires_in as number) * 1000 : 300_000;
    cached = { value: data.access_token, refreshAt: now().getTime() + lifetimeMs - Math.min(margin, lifetimeMs / 2) };
    return data.access_token;
  }

  /** A shared token fetch is made under the call of whichever request started it. */
  async function accessToken(call?: GatewayCall): Promise<string> {
    if (cached && now().getTime() < cached.refreshAt) return cached.value;
    inFlight ??= fetchToken(call).finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  async function callPath<D>(path: string, body: object, call?: GatewayCall): Promise<IntentsReply<D>> {
    let token = await accessToken(call);
    let { status, raw } = await post(path, body, token, call);
    if (status === 401 || isUnauthorized(raw)) {
      // Revoked or expired early: forget it and try once more with a fresh token.
      if (cached?.value === token) cached = null;
      token = await accessToken(call);
      ({ status, raw } = await post(path, body, token, call));
    }
    return { httpStatus: status, body: parse<D>(path, status, raw), raw };
  }

  return { call: callPath, accessToken };
}

function isUnauthorized(raw: string): boolean {
  try {
    const code = (JSON.parse(raw) as { code?: unknown }).code;
    return typeof code === 'number' && UNAUTHORIZED_CODES.has(code);
  } catch {
    return false;
  }
}
