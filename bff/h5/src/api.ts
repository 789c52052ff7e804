/**
 * The BFF as the H5 pages use it: same origin, JSON, a guest session kept in sessionStorage (it
 * survives the trip to the wallet and back in the same tab, and nothing longer).
 */
import type { CatalogResponse, CreateOrderResponse, H5Wallet, OrderResponse, SessionResponse } from '@tradepay/shared';

const SESSION_KEY = 'tradepay.h5.session';
/** A session this close to expiry is replaced before an order is created with it. */
const SESSION_MARGIN_MS = 5 * 60_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

async function call<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? 'HTTP_ERROR';
    throw new ApiError(response.status, code);
  }
  return body as T;
}

interface StoredSession {
  token: string;
  expiresAt: string;
}

function readSession(): StoredSession | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as StoredSession | null;
    return stored && typeof stored.token === 'string' && typeof stored.expiresAt === 'string' ? stored : null;
  } catch {
    return null;
  }
}

/** The token the return page needs; null when this tab never made the order. */
export function currentToken(): string | null {
  return readSession()?.token ?? null;
}

export async function ensureSession(): Promise<string> {
  const stored = readSession();
  if (stored && Date.parse(stored.expiresAt) - Date.now() > SESSION_MARGIN_MS) return stored.token;
  const fresh = await call<SessionResponse>('/api/session', { method: 'POST', body: {} });
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: fresh.token, expiresAt: fresh.expiresAt } satisfies StoredSession));
  return fresh.token;
}

export function getCatalog(): Promise<CatalogResponse> {
  return call<CatalogResponse>('/api/catalog');
}

/** One x-request-id per payment attempt (the BFF logs it on every line), kept for the return page. */
const requestIdKey = (orderId: string) => `tradepay.h5.request.${orderId}`;
function requestIdHeader(orderId: string): Record<string, string> {
  const id = sessionStorage.getItem(requestIdKey(orderId));
  return id ? { 'x-request-id': id } : {};
}

export async function createOrder(
  token: string,
  body: { items: { sku: string; quantity: number }[]; wallet: H5Wallet },
  idempotencyKey: string,
): Promise<CreateOrderResponse> {
  const requestId = `h5-${idempotencyKey}`;
  const created = await call<CreateOrderResponse>('/api/orders', {
    method: 'POST',
    token,
    body: { ...body, channel: 'h5' },
    headers: { 'idempotency-key': idempotencyKey, 'x-request-id': requestId },
  });
  sessionStorage.setItem(requestIdKey(created.order.id), requestId);
  return created;
}

export function getOrder(token: string, id: string): Promise<OrderResponse> {
  return call<OrderResponse>(`/api/orders/${encodeURIComponent(id)}`, { token, headers: requestIdHeader(id) });
}

export function confirmOrder(token: string, id: string, resultCode: string): Promise<OrderResponse> {
  return call<OrderResponse>(`/api/orders/${encodeURIComponent(id)}/confirm`, {
    method: 'POST',
    token,
    body: { resultCode },
    headers: requestIdHeader(id),
  });
}

/** 128 random bits as hex; crypto.getRandomValues works on plain-http origins too (randomUUID does not). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
