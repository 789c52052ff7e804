/** Binding: a PENDING agreement and the wallet's consent page, the wallet's return, and unbinding. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AgreementView } from '@tradepay/shared';
import { GatewayUnknownError } from '../../errors';
import type { AgreementRecord } from '../store';
import { AGREEMENT_GONE_CODES, known, type WalletTokens } from '../agreement-gateway';
import type { GatewayCall } from '../channel';
import { newAgreementId, newMerchantAgreementId } from '../ids';
import type { AgreementContext } from './context';
import type { AgreementTokenOps } from './tokens';
import { ok, type AgreementRefusal, type Outcome } from '../outcomes';

export const USER_DECLINED = 'USER_DECLINED';

/** What the wallet handed back after the consent step; unknown parameters never reach here. */
export interface BindingReturn {
  /** The redirect names the merchantAgreementId; the mini program route knows our agreement id. */
  merchantAgreementId?: string | undefined;
  agreementId?: string | undefined;
  state?: string | undefined;
  authCode?: string | undefined;
  /** `SUCCESS` / `FAIL` / `ERROR` (https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_doc-auth_url). */
  authResult?: string | undefined;
  /** `USER_DECLINED` (declined) or any other failure code. */
  error?: string | undefined;
  /** With a session (the mini program route): it must own the agreement. */
  buyerId?: string | undefined;
}

/** `tokenStatus` values meaning active (docs/protocols/alipayhk.md#functions: Macao says ACTIVE, the sandbox VALID). */
const ACTIVE_TOKEN_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'VALID']);

