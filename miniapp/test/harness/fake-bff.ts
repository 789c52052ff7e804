/**
 * An in-process HTTP server that speaks contract v1 the way the BFF does, with an in-memory order
 * store and a knob for each thing a test needs to control: what the gateway "knows" about an order
 * (and after how many GETs it shows), failures and hangs per route, and whether `/api/session` exists.
 * It stands in for the BFF until the real stack (`startStack()`) is used.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderStatus, OrderView, Product } from '@tradepay/shared';

export const FAKE_PRODUCTS: Product[] = [
  { sku: 'TEA-001', title: 'Oolong tea', titleZh: '烏龍茶', price: { currency: 'HKD', value: '4800' } },
  { sku: 'CUP-002', title: 'Tea cup', price: { currency: 'HKD', value: '12050' } },
];

export type Route = 'catalog' | 'session' | 'create' | 'get' | 'confirm' | 'cancel';

/** A canned answer, `hang` (never answer: the client times out), or `drop` (close the socket). */
export type Injected = { status: number; body: unknown } | 'hang' | 'drop';

export interface FakeBffRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeBff {
  url: string;
  requests: FakeBffRequest[];
  orders: Map<string, OrderView>;
  /** What a gateway query would find for this order, visible to the BFF after `afterGets` GETs (0: at once, confirm included). */
  settle(orderId: string, status: OrderStatus, afterGets?: number): void;
  /** The next `times` calls of `route` get `answer` instead of the normal behaviour. */
  inject(route: Route, answer: Injected, times?: number): void;
  /** Serve `POST /api/session` (`{token, expiresAt, buyer}`) instead of 404, and require the token on /api/orders*. Called again, the old token answers 401. */
  enableSessions(token: string): void;
  close(): Promise<void>;
}

const ORDER_PATH = /^\/api\/orders\/([^/]+)(\/confirm|\/cancel)?$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such route or order' } });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFakeBff(options: { products?: Product[] } = {}): Promise<FakeBff> {
  const products = options.products ?? FAKE_PRODUCTS;
  const orders = new Map<string, OrderView>();
  const requests: FakeBffRequest[] = [];
  const plans = new Map<string, { status: OrderStatus; afterGets: number }>();
  const injected = new Map<Route, { answer: Injected; times: number }>();
  const hanging = new Set<ServerResponse>();
  const byIdempotencyKey = new Map<string, OrderView>();
  let sessionToken: string | null = null;
  let sequence = 0;

  function takeInjected(route: Route): Injected | null {
    const entry = injected.get(route);
    if (!entry || entry.times <= 0) return null;
    entry.times -= 1;
    return entry.answer;
  }

  /** The BFF asks the gateway: the planned status shows once its GET countdown is over. */
  function query(order: OrderView): OrderView {
    const plan = plans.get(order.id);
    if (plan && plan.afterGets <= 0 && order.status === 'PENDING') {
      const now = new Date().toISOString();
      const next: OrderView = { ...order, status: plan.status, updatedAt: now, paidAt: plan.status === 'SUCCEEDED' ? now : order.paidAt };
      orders.set(order.id, next);
      return next;
    }
    return order;
  }

  function createOrder(body: unknown, idempotencyKey: string | undefined): OrderView | null {
    const items = (body as { items?: { sku: string; quantity: number }[] })?.items;
    if (!Array.isArray(items) || items.length === 0) return null;
    if (idempotencyKey && byIdempotencyKey.has(idempotencyKey)) return byIdempotencyKey.get(idempotencyKey) as OrderView;
    const lines = [];
    let total = 0;
    for (const { sku, quantity } of items) {
      const product = products.find((p) => p.sku === sku);
      if (!product || !Number.isInteger(quantity) || quantity < 1) return null;
      total += Number(product.price.value) * quantity;
      lines.push({ sku, title: product.title, quantity, unitPrice: product.price });
    }
    sequence += 1;
    const now = new Date().toISOString();
    const order: OrderView = {
      id: `ord_fake${String(sequence).padStart(16, '0')}`,
      merchantTransId: `mt-fake-${sequence}`,
      channel: 'alipayhk',
      status: 'PENDING',
      amount: { currency: 'HKD', value: String(total) },
      refundedAmount: { currency: 'HKD', value: '0' },
      items: lines,
      createdAt: now,
      updatedAt: now,
      paidAt: null,
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    };
    orders.set(order.id, order);
    if (idempotencyKey) byIdempotencyKey.set(idempotencyKey, order);
    return order;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-bff');
    const body = await readBody(req);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });

    const match = ORDER_PATH.exec(url.pathname);
    const route: Route | null =
      req.method === 'GET' && url.pathname === '/api/catalog'
        ? 'catalog'
        : req.method === 'POST' && url.pathname === '/api/session'
          ? 'session'
          : req.method === 'POST' && url.pathname === '/api/orders'
            ? 'create'
            : req.method === 'GET' && match && !match[2]
              ? 'get'
              : req.method === 'POST' && match?.[2] === '/confirm'
                ? 'confirm'
                : req.method === 'POST' && match?.[2] === '/cancel'
                  ? 'cancel'
                  : null;
    if (!route) return notFound(res);

    const answer = takeInjected(route);
    if (answer === 'hang') {
      hanging.add(res);
      return;
    }
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    if (answer) return send(res, answer.status, answer.body);

    if (route === 'catalog') return send(res, 200, { products });
    if (route === 'session') {
      if (!sessionToken) return notFound(res);
      const buyer = (body as { authCode?: unknown } | undefined)?.authCode ? 'wallet' : 'guest';
      return send(res, 200, { token: sessionToken, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), buyer });
    }
    if (sessionToken && req.headers.authorization !== `Bearer ${sessionToken}`) {
      return send(res, 401, { error: { code: 'UNAUTHORIZED', message: 'session required' } });
    }
    if (route === 'create') {
      const order = createOrder(body, req.headers['idempotency-key'] as string | undefined);
      if (!order) return send(res, 400, { error: { code: 'INVALID_ITEMS', message: 'unknown sku or bad quantity' } });
      return send(res, 201, { order, payment: { type: 'tradePay', orderStr: `fake-order-str:${order.id}` } });
    }
    const order = orders.get(decodeURIComponent(match?.[1] ?? ''));
    if (!order) return notFound(res);
    if (route === 'confirm') return send(res, 200, { order: query(order) });
    if (route === 'cancel') {
      // Like the BFF: the gateway is asked first; only an unpaid order closes.
      const known = query(order);
      if (known.status !== 'PENDING') return send(res, 409, { error: { code: 'ORDER_NOT_CANCELLABLE', message: known.status } });
      const cancelled: OrderView = { ...known, status: 'CANCELLED', updatedAt: new Date().toISOString() };
      orders.set(order.id, cancelled);
      return send(res, 200, { order: cancelled });
    }
    const plan = plans.get(order.id);
    if (plan) plan.afterGets -= 1;
    return send(res, 200, { order: query(order) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { error: { code: 'INTERNAL', message: error.message } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    orders,
    settle(orderId, status, afterGets = 0) {
      plans.set(orderId, { status, afterGets });
    },
    inject(route, answer, times = 1) {
      injected.set(route, { answer, times });
    },
    enableSessions(token) {
      sessionToken = token;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The order id inside a fake orderStr (`fake-order-str:<id>`). */
export function orderIdOf(orderStr: string): string {
  const id = orderStr.split(':')[1];
  if (!id) throw new Error(`not a fake orderStr: ${orderStr}`);
  return id;
}
