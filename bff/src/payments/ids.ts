import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, from a pool refilled by the CSPRNG (`randomFillSync`) when it runs dry: a
 * call into OpenSSL per id cost several µs on the event loop, a slice of the pool a fraction of one.
 * Every byte is handed out once; the pool is never rewound. (node:crypto's randomUUID does the same.)
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `size` (≤ POOL_BYTES) fresh random bytes: a view, to be read before the next call. */
export function randomSlice(size: number): Buffer {
  if (size > POOL_BYTES) throw new RangeError(`randomSlice: at most ${POOL_BYTES} bytes`);
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}

/** Unguessable order id: 144 random bits. */
export function newOrderId(): string {
  return `ord_${randomSlice(18).toString('base64url')}`;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALPHABET_CODES = Buffer.from(ALPHABET, 'latin1');

let dayNumber = Number.NaN;
let dayText = '';

/** `YYYYMMDD` of the UTC day of `now`: worked out again only when the day changes. */
function utcDay(now: Date): string {
  const day = Math.floor(now.getTime() / 86_400_000);
  if (day !== dayNumber) {
    dayText = now.toISOString().slice(0, 10).replace(/-/g, '');
    dayNumber = day;
  }
  return dayText;
}

/**
 * The business id sent to the gateway, reused on every retry of this payment. 30 characters, so it
 * fits every channel's limit (AlipayHK 64, the intents aggregator 32): `TP` + UTC date + 20 random
 * base32 characters (100 bits).
 */
export function newMerchantTransId(now: Date): string {
  // Each random byte is overwritten by its character (the bytes are this id's alone): one flat string.
  const bytes = randomSlice(20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = ALPHABET_CODES[bytes[i]! & 31]!;
  return `TP${utcDay(now)}${bytes.toString('latin1')}`;
}

/** Unguessable agreement id (our key; never sent to the wallet): 144 random bits. */
export function newAgreementId(): string {
  return `agr_${randomSlice(18).toString('base64url')}`;
}

/** The id the wallet binds (`merchantAgreementId`, ≤64): `TPA` + UTC date + 20 random base32 characters. */
export function newMerchantAgreementId(now: Date): string {
  return `TPA${newMerchantTransId(now).slice(2)}`;
}
