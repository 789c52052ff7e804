/**
 * Auto-debit: bind a wallet (an agreement), charge it without the shopper, unbind.
 *
 * Binding (wallet buyers only): a PENDING agreement with an unguessable `state` (only its SHA-256 is
 * stored) → the wallet's consent page → the wallet hands back `auth_code`/`authCode`, `state`,
 * `merchantAgreementId` → the state must match that PENDING agreement (else nothing changes) → the
 * authCode is exchanged → the grant must be this agreement and the wallet user the buyer → the token
 * pair is sealed (AES-256-GCM) and the agreement is ACTIVE (see `completeBinding`).
 *
 * Charging: an order priced by the server, linked to the agreement, inserted only if the agreement is
 * the buyer's, ACTIVE, and the day's charges stay under the cap (one transaction) → `agreement.pay`
 * with the access token (refreshed first when it is about to expire, or once when the wallet says it
 * has) → the signed answer is the evidence, checked like any other; a refusal fails the order; an
 * unknown outcome leaves it PENDING for confirm and the reconciler (payQuery), like every order.
 *
 * Tokens are opened only to be sent to the wallet; they are never logged and never leave in a response.
 *
 * One job a file: binding.ts (prepare, completeBinding, endByWallet, revoke), tokens.ts (seal/open,
 * refresh), charges.ts (charge with the daily cap, idempotency); this file composes them.
 */
import type { AgreementView } from '@tradepay/shared';
import { GatewayUnknownError } from '../../errors';
import { AGREEMENT_GONE_CODES, known } from '../agreement-gateway';
import type { GatewayCall } from '../channel';
import { createAgreementBinding } from './binding';
import { createAgreementCharges } from './charges';
import { createAgreementContext, hongKongDay, type AgreementServiceOptions } from './context';
import { createAgreementTokens } from './tokens';
import { ok, type AgreementRefusal, type Outcome } from '../outcomes';

export { USER_DECLINED, type BindingReturn, type BindingStart, type ReturnOutcome } from './binding';
export { type ChargeResult } from './charges';
export { HONG_KONG_OFFSET_MS, hongKongDay, type AgreementServiceOptions } from './context';

export function createAgreementService(options: AgreementServiceOptions) {
  const ctx = createAgreementContext(options);
  const { store, now, own, end, view } = ctx;
  const statusMaxAgeMs = options.statusMaxAgeMs ?? 60_000;
  const tokens = createAgreementTokens(ctx);
  const binding = createAgreementBinding(ctx, tokens);
  const charges = createAgreementCharges(ctx, tokens);

  return {
    hongKongDay,
    ...binding,
    ...charges,

    async list(buyerId: string): Promise<AgreementView[]> {
      const agreements = await store.listAgreements(buyerId, 20);
      return Promise.all(agreements.map(view));
    },

    /** The buyer's own agreement; an ACTIVE one is checked with the wallet when its status is older than a minute. */
    async get(id: string, buyerId: string, call?: GatewayCall): Promise<Outcome<AgreementView, AgreementRefusal>> {
      let agreement = await own(id, buyerId);
      if (!agreement) return { kind: 'agreement-not-found' };
      const checkedAt = agreement.statusCheckedAt ? Date.parse(agreement.statusCheckedAt) : 0;
      if (agreement.status === 'ACTIVE' && options.gateway && now().getTime() - checkedAt > statusMaxAgeMs) {
        try {
          const answer = known(await options.gateway.query(agreement.merchantAgreementId, call));
          if (answer.ok && answer.value.tokenStatus === 'REVOKED') agreement = await end(agreement, 'REVOKED', 'REVOKED_IN_WALLET');
          else if (!answer.ok && AGREEMENT_GONE_CODES.has(answer.code)) agreement = await end(agreement, 'REVOKED', answer.code);
          else if (answer.ok) await store.recordAgreementCheck(agreement.id, now().toISOString());
          else options.log?.warn({ agreementId: agreement.id, code: answer.code }, 'queryByAuthInfo refused');
        } catch (error) {
          if (!(error instanceof GatewayUnknownError)) throw error;
          options.log?.warn({ agreementId: agreement.id, reason: error.message }, 'queryByAuthInfo unanswered; showing the stored status');
        }
      }
      return ok(await view(agreement));
    },
  };
}

export type AgreementService = ReturnType<typeof createAgreementService>;
