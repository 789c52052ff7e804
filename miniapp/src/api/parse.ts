/**
 * Light checks of what the BFF returns: enough that the UI never renders `undefined` and never mistakes
 * an unknown status for a known one. The BFF's own TypeBox schemas are the full contract; they are not
 * bundled here (TypeBox would triple the size of every page).
 */
import {
  ORDER_STATUSES,
  isAgreementStatus,
  isCurrency,
  type AgreementView,
  type CatalogResponse,
  type CreateAgreementResponse,
  type CreateOrderResponse,
  type OrderStatus,
  type OrderView,
} from '@tradepay/shared';
import { ApiError } from './errors';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(what: string): never {
  throw new ApiError('bad-response', `unexpected response from the BFF: ${what}`);
}

function isAmount(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.currency === 'string' &&
    isCurrency(value.currency) &&
    typeof value.value === 'string' &&
    /^(0|[1-9][0-9]*)$/.test(value.value)
  );
}

function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

export function parseOrder(value: unknown): OrderView {
  if (!isObject(value)) fail('order is not an object');
  if (typeof value.id !== 'string' || value.id === '') fail('order.id');
  if (!isOrderStatus(value.status)) fail(`order.status ${String(value.status)}`);
  if (!isAmount(value.amount)) fail('order.amount');
  if (!Array.isArray(value.items)) fail('order.items');
  return value as unknown as OrderView;
}

export function parseOrderResponse(body: unknown): OrderView {
  if (!isObject(body)) fail('body is not an object');
  return parseOrder(body.order);
}

export function parseCreateOrderResponse(body: unknown): CreateOrderResponse {
  if (!isObject(body)) fail('body is not an object');
  const order = parseOrder(body.order);
  const payment = body.payment;
  if (!isObject(payment)) fail('payment');
  if (payment.type === 'tradePay' && typeof payment.orderStr === 'string' && payment.orderStr !== '') {
    return { order, payment: { type: 'tradePay', orderStr: payment.orderStr } };
  }
  if (payment.type === 'redirect' && typeof payment.url === 'string') {
    return { order, payment: { type: 'redirect', url: payment.url } };
  }
  return fail(`payment.type ${String(payment.type)}`);
}

export function parseCatalogResponse(body: unknown): CatalogResponse {
  if (!isObject(body) || !Array.isArray(body.products)) fail('products');
  for (const product of body.products as unknown[]) {
    if (
      !isObject(product) ||
      typeof product.sku !== 'string' ||
      typeof product.title !== 'string' ||
      (product.titleZh !== undefined && typeof product.titleZh !== 'string') ||
      !isAmount(product.price)
    ) {
      fail('product');
    }
  }
  return body as unknown as CatalogResponse;
}

/** `{error:{code,message}}` of contract v1, when the body has that shape. */
export function parseErrorBody(body: unknown): { code?: string; message?: string } {
  if (isObject(body) && isObject(body.error)) {
    const { code, message } = body.error;
    return { code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : undefined };
  }
  return {};
}

export function parseAgreement(value: unknown): AgreementView {
  if (!isObject(value)) fail('agreement is not an object');
  if (typeof value.id !== 'string' || value.id === '') fail('agreement.id');
  if (!isAgreementStatus(value.status)) fail(`agreement.status ${String(value.status)}`);
  if (!isAmount(value.dailyLimit) || !isAmount(value.chargedToday)) fail('agreement amounts');
  return value as unknown as AgreementView;
}

export function parseAgreementResponse(body: unknown): AgreementView {
  if (!isObject(body)) fail('body is not an object');
  return parseAgreement(body.agreement);
}

export function parseAgreementList(body: unknown): AgreementView[] {
  if (!isObject(body) || !Array.isArray(body.agreements)) fail('agreements');
  return (body.agreements as unknown[]).map(parseAgreement);
}

export function parseCreateAgreementResponse(body: unknown): CreateAgreementResponse {
  if (!isObject(body)) fail('body is not an object');
  const agreement = parseAgreement(body.agreement);
  if (typeof body.authUrl !== 'string' || !/^https?:\/\//.test(body.authUrl)) fail('authUrl');
  return { agreement, authUrl: body.authUrl };
}
