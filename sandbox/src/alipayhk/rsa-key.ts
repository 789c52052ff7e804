import NodeRSA from 'node-rsa';
import type { SignAlgorithm, SignatureEncoding } from '../config';

/**
 * PKCS#1 v1.5 with the hash the merchant contract names. node-rsa v2 defaults to PSS, which AlipayHK
 * does not speak, so the scheme is always set explicitly.
 */
const SIGNING_SCHEMES = { RSA2: 'pkcs1-sha256', RSA: 'pkcs1-sha1' } as const satisfies Record<SignAlgorithm, string>;

/** DER formats tried, in order, for a key given as bare base64 (how some merchant portals hand them out). */
const DER_FORMATS = ['pkcs1-private-der', 'pkcs8-private-der', 'pkcs8-public-der', 'pkcs1-public-der'] as const;

/** A key parsed once, bound to one algorithm and to how its signatures are written on the wire. */
export interface RsaKey {
  readonly algorithm: SignAlgorithm;
  readonly encoding: SignatureEncoding;
  readonly isPrivate: boolean;
  /** Base64 signature over the UTF-8 bytes of `text`. Throws for a public key. */
  sign(text: string): string;
  /** True when `signature` (raw bytes) is a valid signature of the UTF-8 bytes of `text`. */
  verify(text: string, signature: Uint8Array): boolean;
}

function importKey(text: string): NodeRSA {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) return new NodeRSA(trimmed);
  if (!/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) throw new Error('not PEM and not base64');
  const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
  for (const format of DER_FORMATS) {
    try {
      return new NodeRSA(der, format);
    } catch {
      // try the next format
    }
  }
  throw new Error('base64 text is not a PKCS#1 or PKCS#8 RSA key');
}

/**
 * Parses PEM (PKCS#1 or PKCS#8/SPKI) or bare base64 DER. `role` states what the caller needs, so a
 * public key handed where a private one belongs fails at start-up, not at the first payment.
 */
export function parseRsaKey(
  text: string,
  algorithm: SignAlgorithm,
  role: 'private' | 'public',
  label = 'key',
  encoding: SignatureEncoding = 'base64',
): RsaKey {
  let key: NodeRSA;
  try {
    key = importKey(text);
  } catch (error) {
    throw new Error(`${label}: cannot read RSA key (${(error as Error).message})`);
  }
  if (role === 'private' && !key.isPrivate()) throw new Error(`${label}: a private key is required`);
  if (key.getKeySize() < 2048) throw new Error(`${label}: RSA keys shorter than 2048 bits are refused`);
  key.setOptions({ signingScheme: SIGNING_SCHEMES[algorithm] });
  const isPrivate = key.isPrivate();
  return {
    algorithm,
    encoding,
    isPrivate,
    sign(text) {
      if (!isPrivate) throw new Error(`${label}: cannot sign with a public key`);
      return key.sign(Buffer.from(text, 'utf8'), 'base64');
    },
    verify(text, signature) {
      try {
        return key.verify(Buffer.from(text, 'utf8'), signature);
      } catch {
        // Wrong length or garbage bytes: not a valid signature, not a crash.
        return false;
      }
    },
  };
}
