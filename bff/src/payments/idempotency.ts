/**
 * One Idempotency-Key rule for orders, auto-debit charges and refunds: the request hash, the claim a
 * first attempt stores, and what an earlier claim means for a request under the same key. The store
 * persists claims and answers; this module only decides.
 */
import { createHash } from 'node:crypto';

/** The scopes keys live in: one per kind of request, and per owner (buyer or order). */
export type IdempotencyKind = 'create-order' | 'agreement-charge' | 'refund';

/** A key claimed for one request: `scope` + `key` identify it, `requestHash` tells a retry from a different request. */
export interface IdempotencyClaimOf {
  scope: string;
  key: string;
  requestHash: string;
}

/** What the store holds for a claimed key. */
export interface StoredIdempotency {
  requestHash: string;
  responseStatus: number | null;
  responseBody: string | null;
}

/**
 * A claimed key's meaning for this request:
 * - `conflict`: the key was used with a different request (IDEMPOTENCY_KEY_REUSED);
 * - `replay`: the first attempt's final answer, to send again;
 * - `unfinished`: claimed, no final answer yet (the service finishes the same work, never a second one).
 * An unclaimed key is `new`.
 */
export type IdempotencyOutcome<Body = unknown> =
  { kind: 'new' } | { kind: 'conflict' } | { kind: 'replay'; statusCode: number; body: Body } | { kind: 'unfinished' };

/** A stable hash of what the caller asked for, to tell a retry from a different request. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export function idempotencyScope(kind: IdempotencyKind, owner: string): string {
  return `${kind}:${owner}`;
}

export function idempotencyClaim(scope: string, key: string, hash: string): IdempotencyClaimOf {
  return { scope, key, requestHash: hash };
}

/** `Body`: the shape the caller stored (a stored answer is the caller's own JSON). */
export function idempotencyOutcome<Body = unknown>(existing: StoredIdempotency | null | undefined, hash: string): IdempotencyOutcome<Body> {
  if (!existing) return { kind: 'new' };
  if (existing.requestHash !== hash) return { kind: 'conflict' };
  if (existing.responseStatus !== null && existing.responseStatus > 0 && existing.responseBody !== null && existing.responseBody !== '') {
    return { kind: 'replay', statusCode: existing.responseStatus, body: JSON.parse(existing.responseBody) as Body };
  }
  return { kind: 'unfinished' };
}
