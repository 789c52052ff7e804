/**
 * RSA keys and signatures for AlipayHK. Keys arrive as PEM (PKCS#1 or PKCS#8) or bare base64 DER
 * and are parsed once, at start-up, by `node-rsa` (which accepts every format merchants meet).
 * Signing is PKCS#1 v1.5 — never node-rsa's default PSS — with SHA-256 (`RSA2`) or SHA-1 (`RSA`),
 * fixed by configuration and never read from a message.
 *
 * The hot path (every order string) signs through `crypto.sign`'s callback form, which runs on
 * libuv's thread pool: a synchronous RSA-2048 signature holds the event loop for about 1 ms, which
 * stalls every other request under load (see BENCHMARKS.md). PKCS#1 v1.5 is deterministic, so both
 * paths give the same bytes; a test holds them to that. Verifying (a public-key operation, tens of
 * microseconds) stays on the event loop, through `crypto.verify`.
 */
import { constants, createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import NodeRSA from 'node-rsa';

export type SignAlgorithm = 'RSA2' | 'RSA';

export const SIGN_ALGORITHMS: readonly SignAlgorithm[] = ['RSA2', 'RSA'];

/**
 * How a signature we send is written (docs/protocols/alipayhk.md#what-is-signed, unsettled): plain base64 (the sign pages,
 * https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/sign) or `encodeURIComponent` of it (the
 * "API Structure (v1)" example, https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_structure_v1).
 * Inbound, both are accepted (`cutSignedParts` percent-decodes).
 */
export type SignatureEncoding = 'base64' | 'url';

export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = ['base64', 'url'];

/** The wire form of a base64 signature. */
export function toWireSignature(base64: string, encoding: SignatureEncoding): string {
  return encoding === 'url' ? encodeURIComponent(base64) : base64;
}

const HASH: Record<SignAlgorithm, 'sha256' | 'sha1'> = { RSA2: 'sha256', RSA: 'sha1' };
const NODE_RSA_SCHEME: Record<SignAlgorithm, 'pkcs1-sha256' | 'pkcs1-sha1'> = {
  RSA2: 'pkcs1-sha256',
  RSA: 'pkcs1-sha1',
};

export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}

export class SignatureVerificationError extends Error {
  override readonly name = 'SignatureVerificationError';
}

export interface ParsedRsaKey {
  kind: 'private' | 'public';
  rsa: NodeRSA;
  keyObject: KeyObject;
  bits: number;
}

const DER_FORMATS = {
  private: ['pkcs8-private-der', 'pkcs1-private-der'],
  public: ['pkcs8-public-der', 'pkcs1-public-der'],
} as const;

/** Parses a PEM (PKCS#1/PKCS#8) or bare base64 DER key; throws KeyFormatError with what was wrong. */
export function parseRsaKey(text: string, kind: 'private' | 'public'): ParsedRsaKey {
  const trimmed = text.trim();
  let rsa: NodeRSA | undefined;
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      rsa = new NodeRSA(trimmed);
    } catch (error) {
      throw new KeyFormatError(`not a readable PEM ${kind} key: ${(error as Error).message}`);
    }
  } else {
    const compact = trimmed.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new KeyFormatError(`${kind} key is neither PEM nor base64`);
    const der = Buffer.from(compact, 'base64');
    for (const format of DER_FORMATS[kind]) {
      try {
        rsa = new NodeRSA(der, format);
        break;
      } catch {
        // try the next DER layout
      }
    }
    if (!rsa) throw new KeyFormatError(`base64 ${kind} key is neither PKCS#8 nor PKCS#1 DER`);
  }
  if (kind === 'private' && !rsa.isPrivate()) throw new KeyFormatError('expected a private key, got a public one');
  if (kind === 'public' && rsa.isPrivate()) {
    // A private key also holds the public half; accept it but keep only the public part.
    rsa = new NodeRSA(rsa.exportKey('pkcs8-public-pem'));
  }
  const bits = rsa.getKeySize();
  if (bits < 2048) throw new KeyFormatError(`RSA keys must have at least 2048 bits, got ${bits}`);
  const keyObject =
    kind === 'private' ? createPrivateKey(rsa.exportKey('pkcs8-private-pem')) : createPublicKey(rsa.exportKey('pkcs8-public-pem'));
  return { kind, rsa, keyObject, bits };
}

export interface RsaSigner {
  readonly algorithm: SignAlgorithm;
  /** Base64 PKCS#1 v1.5 signature of the UTF-8 bytes of `content`, computed off the event loop. */
  sign(content: string): Promise<string>;
}

export function createRsaSigner(key: ParsedRsaKey, algorithm: SignAlgorithm): RsaSigner {
  if (key.kind !== 'private') throw new KeyFormatError('signing needs a private key');
  const hash = HASH[algorithm];
  return {
    algorithm,
    sign(content) {
      return new Promise((resolve, reject) => {
        cryptoSign(hash, Buffer.from(content, 'utf8'), key.keyObject, (error, signature) => {
          if (error) reject(error);
          else resolve(signature.toString('base64'));
        });
      });
    },
  };
}

/** The same signature through node-rsa, synchronously (used to check the fast path, and by tools). */
export function signWithNodeRsa(key: ParsedRsaKey, algorithm: SignAlgorithm, content: string): string {
  const rsa = new NodeRSA(key.rsa.exportKey('pkcs8-private-pem'), 'pkcs8-private-pem', {
    signingScheme: NODE_RSA_SCHEME[algorithm],
  });
  return rsa.sign(Buffer.from(content, 'utf8'), 'base64');
}

export interface RsaVerifier {
  readonly algorithm: SignAlgorithm;
  /** Throws SignatureVerificationError unless `signature` is valid for exactly these bytes. */
  verify(content: string, signature: string): void;
}

export function createRsaVerifier(key: ParsedRsaKey, algorithm: SignAlgorithm): RsaVerifier {
  // node:crypto directly, with the explicit PKCS#1 v1.5 padding: the check node-rsa's verify makes
  // through node:crypto too, without its copy of the content and its JS base64 decoder per call.
  const publicKey = key.kind === 'public' ? key.keyObject : createPublicKey(key.keyObject);
  const options = { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
  const hash = HASH[algorithm];
  return {
    algorithm,
    verify(content, signature) {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) {
        throw new SignatureVerificationError('signature is not base64');
      }
      let valid = false;
      try {
        valid = cryptoVerify(hash, Buffer.from(content, 'utf8'), options, Buffer.from(signature, 'base64'));
      } catch {
        valid = false;
      }
      if (!valid) {
        throw new SignatureVerificationError(
          `${algorithm} signature does not match the signed content — check the key pair, the algorithm, and that the raw body was passed unmodified`,
        );
      }
    },
  };
}
