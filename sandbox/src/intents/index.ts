/**
 * The payment-intents aggregator of seed 001, as a sandbox: merchant API, hosted cashier page and
 * webhooks. `buildSandbox` registers it beside the AlipayHK gateway.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
import type { Timers } from '../timers';
import { createIntentsApiRoutes } from './api-routes';
import { createCashierRoutes } from './cashier';
import type { IntentsLedger } from './ledger';
import { createIntentsNotifier } from './notifier';

export interface IntentsSandboxDeps {
  ledger: IntentsLedger;
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  apiKey: string;
  holds: Set<() => void>;
  random: () => number;
}

export interface IntentsSandbox {
  routes: FastifyPluginAsync;
  /** Forgets every access token (a sandbox reset): the merchant must fetch a new one. */
  reset(): void;
  /** Aborts in-flight webhook deliveries (timers are cleared by their owner). */
  stop(): void;
}

export function createIntentsSandbox(deps: IntentsSandboxDeps): IntentsSandbox {
  const tokens = new Map<string, number>();
  const notifier = createIntentsNotifier({
    ledger: deps.ledger,
    control: deps.control,
    clock: deps.clock,
    timers: deps.timers,
    apiKey: deps.apiKey,
    random: deps.random,
  });
  const api = createIntentsApiRoutes({
    ledger: deps.ledger,
    control: deps.control,
    clock: deps.clock,
    notifier,
    apiKey: deps.apiKey,
    tokens,
    holds: deps.holds,
  });
  const cashier = createCashierRoutes({ ledger: deps.ledger, clock: deps.clock, notifier });
  return {
    routes: async (scope) => {
      await scope.register(api);
      await scope.register(cashier);
    },
    reset: () => tokens.clear(),
    stop: () => notifier.stop(),
  };
}

export { INTENTS_PATHS, INTENTS_SIGNATURE_HEADER, SANDBOX_INTENTS_MERCHANT_ID, INTENTS_CODES } from './paths';
export { INTENTS_RETRY_DELAYS_MS } from './notifier';
export { signIntentsWebhook } from './webhook-signature';
export type { IntentsLedgerSnapshot, LedgerIntent, LedgerIntentRefund, LedgerWebhook } from './ledger';