export interface ReturnOutcome {
  agreement: AgreementRecord;
  outcome: 'bound' | 'declined' | 'failed';
  /** The wallet's code when the binding failed. */
  code: string | null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * How starting a binding ended. `gateway-unknown`: the wallet did not answer, the agreement is FAILED
 * (PREPARE_UNKNOWN); `wallet-refused`: the wallet refused to start it, FAILED with its code.
 */
export type BindingStart = Outcome<{ agreement: AgreementView; authUrl: string }, AgreementRefusal>;

type Answer<T> = Promise<Outcome<T, AgreementRefusal>>;

export function createAgreementBinding(ctx: AgreementContext, tokens: AgreementTokenOps) {
  const { options, store, now, available, own, view } = ctx;
  const { seal } = tokens;
  const returnLeaseMs = options.returnLeaseMs ?? 60_000;

  /** Cancels at the wallet first (cancelByAuthInfo), then REVOKED. */
  async function revokeActive(agreement: AgreementRecord, call: GatewayCall | undefined): Answer<AgreementView> {
    const at = now().toISOString();
    const parts = available();
    if (!parts) return { kind: 'auto-debit-unavailable' };
    let answer;
    try {
      answer = known(await parts.gateway.cancel(agreement.merchantAgreementId, call));
    } catch (error) {
      if (error instanceof GatewayUnknownError) return { kind: 'gateway-unknown' };
      throw error;
    }
    if (!answer.ok && !AGREEMENT_GONE_CODES.has(answer.code)) return { kind: 'wallet-refused', step: 'cancel', code: answer.code };
    const result = await store.transitionAgreement(agreement.id, ['ACTIVE'], 'REVOKED', { at, failureCode: null });
    options.log?.info({ agreementId: agreement.id, status: result.agreement.status }, 'agreement revoked');
    return ok(await view(result.agreement));
  }

  return {
    /** Starts a binding for the buyer: a PENDING agreement and the wallet's consent page. Wallet buyers only. */
    async create(buyerId: string, call?: GatewayCall): Promise<BindingStart> {
      const parts = available();
      if (!parts) return { kind: 'auto-debit-unavailable' };
      const { gateway } = parts;
      // The wallet user who agrees is checked against this buyer: a guest has no wallet user to match.
      if (!buyerId.startsWith('alipayhk:')) return { kind: 'wallet-sign-in-required' };
      const createdAt = now();
      const state = randomBytes(32).toString('base64url');
      const agreement = await store.insertAgreement({
        id: newAgreementId(),
        merchantAgreementId: newMerchantAgreementId(createdAt),
        buyerId,
        stateHash: sha256(state),
        createdAt: createdAt.toISOString(),
      });
      let answer;
      try {
        answer = known(
          await gateway.prepare({ merchantAgreementId: agreement.merchantAgreementId, state, redirectUrl: options.redirectUrl }, call),
        );
      } catch (error) {
        if (!(error instanceof GatewayUnknownError)) throw error;
        await store.transitionAgreement(agreement.id, ['PENDING'], 'FAILED', { at: now().toISOString(), failureCode: 'PREPARE_UNKNOWN' });
        return { kind: 'gateway-unknown' };
      }
      if (!answer.ok) {
        await store.transitionAgreement(agreement.id, ['PENDING'], 'FAILED', { at: now().toISOString(), failureCode: answer.code });
        return { kind: 'wallet-refused', step: 'prepare', code: answer.code };
      }
      options.log?.info({ agreementId: agreement.id, merchantAgreementId: agreement.merchantAgreementId }, 'agreement binding started');
      return ok({ agreement: await view(agreement), authUrl: answer.value.authUrl });
    },

    /**
     * Completes a binding from what the wallet handed back: the redirect to `merchantRedirectUrl`
     * (`GET /api/agreements/return`) or the mini program's `my.signContract` result. One path for both:
     * the `state` must be that PENDING agreement's (else `return-rejected` and nothing changes);
     * the authCode is exchanged (a retry after an unknown outcome gets the same token); the grant must
     * be an agreement for this merchantAgreementId (a sign-in code is not: `SCOPE_NOT_GRANTED`); the
     * wallet user who agreed must be the agreement's buyer (else `WALLET_USER_MISMATCH`, cancelled at the
     * wallet). Only then ACTIVE.
     */
    async completeBinding(input: BindingReturn, call?: GatewayCall): Answer<ReturnOutcome> {
      const parts = available();
      if (!parts) return { kind: 'auto-debit-unavailable' };
      const { gateway } = parts;
      const reject = (why: string) => ({ kind: 'return-rejected', why }) as const;
      if (!input.state || (!input.merchantAgreementId && !input.agreementId)) return reject('state and merchantAgreementId are required');
      const agreement = input.agreementId
        ? await store.getAgreement(input.agreementId)
        : await store.getAgreementByMerchantAgreementId(input.merchantAgreementId!);
      if (!agreement || !sameHash(sha256(input.state), agreement.stateHash)) return reject('the state does not match the agreement');
      if (input.merchantAgreementId !== undefined && input.merchantAgreementId !== agreement.merchantAgreementId)
        return reject('the state does not match the agreement');
      if (input.buyerId !== undefined && input.buyerId !== agreement.buyerId) return reject('the state does not match the agreement');
      if (agreement.status !== 'PENDING') return reject(`the agreement is already ${agreement.status}`);
      const at = () => now().toISOString();
      const fail = async (to: 'DECLINED' | 'FAILED', code: string | null): Answer<ReturnOutcome> => {
        const result = await store.transitionAgreement(agreement.id, ['PENDING'], to, {
          at: at(),
          failureCode: code === null ? null : code.slice(0, 64),
        });
        if (!result.transitioned && result.agreement.status !== to) return reject(`the agreement is already ${result.agreement.status}`);
        options.log?.info({ agreementId: agreement.id, status: to, code }, 'agreement not bound');
        return ok({ agreement: result.agreement, outcome: to === 'DECLINED' ? 'declined' : 'failed', code });
      };

      // authResult (SUCCESS/FAIL/ERROR) or our older `error`: anything but success binds nothing.
      if (input.error !== undefined && input.authCode !== undefined) return reject('expected either authCode or error');
      const declined = input.error !== undefined || (input.authResult !== undefined && input.authResult !== 'SUCCESS');
      if (declined) {
        if (input.error !== undefined) return fail(input.error === USER_DECLINED ? 'DECLINED' : 'FAILED', input.error);
        return fail(input.authResult === 'FAIL' ? 'DECLINED' : 'FAILED', `AUTH_RESULT_${input.authResult!.slice(0, 40)}`);
      }
      if (input.authCode === undefined) return reject('expected an authCode, authResult or error');

      if (!(await store.claimAgreementReturn(agreement.id, { now: now(), leaseMs: returnLeaseMs })))
        return reject('this authorisation is already being completed');
      // An unknown outcome anywhere before the decision: release, so the same return can be retried
      // (applyToken answers a valid code redeemed again with the same token).
      const unknown = async (error: unknown): Answer<never> => {
        await store.releaseAgreementReturn(agreement.id);
        if (error instanceof GatewayUnknownError) return { kind: 'gateway-unknown' };
        throw error;
      };
      let tokens: WalletTokens;
      let walletUser: string | null;
      let state;
      try {
        const answer = known(await gateway.exchangeAuthCode(input.authCode, call));
        if (!answer.ok) {
          options.log?.warn({ agreementId: agreement.id, code: answer.code }, 'agreement authCode refused');
          return await fail('FAILED', answer.code);
        }
        tokens = answer.value;
        walletUser = tokens.customerId;
        if (walletUser === null) {
          const user = known(await gateway.userId(tokens.accessToken, call));
          walletUser = user.ok ? user.value : null;
          if (!user.ok) options.log?.warn({ agreementId: agreement.id, code: user.code }, 'getUserInfo refused');
        }
        // The granted scope: only an agreement authorisation makes the wallet know this merchantAgreementId.
        state = known(await gateway.query(agreement.merchantAgreementId, call));
      } catch (error) {
        return unknown(error);
      }
      if (!state.ok || !ACTIVE_TOKEN_STATUSES.has(state.value.tokenStatus)) {
        options.log?.warn(
          { agreementId: agreement.id, code: state.ok ? state.value.tokenStatus : state.code },
          'the authCode grants no agreement (a sign-in code?)',
        );
        return fail('FAILED', 'SCOPE_NOT_GRANTED');
      }
      if (walletUser === null || `alipayhk:${walletUser}` !== agreement.buyerId) {
        // Someone else's wallet agreed to this buyer's agreement: never usable. Cancel it at the wallet.
        const result = await fail('FAILED', walletUser === null ? 'WALLET_USER_UNKNOWN' : 'WALLET_USER_MISMATCH');
        if (result.kind !== 'ok') return result;
        try {
          const cancelled = known(await gateway.cancel(agreement.merchantAgreementId, call));
          if (!cancelled.ok)
            options.log?.error(
              { agreementId: agreement.id, code: cancelled.code },
              'could not cancel a mismatched agreement at the wallet',
            );
        } catch (error) {
          if (!(error instanceof GatewayUnknownError)) throw error;
          options.log?.error({ agreementId: agreement.id, reason: error.message }, 'could not cancel a mismatched agreement at the wallet');
        }
        options.log?.warn({ agreementId: agreement.id }, 'wallet user is not the buyer: binding FAILED and cancelled at the wallet');
        return result;
      }
      const result = await store.transitionAgreement(agreement.id, ['PENDING'], 'ACTIVE', {
        at: at(),
        tokens: seal(agreement.id, tokens),
        customerId: walletUser,
        failureCode: null,
      });
      if (!result.transitioned) return reject(`the agreement is already ${result.agreement.status}`);
      options.log?.info({ agreementId: agreement.id, accessTokenExpiresAt: tokens.accessTokenExpiresAt }, 'agreement bound');
      return ok({ agreement: result.agreement, outcome: 'bound', code: null });
    },

    /**
     * The wallet says the user unbound (AlipayHK notify.cancel): REVOKED, tokens erased. Idempotent;
     * an unknown agreement changes nothing (the notice is still acknowledged).
     */
    async endByWallet(merchantAgreementId: string): Promise<AgreementRecord | null> {
      const agreement = await store.getAgreementByMerchantAgreementId(merchantAgreementId);
      if (!agreement) {
        options.log?.warn({ merchantAgreementId }, 'notify.cancel for an unknown agreement');
        return null;
      }
      const result = await store.transitionAgreement(agreement.id, ['ACTIVE', 'PENDING'], 'REVOKED', {
        at: now().toISOString(),
        failureCode: 'REVOKED_IN_WALLET',
      });
      if (result.transitioned) options.log?.info({ agreementId: agreement.id }, 'agreement revoked in the wallet (notify.cancel)');
      return result.agreement;
    },

    /** Unbinds: the wallet first (cancelByAuthInfo), then REVOKED; later charges are refused by us and by the wallet. */
    async revoke(id: string, buyerId: string, call?: GatewayCall): Answer<AgreementView> {
      const agreement = await own(id, buyerId);
      if (!agreement) return { kind: 'agreement-not-found' };
      const at = now().toISOString();
      if (agreement.status === 'PENDING') {
        // Nothing is bound at the wallet yet; a later return finds no PENDING agreement.
        const result = await store.transitionAgreement(agreement.id, ['PENDING'], 'REVOKED', { at });
        if (result.transitioned || result.agreement.status !== 'ACTIVE') return ok(await view(result.agreement));
        // It became ACTIVE meanwhile (the wallet's return won the race): unbind it at the wallet below.
        return revokeActive(result.agreement, call);
      }
      if (agreement.status !== 'ACTIVE') return ok(await view(agreement));
      return revokeActive(agreement, call);
    },
  };
}
