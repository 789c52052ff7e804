/**
 * The auto-debit records the Store port (store.ts) keeps: agreements (bound wallets), their sealed
 * tokens, the charge checks, and the refusals a charge can meet.
 */
import type { AgreementStatus } from '@tradepay/shared';

/**
 * An auto-debit agreement (a bound wallet). Tokens are stored only encrypted (`*Enc`, sealed by the
 * agreement service); the store never sees them in clear. `stateHash` is the SHA-256 of the
 * unguessable `state` the wallet's redirect must bring back.
 */
export interface AgreementRecord {
  id: string;
  merchantAgreementId: string;
  buyerId: string;
  stateHash: string;
  status: AgreementStatus;
  /** The wallet user who agreed (applyToken's customerId). */
  customerId: string | null;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
  /** Bumped on every token change, so two refreshes cannot overwrite each other. */
  tokenVersion: number;
  failureCode: string | null;
  /** When the gateway last confirmed the status (queryByAuthInfo). */
  statusCheckedAt: string | null;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  endedAt: string | null;
}

export type NewAgreement = Pick<AgreementRecord, 'id' | 'merchantAgreementId' | 'buyerId' | 'stateHash' | 'createdAt'>;

export interface AgreementTokens {
  accessTokenEnc: string;
  refreshTokenEnc: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
}

export interface AgreementTransitionResult {
  transitioned: boolean;
  agreement: AgreementRecord;
}

/** Statuses after which an agreement never changes again (its tokens are erased). */
export const FINAL_AGREEMENT_STATUSES: readonly AgreementStatus[] = ['DECLINED', 'FAILED', 'REVOKED', 'EXPIRED'];

export interface AgreementChargeArgs {
  agreementId: string;
  /** Only this buyer's agreement may be charged. */
  buyerId: string;
  /** Charges of the day (created in [dayStart, dayEnd), not FAILED or CANCELLED) plus this one may not exceed it. */
  dailyCap: number;
  dayStart: string;
  dayEnd: string;
}

/** The agreement is not ACTIVE (or not this buyer's): nothing was inserted. */
export class AgreementNotActiveError extends Error {
  override readonly name = 'AgreementNotActiveError';
  constructor(readonly status: AgreementStatus | null) {
    super(status === null ? 'no such agreement' : `the agreement is ${status}`);
  }
}

/** The charge would take the day's charges over the cap: nothing was inserted. */
export class DailyCapExceededError extends Error {
  override readonly name = 'DailyCapExceededError';
  constructor(
    readonly chargedToday: number,
    readonly dailyCap: number,
  ) {
    super(`charged today ${chargedToday} of ${dailyCap} minor units`);
  }
}
