import { randomBytes } from 'node:crypto';

/** Unguessable order id: 144 random bits. */
export function newOrderId(): string {
  return `ord_${randomBytes(18).toString('base64url')}`;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The business id sent to the gateway, reused on every retry of this payment. 30 characters, so it
 * fits every channel's limit (AlipayHK 64, the intents aggregator 32): `TP` + UTC date + 20 random
 * base32 characters (100 bits).
 */
export function newMerchantTransId(now: Date): string {
  const bytes = randomBytes(20);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte & 31];
  return `TP${now.toISOString().slice(0, 10).replace(/-/g, '')}${suffix}`;
}

/** Unguessable agreement id (our key; never sent to the wallet): 144 random bits. */
export function newAgreementId(): string {
  return `agr_${randomBytes(18).toString('base64url')}`;
}

/** The id the wallet binds (`merchantAgreementId`, ≤64): `TPA` + UTC date + 20 random base32 characters. */
export function newMerchantAgreementId(now: Date): string {
  return `TPA${newMerchantTransId(now).slice(2)}`;
}
