/**
 * The BFF's contract v1 as typed calls. Every call resolves with parsed data or rejects with ApiError,
 * so callers handle exactly one error type.
 */
import type {
  AgreementView,
  CatalogResponse,
  CreateAgreementResponse,
  CreateChargeBody,
  CreateOrderBody,
  CreateOrderResponse,
  OrderView,
  SignContractBody,
} from '@tradepay/shared';
import type { HttpRequest, HttpRequester, HttpResponse } from '../platform/types';
import { ApiError, toApiError } from './errors';
import {
  parseAgreementList,
  parseAgreementResponse,
  parseCatalogResponse,
  parseCreateAgreementResponse,
  parseCreateOrderResponse,
  parseErrorBody,
  parseOrderResponse,
} from './parse';
import type { SessionProvider } from './session';

export interface ApiTimeouts {
  read: number;
  create: number;
  /** The BFF queries the gateway before it answers a confirm: give it longer than a read. */
  confirm: number;
}

/** Reads are quick; create signs an order; confirm may wait on a gateway query (its own timeout is ~10 s). */
export const DEFAULT_TIMEOUTS: ApiTimeouts = { read: 10_000, create: 15_000, confirm: 20_000 };

export interface ApiClientOptions {
  request: HttpRequester;
  /** Without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  session?: SessionProvider;
  timeouts?: Partial<ApiTimeouts>;
}

export interface ApiClient {
  catalog(): Promise<CatalogResponse>;
  createOrder(body: CreateOrderBody, idempotencyKey: string): Promise<CreateOrderResponse>;
  getOrder(id: string): Promise<OrderView>;
  confirmOrder(id: string, resultCode: string, options?: { timeoutMs?: number }): Promise<OrderView>;
  /** Auto-debit: the buyer's agreements, newest first. */
  listAgreements(): Promise<AgreementView[]>;
  getAgreement(id: string): Promise<AgreementView>;
  /** Starts a binding: a PENDING agreement and the wallet's consent page (open it in a web-view). */
  createAgreement(): Promise<CreateAgreementResponse>;
  /** `POST /api/agreements/:id/revoke`: `my.request` has no DELETE on Alipay+. */
  revokeAgreement(id: string): Promise<AgreementView>;
  /** Completes a binding with what `my.signContract` returned. */
  signContract(id: string, body: SignContractBody): Promise<AgreementView>;
  /** Closes an unpaid order (the BFF queries the gateway first): after the shopper gave up paying. */
  cancelOrder(id: string, options?: { timeoutMs?: number }): Promise<OrderView>;
  /** Charges the bound wallet; resolves with the order (SUCCEEDED, or PENDING while it is confirmed). */
  charge(agreementId: string, body: CreateChargeBody, idempotencyKey: string): Promise<OrderView>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { request, baseUrl, session } = options;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };

  async function send(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await request(req);
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Sends with the session token (when there is one); after a 401, signs in again once. */
  async function call(req: Omit<HttpRequest, 'url'> & { path: string; auth: boolean }): Promise<unknown> {
    const { path, auth, ...rest } = req;
    const withToken = (token: string | null): HttpRequest => ({
      ...rest,
      url: baseUrl + path,
      headers: token ? { ...rest.headers, authorization: `Bearer ${token}` } : rest.headers,
    });
    let token = auth && session ? await session.token() : null;
    let response: HttpResponse;
    try {
      response = await send(withToken(token));
    } catch (error) {
      // An HTTP error of unknown status on a call with a token may be a 401: sign in again once.
      if (!(error instanceof ApiError && error.kind === 'http-unknown' && token && session)) throw error;
      response = { status: 401, body: undefined };
    }
    if (response.status === 401 && token && session) {
      session.invalidate();
      token = await session.token();
      response = await send(withToken(token));
    }
    if (response.status >= 200 && response.status < 300) return response.body;
    const { code, message } = parseErrorBody(response.body);
    throw new ApiError('http', message ?? `${req.method} ${path} answered ${response.status}`, response.status, code);
  }

  const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;
  // One x-request-id per payment attempt (its idempotency key), sent again on that order's calls.
  const attemptIds = new Map<string, string>();
  const attemptHeader = (id: string): Record<string, string> => (attemptIds.has(id) ? { 'x-request-id': attemptIds.get(id)! } : {});
  const agreementPath = (id: string) => `/api/agreements/${encodeURIComponent(id)}`;

  return {
    async catalog() {
      return parseCatalogResponse(await call({ method: 'GET', path: '/api/catalog', auth: false, timeoutMs: timeouts.read }));
    },
    async createOrder(body, idempotencyKey) {
      const answer = await call({
        method: 'POST',
        path: '/api/orders',
        auth: true,
        body,
        headers: { 'idempotency-key': idempotencyKey, 'x-request-id': idempotencyKey },
        timeoutMs: timeouts.create,
      });
      const created = parseCreateOrderResponse(answer);
      attemptIds.set(created.order.id, idempotencyKey);
      return created;
    },
    async getOrder(id) {
      return parseOrderResponse(
        await call({ method: 'GET', path: orderPath(id), auth: true, headers: attemptHeader(id), timeoutMs: timeouts.read }),
      );
    },
    async confirmOrder(id, resultCode, callOptions) {
      const answer = await call({
        method: 'POST',
        path: `${orderPath(id)}/confirm`,
        auth: true,
        body: { resultCode },
        headers: attemptHeader(id),
        timeoutMs: callOptions?.timeoutMs ?? timeouts.confirm,
      });
      return parseOrderResponse(answer);
    },
    async listAgreements() {
      return parseAgreementList(await call({ method: 'GET', path: '/api/agreements', auth: true, timeoutMs: timeouts.read }));
    },
    async getAgreement(id) {
      // The BFF may ask the wallet before it answers: give it a confirm's time.
      return parseAgreementResponse(await call({ method: 'GET', path: agreementPath(id), auth: true, timeoutMs: timeouts.confirm }));
    },
    async createAgreement() {
      return parseCreateAgreementResponse(
        await call({ method: 'POST', path: '/api/agreements', auth: true, body: {}, timeoutMs: timeouts.create }),
      );
    },
    async revokeAgreement(id) {
      return parseAgreementResponse(
        await call({ method: 'POST', path: `${agreementPath(id)}/revoke`, auth: true, body: {}, timeoutMs: timeouts.confirm }),
      );
    },
    async signContract(id, body) {
      // The BFF redeems the code at the wallet before it answers.
      return parseAgreementResponse(
        await call({ method: 'POST', path: `${agreementPath(id)}/sign-contract`, auth: true, body, timeoutMs: timeouts.confirm }),
      );
    },
    async cancelOrder(id, callOptions) {
      return parseOrderResponse(
        await call({
          method: 'POST',
          path: `${orderPath(id)}/cancel`,
          auth: true,
          body: {},
          timeoutMs: callOptions?.timeoutMs ?? timeouts.confirm,
        }),
      );
    },
    async charge(agreementId, body, idempotencyKey) {
      const answer = await call({
        method: 'POST',
        path: `${agreementPath(agreementId)}/charges`,
        auth: true,
        body,
        headers: { 'idempotency-key': idempotencyKey },
        // The BFF debits the wallet before it answers.
        timeoutMs: timeouts.confirm,
      });
      return parseOrderResponse(answer);
    },
  };
}
