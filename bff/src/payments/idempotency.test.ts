import { describe, expect, it } from 'vitest';
import { idempotencyClaim, idempotencyOutcome, idempotencyScope, requestHash } from './idempotency';

describe('idempotency', () => {
  const hash = requestHash({ items: [{ sku: 'a', quantity: 1 }] });

  it('hashes a request stably and tells different requests apart', () => {
    expect(requestHash({ items: [{ sku: 'a', quantity: 1 }] })).toBe(hash);
    expect(requestHash({ items: [{ sku: 'a', quantity: 2 }] })).not.toBe(hash);
  });

  it('scopes keys per kind and owner', () => {
    expect(idempotencyScope('create-order', 'anonymous')).toBe('create-order:anonymous');
    expect(idempotencyScope('agreement-charge', 'alipayhk:2088')).toBe('agreement-charge:alipayhk:2088');
    expect(idempotencyScope('refund', 'ord_1')).toBe('refund:ord_1');
    expect(idempotencyClaim('refund:ord_1', 'k', hash)).toEqual({ scope: 'refund:ord_1', key: 'k', requestHash: hash });
  });

  it('an unclaimed key is new', () => {
    expect(idempotencyOutcome(null, hash)).toEqual({ kind: 'new' });
  });

  it('the same key with a different request is a conflict, even when an answer is stored', () => {
    expect(idempotencyOutcome({ requestHash: 'other', responseStatus: 201, responseBody: '{}' }, hash)).toEqual({ kind: 'conflict' });
  });

  it('a stored final answer is replayed as it was', () => {
    expect(idempotencyOutcome({ requestHash: hash, responseStatus: 201, responseBody: '{"order":{"id":"o1"}}' }, hash)).toEqual({
      kind: 'replay',
      statusCode: 201,
      body: { order: { id: 'o1' } },
    });
  });

  it('a claim without a final answer is unfinished (a refund claim holds status 0 and its refund id)', () => {
    expect(idempotencyOutcome({ requestHash: hash, responseStatus: null, responseBody: null }, hash)).toEqual({ kind: 'unfinished' });
    expect(idempotencyOutcome({ requestHash: hash, responseStatus: 0, responseBody: '{"refundId":"rf_1"}' }, hash)).toEqual({
      kind: 'unfinished',
    });
  });
});
