/**
 * The order service: server-side pricing, idempotent creation, and the only code that moves an
 * order's status — from verified gateway evidence, never from what a client says. Its answers are
 * outcomes (outcomes.ts); routes map the refusals to HTTP.
 *
 * One job a file: order-creation.ts (createOrder), order-checks.ts (getOrder, confirm, cancel, the
 * reconciler's query), order-evidence.ts (verified evidence applied: notifications, queries, agreement.pay);
 * order-context.ts holds what they share. This file composes them.
 */
import { createOrderChecks } from './order-checks';
import { createOrderContext, type OrderServiceOptions } from './order-context';
import { createOrderCreation } from './order-creation';
import { createOrderEvidence } from './order-evidence';

export { toChannelOrder, toOrderView } from './order-views';
export type { OrderServiceOptions } from './order-context';
export type { CreateOrderInput, CreateOrderResult } from './order-creation';

export function createOrderService(options: OrderServiceOptions) {
  const ctx = createOrderContext(options);
  const evidence = createOrderEvidence(ctx);
  const checks = createOrderChecks(ctx, evidence);
  return {
    ...createOrderCreation(ctx),
    ...checks,
    acceptNotification: evidence.acceptNotification,
    /**
     * Applies a signed answer that states a payment directly (an auto-debit's agreement.pay): checked
     * against the order like every other evidence (merchant, transaction id, amount, currency).
     */
    applyPaidEvidence: evidence.applyPaid,
  };
}

export type OrderService = ReturnType<typeof createOrderService>;
