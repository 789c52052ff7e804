/**
 * What the AlipayHK app does for a mini program:
 * - `POST /sandbox/wallet/tradePay` `{orderStr, outcome?}` → `{resultCode}` (`my.tradePay`); a refused
 *   orderStr answers HTTP 400 with resultCode 4000;
 * - `POST /sandbox/wallet/authCode` `{customerId?, scopes?}` → `{authCode}` (`my.getAuthCode`);
 * - `POST /sandbox/wallet/signContract` `{signStr, decision?, customerId?}` → `{authCode, authState}`, or
 *   `{error: '6001', errMessage}` when the shopper declines (`my.signContract`, the auto-debit consent
 *   inside the app: https://miniprogram.alipay.com/docs-alipayconnect/miniprogram_alipayconnect/mpdev/api_openapi_signcontract).
 * - `POST /sandbox/wallet/agreements/:merchantAgreementId/unbind` → the user unbinds in the app: the
 *   agreement is cancelled and notify.cancel goes to the registered cancel notify URL.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Acquiring } from '../alipayhk/acquiring';
import { ALIPAYHK_FUNCTIONS } from '../alipayhk/functions';
import type { AuthDecision, Oauth } from '../alipayhk/oauth';
import { CUSTOMER_ID_PATTERN } from '../alipayhk/oauth';
import type { RsaKey } from '../alipayhk/rsa-key';
import { SandboxInputError } from '../errors';
import { readObject, readString, readStringArray, rejectUnknownKeys } from '../input';
import type { Ledger, TradePayOutcome } from '../ledger';
import { parseCashierOrder, parseTradePayRequest } from './parse-trade-pay';

export interface WalletDeps {
  ledger: Ledger;
  acquiring: Acquiring;
  oauth: Oauth;
  clientId: string;
  merchantId: string;
  merchantKey: RsaKey;
  /** Pays a Latipay orderStr (`k=v&…` Alipay parameters); an orderStr starting with `{` is AlipayHK's. */
  latipay?: { tradePay(orderStr: string, outcome: TradePayOutcome): { resultCode: string; memo?: string } };
}

export interface AuthCodeRequest {
  customerId?: string;
  scopes?: string[];
}

/** `{customerId?, scopes?}` (no body = `{}`); unknown fields are refused. */
export function parseAuthCodeRequest(input: unknown): AuthCodeRequest {
  const body = readObject(input ?? {}, 'body');
  rejectUnknownKeys(body, ['customerId', 'scopes'], 'body');
  const customerId = readString(body, 'customerId', 'body', { max: 64, optional: true });
  if (customerId !== undefined && !CUSTOMER_ID_PATTERN.test(customerId)) {
    throw new SandboxInputError('BAD_REQUEST', 'body.customerId may hold letters, digits, "_" and "-" only');
  }
  const scopes = readStringArray(body, 'scopes', 'body', { optional: true });
  return { ...(customerId !== undefined && { customerId }), ...(scopes !== undefined && { scopes }) };
}

export interface SignContractRequest {
  /** The authorisation URL the merchant got from prepareForRedirect (its `authId` names the request). */
  signStr: string;
  decision: AuthDecision;
  customerId?: string;
}

/** `{signStr, decision?, customerId?}`; unknown fields are refused. */
export function parseSignContractRequest(input: unknown): SignContractRequest {
  const body = readObject(input ?? {}, 'body');
  rejectUnknownKeys(body, ['signStr', 'decision', 'customerId'], 'body');
  const signStr = readString(body, 'signStr', 'body', { max: 4096 }) as string;
  const decision = readString(body, 'decision', 'body', { max: 16, optional: true }) ?? 'agree';
  if (decision !== 'agree' && decision !== 'decline') throw new SandboxInputError('BAD_REQUEST', 'body.decision must be agree or decline');
  const customerId = readString(body, 'customerId', 'body', { max: 64, optional: true });
  if (customerId !== undefined && !CUSTOMER_ID_PATTERN.test(customerId)) {
    throw new SandboxInputError('BAD_REQUEST', 'body.customerId may hold letters, digits, "_" and "-" only');
  }
  return { signStr, decision, ...(customerId !== undefined && { customerId }) };
}

/** The `authId` inside a signStr (the sandbox's authorisation URL), or null. */
function authIdOf(signStr: string): string | null {
  try {
    return new URL(signStr).searchParams.get('authId');
  } catch {
    return null;
  }
}

export function createWalletRoutes(deps: WalletDeps): FastifyPluginAsync {
  return async (scope) => {
    scope.post('/sandbox/wallet/tradePay', async (request, reply) => {
      try {
        const { orderStr, outcome } = parseTradePayRequest(request.body);
        if (deps.latipay && !orderStr.trimStart().startsWith('{')) {
          const paid = deps.latipay.tradePay(orderStr, outcome);
          return reply.send(paid.memo === undefined ? { resultCode: paid.resultCode } : { resultCode: paid.resultCode, memo: paid.memo });
        }
        // The app hands the orderStr to the gateway's cashier: count it as that function's call.
        deps.ledger.countCall(ALIPAYHK_FUNCTIONS.cashierPay);
        const order = parseCashierOrder(orderStr, deps);
        const result = deps.acquiring.tradePay(order, outcome);
        return reply.send(
          result.memo === undefined ? { resultCode: result.resultCode } : { resultCode: result.resultCode, memo: result.memo },
        );
      } catch (error) {
        if (!(error instanceof SandboxInputError)) throw error;
        return reply.code(400).send({ resultCode: '4000', error: error.code, message: error.message });
      }
    });

    // Bad input throws SandboxInputError: the app's error handler answers 400 {error, message}.
    scope.post('/sandbox/wallet/authCode', async (request) => ({
      authCode: deps.oauth.walletAuthCode(parseAuthCodeRequest(request.body)),
    }));

    // The same decision as the consent page's forms, answered the way my.signContract answers the mini
    // program: success `{authCode, authState}`, fail `{error, errMessage}` with `error` a String
    // (api_openapi_signcontract above). The wallet's redirect is not followed: the app hands the code back.
    scope.post('/sandbox/wallet/signContract', async (request, reply) => {
      const { signStr, decision, customerId } = parseSignContractRequest(request.body);
      const authId = authIdOf(signStr);
      if (!authId) throw new SandboxInputError('BAD_REQUEST', 'body.signStr is not an authorisation URL of this sandbox');
      const result = deps.oauth.decide(authId, decision, customerId);
      if (!result.ok)
        return reply
          .code(result.reason === 'NOT_FOUND' ? 404 : 409)
          .send({ error: result.reason, message: 'no such authorisation request, or already decided otherwise' });
      if (decision === 'decline') return { error: '6001', errMessage: 'user cancelled' };
      // The redirect's code is `auth_code` (docs.alipay.hk hk_auto_debit/prepare; older sandboxes said `authCode`).
      const back = new URL(result.location).searchParams;
      return { authCode: back.get('auth_code') ?? back.get('authCode'), authState: back.get('state') };
    });

    scope.post<{ Params: { merchantAgreementId: string } }>(
      '/sandbox/wallet/agreements/:merchantAgreementId/unbind',
      async (request, reply) => {
        const result = deps.oauth.cancelAgreement(request.params.merchantAgreementId);
        if (!result.ok) return reply.code(404).send({ error: result.code, message: `no agreement ${request.params.merchantAgreementId}` });
        return { merchantAgreementId: result.value.merchantAgreementId, status: result.value.status };
      },
    );
  };
}
