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

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALPHABET_CODES = Buffer.from(ALPHABET, 'latin1');

/**
 * `n` base32 characters of `value` (≥ 0), most significant first. The alphabet is in ASCII order, so
 * the texts of two values sort as the values do: ids that start with their creation time are written
 * at the right-hand end of their B-tree indexes, not on a random page each (a random page per insert
 * per index is what made inserts slow as the table grew).
 */
function base32Of(value: number, n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) {
    text = ALPHABET[value % 32]! + text;
    value = Math.floor(value / 32);
  }
  return text;
}

/**
 * Unguessable order id, 24 characters after `ord_`: the creation time (milliseconds since 1970, 9
 * base32 characters, good until the year 3084) and 90 random bits.
 */
export function newOrderId(now: Date): string {
  return `ord_${base32Of(now.getTime(), 9)}${randomSlice(12).toString('base64url').slice(0, 15)}`;
}

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
 * fits every channel's limit (AlipayHK 64, the intents aggregator 32): `TP` + UTC date + the
 * millisecond of that day (6 base32 characters, so ids sort by creation time) + 14 random base32
 * characters (70 bits).
 */
export function newMerchantTransId(now: Date): string {
  // Each random byte is overwritten by its character (the bytes are this id's alone): one flat string.
  const bytes = randomSlice(14);
  for (let i = 0; i < bytes.length; i++) bytes[i] = ALPHABET_CODES[bytes[i]! & 31]!;
  const msOfDay = now.getTime() - Math.floor(now.getTime() / 86_400_000) * 86_400_000;
  return `TP${utcDay(now)}${base32Of(msOfDay, 6)}${bytes.toString('latin1')}`;
}

/** Unguessable agreement id (our key; never sent to the wallet): 144 random bits. */
export function newAgreementId(): string {
  return `agr_${randomSlice(18).toString('base64url')}`;
}

/** The id the wallet binds (`merchantAgreementId`, ≤64): `TPA` + what follows `TP` in a merchantTransId. */
export function newMerchantAgreementId(now: Date): string {
  return `TPA${newMerchantTransId(now).slice(2)}`;
}
