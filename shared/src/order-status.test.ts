import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, canTransition, isFinalStatus, isPaidStatus } from './order-status';

describe('order status transitions', () => {
  it('lets a pending order end in exactly one way', () => {
    expect(canTransition('PENDING', 'SUCCEEDED')).toBe(true);
    expect(canTransition('PENDING', 'FAILED')).toBe(true);
    expect(canTransition('PENDING', 'CANCELLED')).toBe(true);
    expect(canTransition('PENDING', 'REFUNDED')).toBe(false);
  });

  it('never lets a terminal state regress or a closed order become paid', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_STATUSES), { maxLength: 12 }), (steps) => {
        let status: (typeof ORDER_STATUSES)[number] = 'PENDING';
        let paid = false;
        for (const next of steps) {
          if (!canTransition(status, next)) continue;
          if (isPaidStatus(status)) expect(isPaidStatus(next)).toBe(true);
          if (status === 'FAILED' || status === 'CANCELLED') throw new Error('closed orders have no way out');
          status = next;
          paid ||= isPaidStatus(status);
        }
        if (paid) expect(isPaidStatus(status)).toBe(true);
        if (status !== 'PENDING') expect(isFinalStatus(status)).toBe(true);
      }),
    );
  });
});
