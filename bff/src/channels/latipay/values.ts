/** The Latipay channel's configuration and the wire values it reads: the shopper IP, `pay_time`, the raw `amount`. */
import { parse as parseLosslessJson } from 'lossless-json';
import type { Currency } from '@tradepay/shared';

export interface LatipayChannelConfig {
  gatewayUrl: string;
  /** Latipay `user_id` (the merchant account): our merchant identity in evidence. */
  userId: string;
  walletId: string;
  apiKey: string;
  /** The currency the wallet settles in: the create call carries no currency, the wallet decides. */
  currency: Currency;
  /** `${PUBLIC_URL}/notify/latipay` */
  callbackUrl: string;
  timeoutMs: number;
  /**
   * The zone of `pay_time`, printed without an offset (`2017-07-07 10:53:50`): Latipay's pages say
   * both "UTC as default timezone" and "UTC/GMT+08:00" (docs/protocols/latipay.md). Default UTC.
   */
  payTimeZone?: LatipayPayTimeZone;
  /**
   * A refund whose outcome is unknown: `hold` (default) never sends it again (`reference` is only a
   * note, https://doc.latipay.net/v2/latipay-hosted-online.html); `resend` sends it again, for an
   * account seen to answer `562` "This refund request has been done" to a repeat.
   */
  refundResend?: LatipayRefundResend;
}

export type LatipayPayTimeZone = 'UTC' | '+08:00';
export type LatipayRefundResend = 'hold' | 'resend';

/** Latipay wants the shopper's IPv4 address (`String(16)`): unwrap IPv4-mapped IPv6 and loopback. */
export function toLatipayIp(clientIp: string): string {
  const ip = clientIp.trim();
  if (ip === '::1') return '127.0.0.1';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/**
 * `pay_time` as documented, `2017-07-07 10:53:50` with no offset, read in the configured zone; a time
 * that carries its own offset keeps it. Anything else is no time at all (null), never a guess.
 */
export function toPayTime(text: string | undefined, zone: LatipayPayTimeZone = 'UTC'): string | null {
  if (!text) return null;
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text.trim());
  const iso = plain ? `${plain[1]}T${plain[2]}${zone === 'UTC' ? 'Z' : zone}` : /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : null;
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The query answer's `amount` as it stands in the raw body: Latipay prints a JSON number (`120.00`)
 * and signs its text (`…NZD120.00`); `JSON.parse` would make it `120`. Strings pass as they are.
 */
export function rawAmountOf(raw: string): string | undefined {
  try {
    const body = parseLosslessJson(raw, null, (text: string) => ({ numberText: text })) as Record<string, unknown> | null;
    const amount = body?.amount;
    if (typeof amount === 'string') return amount;
    if (amount !== null && typeof amount === 'object' && 'numberText' in amount) return String(amount.numberText);
  } catch {
    // not JSON: the client has already refused it
  }
  return undefined;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
