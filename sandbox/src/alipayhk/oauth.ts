/**
 * The sandbox's OAuth domain (`alipay.intl.oauth.auth.*`, docs/protocols/alipayhk.md#functions; seed 002), framework-free:
 * authCodes from the wallet (`my.getAuthCode`) and from the auto-debit auth page, token pairs, and the
 * agreements they are bound to. The gateway routes and the auth page translate wire messages into
 * these calls. Secrets (codes, tokens) live here only; the ledger keeps agreements without them.
 */
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
import { newCustomerId, newSecret } from '../ids';
import type { Ledger, LedgerAgreement } from '../ledger';
import type { Outcome } from './acquiring';
import type { ResultCode } from './result-codes';

/** AlipayHK: "the authCode is a one-time authorization code … and expires in 10 minutes" (seed 002). */
export const AUTH_CODE_TTL_MS = 10 * 60_000;
export const AUTH_SITE = 'ALIPAY_HK';
export const AGREEMENT_PAY_SCOPE = 'AUTH_AGREEMENTPAY';
/** What `my.getAuthCode` asks for when the mini program names no scope. */
export const DEFAULT_WALLET_SCOPES: readonly string[] = ['auth_base'];
export const TERMINAL_TYPES = ['WAP', 'WEB'] as const;
export type TerminalType = (typeof TERMINAL_TYPES)[number];
/** A buyer id a test may choose (`2188…` by default); kept simple because it ends up in URLs and pages. */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The query parameter the auth page is redirected with when the user declines. */
export const USER_DECLINED = 'USER_DECLINED';

/** One access/refresh token pair. `SUPERSEDED`: replaced by a refresh; `REVOKED`: its agreement was cancelled. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  customerId: string;
  scopes: readonly string[];
  /** null for a buyer sign-in token (wallet authCode), set for an auto-debit token. */
  merchantAgreementId: string | null;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  state: 'VALID' | 'SUPERSEDED' | 'REVOKED';
}

/** `tokenStatus` on the wire. */
export type TokenStatus = 'VALID' | 'EXPIRED' | 'REVOKED';

interface AuthCodeRecord {
  customerId: string;
  scopes: readonly string[];
  merchantAgreementId: string | null;
  authMerchantId: string | null;
  expiresAt: number;
  used: boolean;
  /** The pair the first redemption issued: a valid code redeemed again answers it again. */
  pair: TokenPair | null;
}

/** A verified `prepareForRedirect` body. */
export interface RedirectRequest {
  authMerchantId: string;
  scopes: readonly string[];
  terminalType: TerminalType;
  /** Normalised (`URL.href`): ASCII only, so it is safe in a Location header. */
  merchantRedirectUrl: string;
  merchantAgreementId: string;
  state: string | null;
}

export type AuthDecision = 'agree' | 'decline';

/** What the auth page shows, stored under an opaque `authId` until the user decides. */
export interface AuthRequest extends RedirectRequest {
  authId: string;
  createdAt: number;
  decision: { kind: AuthDecision; location: string } | null;
}

export type DecisionResult = { ok: true; location: string } | { ok: false; reason: 'NOT_FOUND' | 'ALREADY_DECIDED' };

export interface AgreementView {
  agreement: LedgerAgreement;
  tokenStatus: TokenStatus;
}

export interface Oauth {
  /** The buyer the sandbox wallet is signed in as, unless a call names another. */
  readonly walletCustomerId: string;
  /** `my.getAuthCode`: a fresh single-use code for the (default) wallet buyer. */
  walletAuthCode(input: { customerId?: string | undefined; scopes?: readonly string[] | undefined }): string;
  prepareForRedirect(request: RedirectRequest): Outcome<AuthRequest>;
  findAuthRequest(authId: string): AuthRequest | undefined;
  /** The user's click on the auth page; repeating the same decision returns the same redirect. */
  decide(authId: string, decision: AuthDecision, customerId?: string): DecisionResult;
  redeemAuthCode(authCode: string): Outcome<TokenPair>;
  refresh(refreshToken: string): Outcome<TokenPair>;
  queryAgreement(merchantAgreementId: string): Outcome<AgreementView>;
  cancelAgreement(merchantAgreementId: string): Outcome<LedgerAgreement>;
  /** Any token ever issued (also superseded, revoked or expired ones); undefined for unknown values. */
  findAccessToken(accessToken: string): TokenPair | undefined;
  /** Why this token may not debit now, or null when it may. */
  debitProblem(pair: TokenPair): { code: ResultCode; message?: string } | null;
  /** Why this token may not be used at all now (superseded, revoked, expired), or null. */
  tokenProblem(pair: TokenPair): { code: ResultCode; message?: string } | null;
  reset(): void;
}

export interface OauthDeps {
  ledger: Ledger;
  control: ControlStore;
  clock: Clock;
  walletCustomerId: string;
}

/**
 * Appends query parameters to a URL without re-serialising what is already there (an existing query
 * string and fragment are kept byte for byte).
 */
export function appendQuery(url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const query = new URLSearchParams(params.map(([key, value]): [string, string] => [key, value])).toString();
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return base + separator + query + hash;
}

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
        return { ok: false, code: 'AGREEMENT_ALREADY_EXIST', message: `merchantAgreementId ${request.merchantAgreementId} is already bound; generate a new one` };
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
        return request.decision.kind === decision ? { ok: true, location: request.decision.location } : { ok: false, reason: 'ALREADY_DECIDED' };
      }
      const state: Array<readonly [string, string]> = request.state === null ? [] : [['state', request.state]];
      let location: string;
      if (decision === 'agree') {
        const authCode = issueCode({
          customerId: customerId ?? newCustomerId(),
          scopes: request.scopes,
          merchantAgreementId: request.merchantAgreementId,
          authMerchantId: request.authMerchantId,
        });
        location = appendQuery(request.merchantRedirectUrl, [['authCode', authCode], ...state, ['merchantAgreementId', request.merchantAgreementId]]);
      } else {
        location = appendQuery(request.merchantRedirectUrl, [...state, ['merchantAgreementId', request.merchantAgreementId], ['error', USER_DECLINED]]);
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
      if (clock.now() >= old.refreshExpiresAt) return { ok: false, code: 'INVALID_REFRESH_TOKEN', message: 'refreshToken expired: ask the user to authorise again' };
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
      const tokenStatus: TokenStatus = agreement.status === 'REVOKED' ? 'REVOKED' : clock.now() >= pair.accessExpiresAt ? 'EXPIRED' : 'VALID';
      return { ok: true, value: { agreement, tokenStatus } };
    },

    cancelAgreement(merchantAgreementId) {
      const agreement = ledger.findAgreement(merchantAgreementId);
      if (!agreement) return { ok: false, code: 'AGREEMENT_NOT_EXIST' };
      if (agreement.status === 'ACTIVE') {
        agreement.status = 'REVOKED';
        agreement.revokedAt = iso(clock.now());
        const pair = current.get(merchantAgreementId);
        if (pair) pair.state = 'REVOKED';
      }
      return { ok: true, value: agreement };
    },

    findAccessToken: (accessToken) => byAccess.get(accessToken),

    debitProblem(pair) {
      if (pair.merchantAgreementId === null) return { code: 'SCOPE_NOT_AUTHORIZED', message: 'a sign-in token (my.getAuthCode) cannot debit: bind an agreement first' };
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
