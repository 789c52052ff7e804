/**
 * Calls the Latipay API: signs each request with the api_key, sends it, and returns the parsed
 * JSON with its raw text. No answer, a timeout, HTTP 5xx or an unreadable body surface as
 * GatewayUnknownError: the outcome is unknown, never a failure.
 */
import { GatewayUnknownError } from '../../errors';
import type { SignableValue } from './sign-content';
import type { LatipaySigner } from './signing';

export interface LatipayClientOptions {
  gatewayUrl: string;
  signer: LatipaySigner;
  timeoutMs: number;
  fetch?: typeof fetch;
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
  post<T>(path: string, fields: Record<string, string>): Promise<LatipayReply<T>>;
  /** GETs `path` with `query` plus its signature in the query string; `signed` fields join the signature. */
  get<T>(path: string, query: Record<string, string>, signed: Record<string, SignableValue>): Promise<LatipayReply<T>>;
}

export function createLatipayClient(options: LatipayClientOptions): LatipayClient {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = options.gatewayUrl.replace(/\/+$/, '');

  async function send<T>(what: string, url: string, init: RequestInit): Promise<LatipayReply<T>> {
    let status: number;
    let raw: string;
    try {
      const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
      status = response.status;
      raw = await response.text();
    } catch (error) {
      throw new GatewayUnknownError(`Latipay ${what}: no answer (${(error as Error).name}: ${(error as Error).message})`);
    }
    if (status >= 500) throw new GatewayUnknownError(`Latipay ${what}: HTTP ${status}`);
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
    post(path, fields) {
      const body = { ...fields, signature: options.signer.signRequest(fields) };
      return send(`POST ${path}`, baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json' },
        body: JSON.stringify(body),
      });
    },
    get(path, query, signed) {
      const search = new URLSearchParams({ ...query, signature: options.signer.signRequest(signed) });
      return send(`GET ${path}`, `${baseUrl}${path}?${search.toString()}`, { method: 'GET', headers: { accept: 'application/json' } });
    },
  };
}
