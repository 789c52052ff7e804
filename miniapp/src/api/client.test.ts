import { describe, expect, it } from 'vitest';
import { TransportError, type HttpRequest, type HttpResponse } from '../platform/types';
import { json, makeOrder, ORDER_ID, pathOf, PRODUCTS } from '../testing/fakes';
import { createApiClient } from './client';
import { ApiError } from './errors';
import { createSessionProvider, type SessionState } from './session';

const BASE = 'http://bff.test';

function recorder(answer: (request: HttpRequest) => HttpResponse | Promise<HttpResponse>) {
  const requests: HttpRequest[] = [];
  return {
    requests,
    request: async (request: HttpRequest) => {
      requests.push(request);
      return answer(request);
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('api client', () => {
  it('calls contract v1 routes with JSON bodies and per-call timeouts', async () => {
    const http = recorder((request) => {
      const path = pathOf(request);
      if (path === '/api/catalog') return json(200, { products: PRODUCTS });
      if (path === '/api/orders') return json(201, { order: makeOrder(), payment: { type: 'tradePay', orderStr: 'x' } });
      return json(200, { order: makeOrder('SUCCEEDED') });
    });
    const api = createApiClient({ request: http.request, baseUrl: BASE });
    expect((await api.catalog()).products).toHaveLength(2);
    expect((await api.createOrder({ items: [{ sku: 'TEA-001', quantity: 1 }] }, 'key-1')).payment).toEqual({
      type: 'tradePay',
      orderStr: 'x',
    });
    expect((await api.getOrder(ORDER_ID)).status).toBe('SUCCEEDED');
    await api.confirmOrder(ORDER_ID, '9000');
    await api.confirmOrder(ORDER_ID, '6001', { timeoutMs: 1234 });

    expect(http.requests.map((r) => [r.method, r.url, r.timeoutMs])).toEqual([
      ['GET', `${BASE}/api/catalog`, 10_000],
      ['POST', `${BASE}/api/orders`, 15_000],
      ['GET', `${BASE}/api/orders/${ORDER_ID}`, 10_000],
      ['POST', `${BASE}/api/orders/${ORDER_ID}/confirm`, 20_000],
      ['POST', `${BASE}/api/orders/${ORDER_ID}/confirm`, 1234],
    ]);
    // One x-request-id per payment attempt: the create's, sent again on that order's calls.
    expect(http.requests[1]?.headers).toEqual({ 'idempotency-key': 'key-1', 'x-request-id': 'key-1' });
    expect(http.requests[2]?.headers).toEqual({ 'x-request-id': 'key-1' });
    expect(http.requests[4]?.headers).toEqual({ 'x-request-id': 'key-1' });
    expect(http.requests[3]?.body).toEqual({ resultCode: '9000' });
  });

  it('escapes the order id in the path', async () => {
    const http = recorder(() => json(200, { order: makeOrder() }));
    await createApiClient({ request: http.request, baseUrl: BASE }).getOrder('a/../b?c');
    expect(http.requests[0]?.url).toBe(`${BASE}/api/orders/a%2F..%2Fb%3Fc`);
  });

  it('turns {error:{code,message}} into an ApiError with status and code', async () => {
    const http = recorder(() => json(409, { error: { code: 'IDEMPOTENCY_CONFLICT', message: 'same key, different body' } }));
    const error = await rejection(createApiClient({ request: http.request, baseUrl: BASE }).createOrder({ items: [] }, 'k'));
    expect(error).toMatchObject({ kind: 'http', status: 409, code: 'IDEMPOTENCY_CONFLICT', message: 'same key, different body' });
    expect(error.ambiguous).toBe(false);
  });

  it('treats a non-JSON 5xx as an ambiguous http error', async () => {
    const http = recorder(() => json(502, '<html>Bad gateway</html>'));
    const error = await rejection(createApiClient({ request: http.request, baseUrl: BASE }).catalog());
    expect(error).toMatchObject({ kind: 'http', status: 502, code: undefined });
    expect(error.ambiguous).toBe(true);
  });

  it('maps transport failures to network / timeout', async () => {
    const timeout = recorder(() => Promise.reject(new TransportError('timeout', 'slow')));
    expect(await rejection(createApiClient({ request: timeout.request, baseUrl: BASE }).getOrder('x'))).toMatchObject({ kind: 'timeout' });
    const offline = recorder(() => Promise.reject(new TransportError('network', 'offline')));
    expect(await rejection(createApiClient({ request: offline.request, baseUrl: BASE }).getOrder('x'))).toMatchObject({ kind: 'network' });
  });

  it.each([
    ['an unknown status', { order: makeOrder('PAID' as never) }],
    ['no order', {}],
    ['an amount in major units', { order: makeOrder('PENDING', { amount: { currency: 'HKD', value: '12.50' } }) }],
  ])('rejects a 2xx body with %s as bad-response', async (_name, body) => {
    const http = recorder(() => json(200, body));
    expect(await rejection(createApiClient({ request: http.request, baseUrl: BASE }).getOrder('x'))).toMatchObject({
      kind: 'bad-response',
    });
  });

  it('rejects a create answer without a usable payment', async () => {
    const http = recorder(() => json(201, { order: makeOrder(), payment: { type: 'tradePay', orderStr: '' } }));
    expect(await rejection(createApiClient({ request: http.request, baseUrl: BASE }).createOrder({ items: [] }, 'k'))).toMatchObject({
      kind: 'bad-response',
    });
  });
});

describe('buyer session', () => {
  function setup(
    sessionAnswer: (request: HttpRequest) => HttpResponse | Promise<HttpResponse>,
    options: { authCode?: () => Promise<string> } = {},
  ) {
    const state: SessionState = {};
    const authCodes: string[] = [];
    const http = recorder((request) => (pathOf(request) === '/api/session' ? sessionAnswer(request) : json(200, { order: makeOrder() })));
    const session = createSessionProvider({
      request: http.request,
      baseUrl: BASE,
      state,
      getAuthCode:
        options.authCode ??
        (async () => {
          authCodes.push(`code-${authCodes.length + 1}`);
          return `code-${authCodes.length}`;
        }),
    });
    const api = createApiClient({ request: http.request, baseUrl: BASE, session });
    return { state, http, api, authCodes };
  }

  it('without /api/session (404) proceeds without a token and does not ask again', async () => {
    const t = setup(() => json(404, { error: { code: 'NOT_FOUND', message: 'no' } }));
    await t.api.getOrder(ORDER_ID);
    await t.api.getOrder(ORDER_ID);
    expect(t.http.requests.map((r) => pathOf(r))).toEqual(['/api/session', `/api/orders/${ORDER_ID}`, `/api/orders/${ORDER_ID}`]);
    expect(t.http.requests.every((r) => !r.headers?.authorization)).toBe(true);
    expect(t.state.unsupported).toBe(true);
  });

  it('with a session sends the bearer token on /api/orders* only, and signs in once', async () => {
    const t = setup((request) => json(200, { token: `tok-for-${(request.body as { authCode: string }).authCode}` }));
    await t.api.catalog().catch(() => {});
    await t.api.getOrder(ORDER_ID);
    await t.api.confirmOrder(ORDER_ID, '9000');
    const sessionCalls = t.http.requests.filter((r) => pathOf(r) === '/api/session');
    expect(sessionCalls).toHaveLength(1);
    expect(sessionCalls[0]?.body).toEqual({ authCode: 'code-1' });
    const catalog = t.http.requests.find((r) => pathOf(r) === '/api/catalog');
    expect(catalog?.headers?.authorization).toBeUndefined();
    const orders = t.http.requests.filter((r) => pathOf(r).startsWith('/api/orders'));
    expect(orders.map((r) => r.headers?.authorization)).toEqual(['Bearer tok-for-code-1', 'Bearer tok-for-code-1']);
  });

  it('signs in again once after a 401 and retries the call', async () => {
    let tokens = 0;
    const state: SessionState = {};
    const seen: (string | undefined)[] = [];
    const http = recorder((request) => {
      if (pathOf(request) === '/api/session') return json(200, { token: `tok-${(tokens += 1)}` });
      seen.push(request.headers?.authorization);
      return request.headers?.authorization === 'Bearer tok-2'
        ? json(200, { order: makeOrder() })
        : json(401, { error: { code: 'UNAUTHORIZED', message: 'expired' } });
    });
    const session = createSessionProvider({ request: http.request, baseUrl: BASE, state, getAuthCode: async () => 'c' });
    const api = createApiClient({ request: http.request, baseUrl: BASE, session });
    expect((await api.getOrder(ORDER_ID)).id).toBe(ORDER_ID);
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(state.token).toBe('tok-2');
  });

  it('gives up after the second 401', async () => {
    const t = setup(() => json(200, { token: 't' }));
    const api = createApiClient({
      request: async (request) =>
        pathOf(request) === '/api/session' ? json(200, { token: 't' }) : json(401, { error: { code: 'UNAUTHORIZED', message: 'no' } }),
      baseUrl: BASE,
      session: createSessionProvider({ request: t.http.request, baseUrl: BASE, state: {}, getAuthCode: async () => 'c' }),
    });
    expect(await rejection(api.getOrder(ORDER_ID))).toMatchObject({ kind: 'http', status: 401, code: 'UNAUTHORIZED' });
  });

  it('a session endpoint that fails is an error the buyer sees (not a silent anonymous call)', async () => {
    const t = setup(() => json(503, { error: { code: 'UNAVAILABLE', message: 'down' } }));
    expect(await rejection(t.api.getOrder(ORDER_ID))).toMatchObject({ kind: 'http', status: 503, code: 'UNAVAILABLE' });
    expect(t.http.requests.map((r) => pathOf(r))).toEqual(['/api/session']);
    expect(t.state.unsupported).toBeUndefined();
  });

  it('asks for a guest session when my.getAuthCode fails (e.g. the IDE without an app id)', async () => {
    const t = setup(
      (request) => json(200, { token: `guest-${JSON.stringify(request.body)}`, expiresAt: '2030-01-01T00:00:00Z', buyer: 'guest' }),
      {
        authCode: () => Promise.reject(new Error('no app id')),
      },
    );
    await t.api.getOrder(ORDER_ID);
    expect(t.http.requests.map((r) => [pathOf(r), r.body])).toEqual([
      ['/api/session', {}],
      [`/api/orders/${ORDER_ID}`, undefined],
    ]);
    expect(t.http.requests[1]?.headers?.authorization).toBe('Bearer guest-{}');
  });

  it('a refused authCode is an error the buyer sees, not a silent guest', async () => {
    const t = setup(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'The wallet did not accept this authCode' } }));
    expect(await rejection(t.api.getOrder(ORDER_ID))).toMatchObject({ kind: 'http', status: 401, code: 'UNAUTHORIZED' });
    expect(t.state.token).toBeUndefined();
  });

  it('shares one sign-in between concurrent calls', async () => {
    const t = setup(async () => json(200, { token: 'tok' }));
    await Promise.all([t.api.getOrder(ORDER_ID), t.api.getOrder(ORDER_ID), t.api.confirmOrder(ORDER_ID, '9000')]);
    expect(t.http.requests.filter((r) => pathOf(r) === '/api/session')).toHaveLength(1);
  });

  it('speaks the auto-debit routes: list, create, read, unbind (DELETE, no body), charge (201 or 202)', async () => {
    const agreement = {
      id: 'agr_test0000000000000001',
      merchantAgreementId: 'TPA1',
      status: 'ACTIVE',
      failureCode: null,
      dailyLimit: { currency: 'HKD', value: '100000' },
      chargedToday: { currency: 'HKD', value: '0' },
      createdAt: '2025-11-22T10:00:00.000Z',
      updatedAt: '2025-11-22T10:00:00.000Z',
      activatedAt: null,
      endedAt: null,
    };
    const http = recorder((request) => {
      const path = pathOf(request);
      if (path === '/api/agreements' && request.method === 'GET') return json(200, { agreements: [agreement] });
      if (path === '/api/agreements')
        return json(201, { agreement: { ...agreement, status: 'PENDING' }, authUrl: 'https://wallet.example/auth?id=1' });
      if (path.endsWith('/charges')) return json(202, { order: makeOrder('PENDING') });
      if (path.endsWith('/revoke')) return json(200, { agreement: { ...agreement, status: 'REVOKED' } });
      return json(200, { agreement });
    });
    const api = createApiClient({ request: http.request, baseUrl: BASE });
    expect((await api.listAgreements()).map((a) => a.status)).toEqual(['ACTIVE']);
    expect((await api.createAgreement()).authUrl).toBe('https://wallet.example/auth?id=1');
    expect((await api.getAgreement(agreement.id)).status).toBe('ACTIVE');
    expect((await api.revokeAgreement(agreement.id)).status).toBe('REVOKED');
    expect((await api.charge(agreement.id, { items: [{ sku: 'TEA-001', quantity: 1 }] }, 'key-ad-1')).status).toBe('PENDING');
    expect(http.requests.map((r) => [r.method, pathOf(r), r.body, r.headers?.['idempotency-key']])).toEqual([
      ['GET', '/api/agreements', undefined, undefined],
      // Every POST carries a JSON body; unbinding is the POST twin (my.request has no DELETE on Alipay+).
      ['POST', '/api/agreements', {}, undefined],
      ['GET', `/api/agreements/${agreement.id}`, undefined, undefined],
      ['POST', `/api/agreements/${agreement.id}/revoke`, {}, undefined],
      ['POST', `/api/agreements/${agreement.id}/charges`, { items: [{ sku: 'TEA-001', quantity: 1 }] }, 'key-ad-1'],
    ]);
  });

  it('refuses an agreement answer that is not contract v1 (unknown status, no authUrl)', async () => {
    const api = createApiClient({
      request: async (request) =>
        pathOf(request) === '/api/agreements' && request.method === 'POST'
          ? json(201, {
              agreement: {
                id: 'agr_x',
                status: 'ACTIVE',
                dailyLimit: { currency: 'HKD', value: '1' },
                chargedToday: { currency: 'HKD', value: '0' },
              },
              authUrl: 'javascript:x',
            })
          : json(200, { agreements: [{ id: 'agr_x', status: 'BOUND' }] }),
      baseUrl: BASE,
    });
    expect((await rejection(api.listAgreements())).kind).toBe('bad-response');
    expect((await rejection(api.createAgreement())).kind).toBe('bad-response');
  });
});
