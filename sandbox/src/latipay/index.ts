/**
 * The sandbox's Latipay (docs/protocols/latipay.md), wired in one call so `app.ts` stays a list of parts:
 * the gateway domain, its callbacks, its routes, and the wallet's handling of a Latipay orderStr.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TradePayOutcome } from '../ledger';
import { createLatipayCallbacks, type LatipayCallbackDeps } from './callbacks';
import { createLatipayGateway, type LatipayGateway } from './gateway';
import { createLatipayRoutes } from './routes';

/** What the callbacks need, and the held calls the routes add to (released when the app closes). */
export interface LatipayDeps extends LatipayCallbackDeps {
  holds: Set<() => void>;
}

export interface Latipay {
  gateway: LatipayGateway;
  routes: FastifyPluginAsync;
  /** What the wallet does with an orderStr that is not an AlipayHK envelope. */
  tradePay(orderStr: string, outcome: TradePayOutcome): { resultCode: string; memo?: string };
  /** Aborts in-flight callbacks (timers are cleared by their owner). */
  stop(): void;
}

export function createLatipay(deps: LatipayDeps): Latipay {
  const callbacks = createLatipayCallbacks(deps);
  const gateway = createLatipayGateway({ ...deps, callbacks });
  return {
    gateway,
    routes: createLatipayRoutes({ gateway, ledger: deps.ledger, control: deps.control, holds: deps.holds }),
    tradePay(orderStr, outcome) {
      deps.ledger.countCall('tradePay');
      return gateway.tradePay(orderStr, outcome);
    },
    stop: () => callbacks.stop(),
  };
}

export { buildCallbackBody, formatPayTime } from './callbacks';
export { LATIPAY_ERRORS, SANDBOX_LATIPAY_CURRENCY, SANDBOX_LATIPAY_USER_ID, SANDBOX_LATIPAY_WALLET_ID } from './config';
export { latipayRequestMessage, signLatipayRequest, signLatipayResult, latipaySignaturesEqual } from './hmac';
export type { LatipayCallback, LatipayPayment, LatipayRefund, LatipaySnapshot } from './ledger';
