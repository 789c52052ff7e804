/**
 * Auto-debit agreement statuses (no schema library here, so the mini program can import them).
 * PENDING: waiting for the shopper on the wallet's consent page; ACTIVE: bound, chargeable;
 * DECLINED: the shopper said no; FAILED: the authorisation could not be completed (expired or reused
 * code); REVOKED: unbound (by the shopper here or in the wallet); EXPIRED: the wallet's authorisation
 * ran out. Every status but PENDING and ACTIVE is final.
 */
export const AGREEMENT_STATUSES = ['PENDING', 'ACTIVE', 'DECLINED', 'FAILED', 'REVOKED', 'EXPIRED'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export function isAgreementStatus(value: unknown): value is AgreementStatus {
  return typeof value === 'string' && (AGREEMENT_STATUSES as readonly string[]).includes(value);
}

export function isFinalAgreementStatus(status: AgreementStatus): boolean {
  return status !== 'PENDING' && status !== 'ACTIVE';
}
