/**
 * The sandbox's OAuth domain (`alipay.intl.oauth.auth.*`, docs/protocols/alipayhk.md#functions; seed 002), framework-free:
 * authCodes from the wallet (`my.getAuthCode`) and from the auto-debit auth page, token pairs, and the
 * agreements they are bound to. The gateway routes and the auth page translate wire messages into
 * these calls. Secrets (codes, tokens) live here only; the ledger keeps agreements without them.
 */
import { newSecret } from '../ids';
import type { LedgerAgreement } from '../ledger';
import type { ResultCode } from './result-codes';
import type { TokenPair, TokenStatus, AuthCodeRecord, AuthRequest, Oauth, OauthDeps } from './oauth-types';
import { AUTH_CODE_TTL_MS, AUTH_SITE, DEFAULT_WALLET_SCOPES, appendQuery } from './oauth-types';

export * from './oauth-types';

export function createOauth(deps: OauthDeps): Oauth {
  const { ledger, control, clock } = deps;
  let codes = new Map<string, AuthCodeRecord>();
  let authRequests = new Map<string, AuthRequest>();
  let byAccess = new Map<string, TokenPair>();
  let byRefresh = new Map<string, TokenPair>();
  /** The current pair of each agreement. */
  let current = new Map<string, TokenPair>();

  const iso = (ms: number): string => new Date(ms).toISOString();

  function unique(prefix: string, taken: (value: string) => boolean): string {
    let value = newSecret(prefix);
    while (taken(value)) value = newSecret(prefix);
    return value;
  }

  function issueCode(record: Omit<AuthCodeRecord, 'expiresAt' | 'used' | 'pair'>): string {
    const code = unique('SBAC', (value) => codes.has(value));
    codes.set(code, { ...record, expiresAt: clock.now() + AUTH_CODE_TTL_MS, used: false, pair: null });
    ledger.countAuthCode('issued');
    return code;
  }

  function issuePair(customerId: string, scopes: readonly string[], merchantAgreementId: string | null): TokenPair {
    const now = clock.now();
    const pair: TokenPair = {
      accessToken: unique('SBAT', (value) => byAccess.has(value)),
      refreshToken: unique('SBRT', (value) => byRefresh.has(value)),
      customerId,
      scopes,
      merchantAgreementId,
      accessExpiresAt: now + control.current.accessTokenTtlMs,
      refreshExpiresAt: now + control.current.refreshTokenTtlMs,
      state: 'VALID',
    };
    byAccess.set(pair.accessToken, pair);
    byRefresh.set(pair.refreshToken, pair);
    return pair;
  }

  function bindToAgreement(agreement: LedgerAgreement, pair: TokenPair): void {
    current.set(agreement.merchantAgreementId, pair);
    agreement.accessTokenExpiresAt = iso(pair.accessExpiresAt);
    agreement.refreshTokenExpiresAt = iso(pair.refreshExpiresAt);
    agreement.tokensIssued += 1;
  }

  function tokenProblem(pair: TokenPair): { code: ResultCode; message?: string } | null {
    if (pair.state === 'SUPERSEDED') return { code: 'INVALID_ACCESS_TOKEN', message: 'this accessToken was replaced by a refresh' };
    if (pair.state === 'REVOKED') return { code: 'AGREEMENT_REVOKED' };
    if (clock.now() >= pair.accessExpiresAt) return { code: 'ACCESS_TOKEN_EXPIRED' };
    return null;
  }

  return {
    walletCustomerId: deps.walletCustomerId,

    walletAuthCode({ customerId, scopes }) {
      return issueCode({
        customerId: customerId ?? deps.walletCustomerId,
        scopes: [...(scopes ?? DEFAULT_WALLET_SCOPES)],
        merchantAgreementId: null,
        authMerchantId: null,
      });
    },

    prepareForRedirect(request) {
      if (ledger.findAgreement(request.merchantAgreementId)) {
        return {
          ok: false,
          code: 'AGREEMENT_ALREADY_EXIST',
          message: `merchantAgreementId ${request.merchantAgreementId} is already bound; generate a new one`,
        };
      }
      const authId = unique('', (value) => authRequests.has(value));
      const stored: AuthRequest = { ...request, scopes: [...request.scopes], authId, createdAt: clock.now(), decision: null };
      authRequests.set(authId, stored);
      return { ok: true, value: stored };
    },

    findAuthRequest: (authId) => authRequests.get(authId),

    decide(authId, decision, customerId) {
      const request = authRequests.get(authId);
      if (!request) return { ok: false, reason: 'NOT_FOUND' };
      if (request.decision) {
        // A double click (or a reload of the POST) lands where the first one did.
        return request.decision.kind === decision
          ? { ok: true, location: request.decision.location }
          : { ok: false, reason: 'ALREADY_DECIDED' };
      }
      // Exactly the documented set: `state`, `auth_site`, `merchantAgreementId`, the code (spelt
      // `auth_code` as in the page's sample URL), `client_id`
      // (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/prepare), and `authResult`
      // (https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_doc-auth_url).
      const state: Array<readonly [string, string]> = request.state === null ? [] : [['state', request.state]];
      const common: Array<readonly [string, string]> = [
        ...state,
        ['auth_site', AUTH_SITE],
        ['merchantAgreementId', request.merchantAgreementId],
        ['client_id', deps.clientId],
      ];
      let location: string;
      if (decision === 'agree') {
        const authCode = issueCode({
          // The wallet on this device is signed in as its buyer unless the page was opened for another.
          customerId: customerId ?? deps.walletCustomerId,
          scopes: request.scopes,
          merchantAgreementId: request.merchantAgreementId,
          authMerchantId: request.authMerchantId,
        });
        location = appendQuery(request.merchantRedirectUrl, [...common, ['auth_code', authCode], ['authResult', 'SUCCESS']]);
      } else {
        location = appendQuery(request.merchantRedirectUrl, [...common, ['authResult', 'FAIL']]);
      }
      request.decision = { kind: decision, location };
      return { ok: true, location };
    },

    redeemAuthCode(authCode) {
      const record = codes.get(authCode);
      if (!record) {
        ledger.countAuthCode('invalid');
        return { ok: false, code: 'INVALID_AUTH_CODE', message: 'unknown authCode' };
      }
      if (clock.now() >= record.expiresAt) {
        ledger.countAuthCode('expired');
        return { ok: false, code: 'AUTH_CODE_EXPIRED' };
      }
      if (record.used) {
        // "If the authCode is valid and has been redeemed, the same accessToken is returned"
        // (https://global.alipay.com/docs/ac/PC2Mobile/errorhandling), so a client retrying after a
        // timeout gets its token; once the pair was refreshed or revoked, the code is spent.
        if (record.pair !== null && record.pair.state === 'VALID') {
          ledger.countAuthCode('redeemed');
          return { ok: true, value: record.pair };
        }
        ledger.countAuthCode('invalid');
        return { ok: false, code: 'INVALID_AUTH_CODE', message: 'this authCode was already used and its token replaced' };
      }
      record.used = true;
      const agreementId = record.merchantAgreementId;
      if (agreementId !== null && ledger.findAgreement(agreementId)) {
        // Two agreed auth pages for one merchantAgreementId: the first redeemed code wins.
        return { ok: false, code: 'AGREEMENT_ALREADY_EXIST' };
      }
      ledger.countAuthCode('redeemed');
      const pair = issuePair(record.customerId, record.scopes, agreementId);
      record.pair = pair;
      if (agreementId !== null) {
        const agreement = ledger.addAgreement({
          merchantAgreementId: agreementId,
          authMerchantId: record.authMerchantId ?? '',
          customerId: record.customerId,
          status: 'ACTIVE',
          createdAt: iso(clock.now()),
          revokedAt: null,
          accessTokenExpiresAt: '',
          refreshTokenExpiresAt: '',
          tokensIssued: 0,
        });
        bindToAgreement(agreement, pair);
      }
      return { ok: true, value: pair };
    },

    refresh(refreshToken) {
      const old = byRefresh.get(refreshToken);
      if (!old || old.state === 'SUPERSEDED') {
        return { ok: false, code: 'INVALID_REFRESH_TOKEN', message: old ? 'this refreshToken was already used' : 'unknown refreshToken' };
      }
      if (old.state === 'REVOKED') return { ok: false, code: 'AGREEMENT_REVOKED' };
      if (clock.now() >= old.refreshExpiresAt)
        return { ok: false, code: 'INVALID_REFRESH_TOKEN', message: 'refreshToken expired: ask the user to authorise again' };
      old.state = 'SUPERSEDED';
      const pair = issuePair(old.customerId, old.scopes, old.merchantAgreementId);
      if (old.merchantAgreementId !== null) {
        const agreement = ledger.findAgreement(old.merchantAgreementId);
        if (agreement) bindToAgreement(agreement, pair);
      }
      return { ok: true, value: pair };
    },

    queryAgreement(merchantAgreementId) {
      const agreement = ledger.findAgreement(merchantAgreementId);
      const pair = current.get(merchantAgreementId);
      if (!agreement || !pair) return { ok: false, code: 'AGREEMENT_NOT_EXIST' };
      const tokenStatus: TokenStatus =
        agreement.status === 'REVOKED' ? 'REVOKED' : clock.now() >= pair.accessExpiresAt ? 'EXPIRED' : 'VALID';
      return { ok: true, value: { agreement, tokenStatus } };
    },

    cancelAgreement(merchantAgreementId) {
      const agreement = ledger.findAgreement(merchantAgreementId);
      if (!agreement) return { ok: false, code: 'AGREEMENT_NOT_EXIST' };
      if (agreement.status === 'ACTIVE') {
        const at = clock.now();
        agreement.status = 'REVOKED';
        agreement.revokedAt = iso(at);
        const pair = current.get(merchantAgreementId);
        if (pair) pair.state = 'REVOKED';
        deps.onCancelled?.(merchantAgreementId, at);
      }
      return { ok: true, value: agreement };
    },

    findAccessToken: (accessToken) => byAccess.get(accessToken),

    debitProblem(pair) {
      if (pair.merchantAgreementId === null)
        return { code: 'SCOPE_NOT_AUTHORIZED', message: 'a sign-in token (my.getAuthCode) cannot debit: bind an agreement first' };
      return tokenProblem(pair);
    },

    tokenProblem,

    reset() {
      codes = new Map();
      authRequests = new Map();
      byAccess = new Map();
      byRefresh = new Map();
      current = new Map();
    },
  };
}
