/**
 * `POST /sandbox/wallet/tradePay` `{orderStr, outcome?}` → `{resultCode}`: what the AlipayHK app does
 * when a mini program calls `my.tradePay`. A refused orderStr answers HTTP 400 with resultCode 4000.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Acquiring } from '../alipayhk/acquiring';
import { ALIPAYHK_FUNCTIONS } from '../alipayhk/functions';
import type { RsaKey } from '../alipayhk/rsa-key';
import { SandboxInputError } from '../errors';
import type { Ledger } from '../ledger';
import { parseCashierOrder, parseTradePayRequest } from './parse-trade-pay';

export interface WalletDeps {
  ledger: Ledger;
  acquiring: Acquiring;
  clientId: string;
  merchantId: string;
  merchantKey: RsaKey;
}

export function createWalletRoutes(deps: WalletDeps): FastifyPluginAsync {
  return async (scope) => {
    scope.post('/sandbox/wallet/tradePay', async (request, reply) => {
      try {
        const { orderStr, outcome } = parseTradePayRequest(request.body);
        // The app hands the orderStr to the gateway's cashier: count it as that function's call.
        deps.ledger.countCall(ALIPAYHK_FUNCTIONS.cashierPay);
        const order = parseCashierOrder(orderStr, deps);
        const result = deps.acquiring.tradePay(order, outcome);
        return reply.send(result.memo === undefined ? { resultCode: result.resultCode } : { resultCode: result.resultCode, memo: result.memo });
      } catch (error) {
        if (!(error instanceof SandboxInputError)) throw error;
        return reply.code(400).send({ resultCode: '4000', error: error.code, message: error.message });
      }
    });
  };
}
