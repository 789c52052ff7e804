/** Order statuses of contract v1. */
export const ORDER_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses after which no payment outcome can change the order any more (refunds aside). */
export const FINAL_STATUSES: readonly OrderStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

export function isFinalStatus(status: OrderStatus): boolean {
  return status !== 'PENDING';
}

/** Statuses that mean "the buyer paid" (refunds only subtract from a paid order). */
export function isPaidStatus(status: OrderStatus): boolean {
  return status === 'SUCCEEDED' || status === 'PARTIALLY_REFUNDED' || status === 'REFUNDED';
}

/**
 * The allowed transitions. Terminal states never regress: once paid, only refunds move an order;
 * FAILED and CANCELLED never become paid through this table (a late payment is refunded instead).
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  FAILED: [],
  CANCELLED: [],
  REFUNDED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
