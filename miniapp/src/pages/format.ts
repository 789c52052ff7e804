import { formatMoney, type Amount, type OrderStatus } from '@tradepay/shared';
import type { PanelTone } from './checkout/view';

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
