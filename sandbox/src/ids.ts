import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { beijingDate } from './clock';

function digits(count: number): string {
  let text = '';
  while (text.length < count) text += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return text.slice(0, count);
}

/** 28 digits, `yyyyMMdd` (Beijing) + 20 random digits, shaped like AlipayHK's acquirementId. */
export function newAcquirementId(nowMs: number): string {
  return beijingDate(nowMs) + digits(20);
}

/** Same shape as acquirement ids, different space (the ledger keeps both unique). */
export function newRefundId(nowMs: number): string {
  return beijingDate(nowMs) + digits(20);
}

/** A UUID without dashes: unique per system message, as AlipayHK expects of `reqMsgId`. */
export function newReqMsgId(): string {
  return randomUUID().replace(/-/g, '');
}

/** 16 digits starting `2188`, shaped like an AlipayHK user id (the buyer's `customerId`). */
export function newCustomerId(): string {
  return '2188' + digits(12);
}

/**
 * An unguessable opaque value (authCode, token, auth-page id): `prefix` + base64url of `bytes` random
 * bytes. URL- and JSON-safe as is.
 */
export function newSecret(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}
