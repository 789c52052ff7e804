import { formatMoney, type Amount, type OrderStatus, type Product } from '@tradepay/shared';
import type { ApiError } from '../api/errors';
import { fill, type Messages } from '../i18n';
import type { PanelTone } from './status-panel';

export function amountText(amount: Amount): string {
  return formatMoney(Number(amount.value), amount.currency);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * "2025-11-22 18:05" in the device's time zone. The offset (minutes east of UTC) is passed in, so the
 * mapper stays pure; empty for a missing or unparsable timestamp.
 */
export function formatDateTime(iso: string | null | undefined, offsetMinutes: number): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms + offsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Minutes east of UTC at `now` (Date#getTimezoneOffset is minutes west). */
export function localOffsetMinutes(now: number): number {
  return -new Date(now).getTimezoneOffset();
}

export function statusTone(status: OrderStatus): PanelTone {
  switch (status) {
    case 'SUCCEEDED':
      return 'success';
    case 'PENDING':
      return 'warning';
    case 'FAILED':
      return 'error';
    default:
      return 'muted';
  }
}

/** A plain text for the shopper: known BFF codes have their own; the code itself goes in small print (`describeApiErrorCode`). */
export function describeApiError(error: ApiError | undefined, t: Messages): string {
  if (!error) return t.errors.network;
  switch (error.kind) {
    case 'timeout':
      return t.errors.timeout;
    case 'bad-response':
      return t.errors.badResponse;
    case 'sign-in':
      return t.errors.signIn;
    // An HTTP error whose status the platform did not report: the shop answered, with a problem.
    case 'http-unknown':
      return t.errors.server;
    case 'http':
      if (error.code && t.codes[error.code]) return t.codes[error.code] as string;
      return (error.status ?? 500) >= 500 ? t.errors.server : t.errors.rejected;
    default:
      return t.errors.network;
  }
}

/** The small print under an error text: "Code: UNKNOWN_SKU" (or the HTTP status); empty when there is none. */
export function describeApiErrorCode(error: ApiError | undefined, t: Messages): string {
  if (!error || (error.kind !== 'http' && error.kind !== 'http-unknown')) return '';
  const code = error.code ?? (error.status !== undefined ? String(error.status) : '');
  return code ? fill(t.errors.code, { code }) : '';
}

/** The catalog's Traditional Chinese title for a Chinese reader, when it has one. */
export function productTitle(product: Pick<Product, 'title' | 'titleZh'>, t: Messages): string {
  return t.chineseTitles && product.titleZh ? product.titleZh : product.title;
}
