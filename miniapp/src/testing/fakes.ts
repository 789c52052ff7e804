/**
 * Test doubles for the unit tests under src/ (never imported by a page, so never bundled). The fake
 * platform keeps the platform's rules (miniapp-platform.md): GET and POST only (A+ api_network_request),
 * a page stack of at most 10 where `navigateTo` past it does nothing and `navigateBack` fails at depth 1
 * (OD my.navigateTo.md, my.navigateBack.md), `signContract` only where the app has it (A+ api_openapi_signcontract).
 */
import type { OrderStatus, OrderView, Product } from '@tradepay/shared';
import type { AppGlobal, HttpRequest, HttpResponse, Platform, SignContractOutcome, TradePayOutcome } from '../platform/types';

export const PRODUCTS: Product[] = [
  { sku: 'TEA-001', title: 'Oolong tea', titleZh: '烏龍茶', price: { currency: 'HKD', value: '4800' } },
  { sku: 'CUP-002', title: 'Tea cup', price: { currency: 'HKD', value: '12050' } },
];

export const ORDER_ID = 'ord_test000000000000000001';

export function makeOrder(status: OrderStatus = 'PENDING', overrides: Partial<OrderView> = {}): OrderView {
  return {
    id: ORDER_ID,
    merchantTransId: 'mt-1',
    channel: 'alipayhk',
    status,
    amount: { currency: 'HKD', value: '9600' },
    refundedAmount: { currency: 'HKD', value: '0' },
    items: [{ sku: 'TEA-001', title: 'Oolong tea', quantity: 2, unitPrice: { currency: 'HKD', value: '4800' } }],
    createdAt: '2025-11-22T10:00:00.000Z',
    updatedAt: '2025-11-22T10:00:00.000Z',
    paidAt: status === 'SUCCEEDED' ? '2025-11-22T10:00:05.000Z' : null,
    expiresAt: '2025-11-22T10:15:00.000Z',
    ...overrides,
  };
}

export function json(status: number, body: unknown): HttpResponse {
  return { status, body };
}

export function pathOf(request: HttpRequest): string {
  return request.url.replace(/^https?:\/\/[^/]+/, '');
}

export type BffHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/**
 * A small scripted BFF: catalog, create (→ PENDING order), confirm and GET answering the statuses
 * given, in order (the last one repeats).
 */
export function scriptedBff(script: {
  products?: Product[];
  confirm?: OrderStatus;
  gets?: OrderStatus[];
}): BffHandler & { calls: string[] } {
  const gets = [...(script.gets ?? ['PENDING'])];
  const calls: string[] = [];
  const handler = (request: HttpRequest): HttpResponse => {
    const path = pathOf(request);
    calls.push(`${request.method} ${path}`);
    if (path === '/api/catalog') return json(200, { products: script.products ?? PRODUCTS });
    if (path === '/api/orders') return json(201, { order: makeOrder(), payment: { type: 'tradePay', orderStr: 'signed-order-str' } });
    if (path.endsWith('/confirm')) return json(200, { order: makeOrder(script.confirm ?? 'PENDING') });
    if (path.startsWith('/api/orders/'))
      return json(200, { order: makeOrder(gets.length > 1 ? (gets.shift() as OrderStatus) : (gets[0] as OrderStatus)) });
    return json(404, { error: { code: 'NOT_FOUND', message: path } });
  };
  return Object.assign(handler, { calls });
}

export interface FakePlatform extends Platform {
  requests: HttpRequest[];
  /** Every navigation call, as `navigateTo /url`, `redirectTo /url`, `navigateBack 1`, `reLaunch /url`. */
  calls: string[];
  /** navigateTo URLs (kept for the older tests) and reLaunch URLs. */
  navigations: string[];
  relaunches: string[];
  /** The page stack, bottom first (routes without a leading slash). */
  stack: string[];
  titles: string[];
  store: Map<string, unknown>;
  global: AppGlobal;
  /** Advanced by `sleep`, so backoff runs instantly. */
  clock: { now: number };
  sleeps: number[];
}

export function createFakePlatform(
  bff: BffHandler,
  options: {
    language?: string;
    tradePay?: (orderStr: string) => Promise<TradePayOutcome>;
    signContract?: (signStr: string) => Promise<SignContractOutcome>;
    now?: number;
    /** The stack when the test starts (default: one checkout page). */
    stack?: string[];
  } = {},
): FakePlatform {
  const calls: string[] = [];
  const stack = [...(options.stack ?? ['pages/checkout/index'])];
  const routeOf = (url: string) => (url.split('?')[0] ?? '').replace(/^\//, '');
  const requests: HttpRequest[] = [];
  const navigations: string[] = [];
  const relaunches: string[] = [];
  const titles: string[] = [];
  const store = new Map<string, unknown>();
  const global: AppGlobal = {};
  const clock = { now: options.now ?? Date.parse('2025-11-22T10:00:00Z') };
  const sleeps: number[] = [];
  return {
    requests,
    calls,
    navigations,
    relaunches,
    stack,
    titles,
    store,
    global,
    clock,
    sleeps,
    request: async (request) => {
      if (request.method !== 'GET' && request.method !== 'POST')
        throw new Error(`fake platform: my.request has no ${String(request.method)} on Alipay+`);
      requests.push(request);
      // A BFF without buyer sessions (the session flow has its own tests in api/client.test.ts).
      if (pathOf(request) === '/api/session') return json(404, { error: { code: 'NOT_FOUND', message: 'no sessions' } });
      return bff(request);
    },
    tradePay: options.tradePay ?? (async () => ({ kind: 'result', resultCode: '9000' })),
    getAuthCode: async () => 'auth-code-1',
    signContract: options.signContract ?? null,
    storage: {
      get: async (key) => store.get(key),
      set: async (key, value) => {
        store.set(key, value);
      },
    },
    language: () => options.language ?? 'en',
    navigateTo: (url) => {
      calls.push(`navigateTo ${url}`);
      navigations.push(url);
      // Past 10 pages nothing happens, and no callback may fire: a caller that tries hangs here.
      if (stack.length >= 10) return new Promise<void>(() => {});
      stack.push(routeOf(url));
      return Promise.resolve();
    },
    redirectTo: async (url) => {
      calls.push(`redirectTo ${url}`);
      stack[stack.length - 1] = routeOf(url);
    },
    navigateBack: async (delta) => {
      calls.push(`navigateBack ${delta}`);
      if (stack.length <= 1) throw new Error('already top of navigation');
      stack.splice(Math.max(1, stack.length - delta));
    },
    reLaunch: async (url) => {
      calls.push(`reLaunch ${url}`);
      relaunches.push(url);
      stack.splice(0, stack.length, routeOf(url));
    },
    pageStack: () => [...stack],
    setTitle: async (title) => {
      titles.push(title);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    now: () => clock.now,
    random: () => 0.5,
    appGlobal: () => global,
  };
}

/** A page instance as the runtime makes one: `data` and a `setData` that merges top-level keys. */
export function fakePageInstance<Data extends object>(initial: Data): { data: Data; setData(patch: Partial<Data>): void; history: Data[] } {
  const page = {
    data: initial,
    history: [] as Data[],
    setData(patch: Partial<Data>) {
      page.data = { ...page.data, ...patch };
      page.history.push(page.data);
    },
  };
  return page;
}
