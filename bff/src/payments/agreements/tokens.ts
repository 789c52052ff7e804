/** Tokens: the wallet's token pair sealed at rest, opened only to be sent, refreshed once per agreement at a time. */
import type { AgreementRecord, AgreementTokens } from '../store';
import { AGREEMENT_GONE_CODES, known, type WalletTokens } from '../agreement-gateway';
import type { GatewayCall } from '../channel';
import { AgreementEndedError, type AgreementContext } from './context';

export function createAgreementTokens(ctx: AgreementContext) {
  const { options, store, now, enabled, end } = ctx;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  /** One refresh per agreement at a time in this process; other processes are fenced by the token version. */
  const refreshing = new Map<string, Promise<string>>();

  function seal(agreementId: string, tokens: WalletTokens): AgreementTokens {
    const { cipher } = enabled();
    return {
      accessTokenEnc: cipher.seal(tokens.accessToken, `${agreementId}:access`),
      refreshTokenEnc: cipher.seal(tokens.refreshToken, `${agreementId}:refresh`),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    };
  }

  function openToken(agreement: AgreementRecord, which: 'access' | 'refresh'): string {
    const sealed = which === 'access' ? agreement.accessTokenEnc : agreement.refreshTokenEnc;
    if (!sealed) throw new AgreementEndedError(`agreement ${agreement.id} holds no ${which} token`);
    return enabled().cipher.open(sealed, `${agreement.id}:${which}`);
  }

  /** A new token pair for the agreement (single-flight per agreement: under the first caller's call); returns the new access token. */
  function refresh(agreement: AgreementRecord, call?: GatewayCall): Promise<string> {
    const running = refreshing.get(agreement.id);
    if (running) return running;
    const task = (async () => {
      const { gateway } = enabled();
      const version = agreement.tokenVersion;
      const answer = known(await gateway.refresh(openToken(agreement, 'refresh'), call));
      if (answer.ok) {
        const stored = await store.replaceAgreementTokens(agreement.id, version, seal(agreement.id, answer.value), now().toISOString());
        if (!stored.replaced) {
          // Someone else changed the agreement meanwhile (another instance refreshed, or it was revoked).
          if (stored.agreement.status !== 'ACTIVE') throw new AgreementEndedError(`agreement is ${stored.agreement.status}`);
          return openToken(stored.agreement, 'access');
        }
        options.log?.info(
          { agreementId: agreement.id, accessTokenExpiresAt: answer.value.accessTokenExpiresAt },
          'agreement tokens refreshed',
        );
        return answer.value.accessToken;
      }
      const latest = await store.getAgreement(agreement.id);
      if (latest && latest.status === 'ACTIVE' && latest.tokenVersion !== version) return openToken(latest, 'access');
      await end(latest ?? agreement, AGREEMENT_GONE_CODES.has(answer.code) ? 'REVOKED' : 'EXPIRED', answer.code);
      throw new AgreementEndedError(`refresh refused: ${answer.code}`);
    })();
    refreshing.set(agreement.id, task);
    return task.finally(() => refreshing.delete(agreement.id));
  }

  /** The access token to debit with: the stored one, or a fresh one when it expires within the margin. */
  async function accessToken(agreement: AgreementRecord, call?: GatewayCall): Promise<string> {
    const expiresAt = agreement.accessTokenExpiresAt ? Date.parse(agreement.accessTokenExpiresAt) : 0;
    if (expiresAt - now().getTime() > refreshMarginMs) return openToken(agreement, 'access');
    return refresh(agreement, call);
  }

  /** After the wallet refused the token we used: someone may have refreshed already; else refresh now. */
  async function retryToken(agreementId: string, usedToken: string, call?: GatewayCall): Promise<string> {
    const latest = await store.getAgreement(agreementId);
    if (!latest || latest.status !== 'ACTIVE') throw new AgreementEndedError('agreement is no longer active');
    const stored = openToken(latest, 'access');
    return stored !== usedToken ? stored : refresh(latest, call);
  }

  return { seal, openToken, refresh, accessToken, retryToken };
}

export type AgreementTokenOps = ReturnType<typeof createAgreementTokens>;
