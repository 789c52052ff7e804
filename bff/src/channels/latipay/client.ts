/**
 * Calls the Latipay API: signs each request with the api_key, sends it, and returns the parsed
 * JSON with its raw text. No answer, a timeout, HTTP 5xx or an unreadable body surface as
 * GatewayUnknownError: the outcome is unknown, never a failure.
 */
import { GatewayUnknownError } from '../../errors';
import type { GatewayCall } from '../../payments/channel';
import { createTransportFor, type GatewayCallLog, type GatewayCallObserver, type GatewayRequest } from '../gateway-transport';
import type { SignableValue } from './sign-content';
import type { LatipaySigner } from './signing';

export interface LatipayClientOptions {
  gatewayUrl: string;
  signer: LatipaySigner;
  timeoutMs: number;
  fetch?: typeof fetch;
  observe?: GatewayCallObserver;
  callLog?: GatewayCallLog;
}

export interface LatipayReply<T> {
  status: number;
  body: T;
  raw: string;
}

/** The paths, in one place: docs/protocols/latipay.md (note: refund has no `/v2`). */
export const LATIPAY_PATHS = {
  miniAlipay: '/v2/minialipay',
  transaction: (merchantReference: string) => `/v2/transaction/${encodeURIComponent(merchantReference)}`,
  refund: '/refund',
} as const;

export interface LatipayClient {
  /** POSTs `fields` plus their signature as JSON. */
  post<T>(path: string, fields: Record<string, string>, call?: GatewayCall): Promise<LatipayReply<T>>;
  /** GETs `path` with `query` plus its signature in the query string; `signed` fields join the signature. */
  get<T>(path: string, query: Record<string, string>, signed: Record<string, SignableValue>, call?: GatewayCall): Promise<LatipayReply<T>>;
}

export function createLatipayClient(options: LatipayClientOptions): LatipayClient {
  const transport = createTransportFor('latipay', options);
  const baseUrl = options.gatewayUrl.replace(/\/+$/, '');

  async function send<T>(what: string, url: string, init: GatewayRequest, call: GatewayCall | undefined): Promise<LatipayReply<T>> {
    // Redirects refused, answer capped, deadline: no answer, a redirect or a 5xx is GatewayUnknownError.
    const { status, text: raw } = await transport.send(`Latipay ${toCallName(what)}`, url, init, call);
    let body: T;
    try {
      body = JSON.parse(raw) as T;
    } catch {
      throw new GatewayUnknownError(`Latipay ${what}: HTTP ${status} with a body that is not JSON`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new GatewayUnknownError(`Latipay ${what}: HTTP ${status} with a body that is not an object`);
    }
    return { status, body, raw };
  }

  return {
    post(path, fields, call) {
      const body = { ...fields, signature: options.signer.signRequest(fields) };
      return send(
        `POST ${path}`,
        baseUrl + path,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json' },
          body: JSON.stringify(body),
        },
        call,
      );
    },
    get(path, query, signed, call) {
      const search = new URLSearchParams({ ...query, signature: options.signer.signRequest(signed) });
      return send(
        `GET ${path}`,
        `${baseUrl}${path}?${search.toString()}`,
        { method: 'GET', headers: { accept: 'application/json' } },
        call,
      );
    },
  };
}

/** `GET /v2/transaction/TP…` → `GET /v2/transaction/{merchant_reference}`: one name per call for metrics. */
function toCallName(what: string): string {
  return what.replace(/^(GET \/v2\/transaction\/).+$/, '$1{merchant_reference}');
}
