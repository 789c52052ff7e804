/**
 * The auto-debit port: what the agreement service needs from a wallet that binds agreements (AlipayHK's
 * `oauth.auth.*` and `acquiring.agreement.pay`). The channel folder implements it; the domain and the
 * routes only see this interface. Every method answers `ok` / a final refusal `code`, or — when the
 * outcome is unknown (timeout, 5xx, `U`, an unverifiable reply) — `{ status: 'UNKNOWN', reason }`:
 * the Channel port's convention (channel.ts), answered, never thrown. `known()` lets a caller that
 * handles every unknown in one place turn it back into GatewayUnknownError.
 */
import { GatewayUnknownError } from '../errors';
import type { ChannelOrder, GatewayCall, PaymentEvidence, UnknownOutcome } from './channel';

/** A token pair as the wallet issued it. Expiries are ISO 8601 UTC. Never logged, never returned to a client. */
export interface WalletTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  /** The wallet user who agreed, when the wallet names them. */
  customerId: string | null;
}

export type GatewayAnswer<T> = { ok: true; value: T } | { ok: false; code: string } | ({ ok: false } & UnknownOutcome);

export interface AgreementState {
  /** `VALID`, `EXPIRED` (the access token ran out: refresh it) or `REVOKED`; anything else as the wallet said it. */
  tokenStatus: string;
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
}

export type AgreementPayResult =
  /** Debited: the signed answer is the evidence (still checked against the order). */
  | { status: 'PAID'; evidence: PaymentEvidence }
  /** Refused under the wallet's signature: nothing was taken. */
  | { status: 'REFUSED'; code: string }
  | UnknownOutcome;

export interface AgreementGateway {
  /** The merchant the evidence must name. */
  readonly merchantId: string;
  /** Starts a binding: the URL of the wallet's consent page. */
  prepare(
    input: { merchantAgreementId: string; state: string; redirectUrl: string },
    call?: GatewayCall,
  ): Promise<GatewayAnswer<{ authUrl: string }>>;
  /** The consent page's single-use authCode → the agreement's first token pair (the same pair again on a retry). */
  exchangeAuthCode(authCode: string, call?: GatewayCall): Promise<GatewayAnswer<WalletTokens>>;
  /** The wallet user an access token belongs to (when the token answer did not name them). */
  userId(accessToken: string, call?: GatewayCall): Promise<GatewayAnswer<string>>;
  /** A new pair for the refresh token (the old pair stops working). */
  refresh(refreshToken: string, call?: GatewayCall): Promise<GatewayAnswer<WalletTokens>>;
  query(merchantAgreementId: string, call?: GatewayCall): Promise<GatewayAnswer<AgreementState>>;
  /** Unbinds: later debits are refused by the wallet. */
  cancel(merchantAgreementId: string, call?: GatewayCall): Promise<GatewayAnswer<null>>;
  /** Debits the bound wallet for the order (same `merchantTransId` on every retry). */
  pay(order: ChannelOrder, accessToken: string, call?: GatewayCall): Promise<AgreementPayResult>;
}

/** Wallet codes of agreement.pay that a fresh access token may cure. */
export const TOKEN_REFRESH_CODES: ReadonlySet<string> = new Set(['ACCESS_TOKEN_EXPIRED', 'INVALID_ACCESS_TOKEN']);
/** Wallet codes that mean the binding is gone for good. */
export const AGREEMENT_GONE_CODES: ReadonlySet<string> = new Set(['AGREEMENT_REVOKED', 'AGREEMENT_NOT_EXIST']);

/** The answer if the gateway gave one; throws GatewayUnknownError (with the port's reason) when the outcome is unknown. */
export function known<A extends object>(answer: A): Exclude<A, UnknownOutcome> {
  if ('status' in answer && answer.status === 'UNKNOWN')
    throw new GatewayUnknownError(String((answer as unknown as UnknownOutcome).reason));
  return answer as Exclude<A, UnknownOutcome>;
}
