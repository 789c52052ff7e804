/**
 * The OAuth domain's vocabulary (./oauth): its constants, the records it keeps, and the Oauth port the
 * gateway routes and the auth page call.
 */
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
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

export interface AuthCodeRecord {
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
  /** `client_id` of the consent redirect. */
  clientId: string;
  /** Called once when an ACTIVE agreement ends (merchant cancel or user unbind): AlipayHK sends notify.cancel. */
  onCancelled?: (merchantAgreementId: string, at: number) => void;
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
