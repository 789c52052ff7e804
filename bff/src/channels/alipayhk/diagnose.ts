/**
 * Why an AlipayHK signature does not verify, in one answer: used by the BFF when a notification is
 * refused (logged, never the content: lengths, hashes and key fingerprints only) and by
 * `pnpm run doctor verify`. The content is cut out with the same `cutSignedParts` the BFF verifies
 * with, so the doctor never judges bytes the BFF would not have judged.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { cutSignedParts, type EnvelopeKind } from './sign-content';
import { SIGN_ALGORITHMS, type ParsedRsaKey, type SignAlgorithm } from './signing';

export type SignatureCause =
  | 'keys-swapped'
  | 'merchant-key-as-gateway-key'
  | 'wrong-algorithm'
  | 're-serialised'
  | 'url-encoded-signature'
  | 'trailing-bytes'
  | 'malformed'
  | 'unknown-key-or-modified';

export interface SignatureDiagnosis {
  verified: boolean;
  kind: EnvelopeKind | null;
  /** Who should have signed: the gateway (responses, notifications) or the merchant (our own requests). */
  expectedSigner: 'gateway' | 'merchant';
  /** The exact bytes cut out for verification (callers that log must not log this). */
  content: string | null;
  contentBytes: number;
  contentSha256: string | null;
  signatureEncoding: 'base64' | 'url' | 'other' | null;
  algorithm: SignAlgorithm;
  keyFingerprint: string;
  cause: SignatureCause | null;
  /** One sentence: what went wrong (or that it verified). */
  message: string;
  fix: string | null;
  /** Environment settings that would make it verify, e.g. {ALIPAYHK_SIGN_ALGORITHM: 'RSA'}. */
  settings: Record<string, string>;
}

export interface DiagnoseKeys {
  algorithm: SignAlgorithm;
  gatewayPublicKey: ParsedRsaKey;
  /** The merchant's private (or public) key: its public half tells a swap. */
  merchantKey: ParsedRsaKey;
}

const HASH: Record<SignAlgorithm, 'sha256' | 'sha1'> = { RSA2: 'sha256', RSA: 'sha1' };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** SHA-256 of the key's SubjectPublicKeyInfo DER, as `SHA256:<base64>` (what `ssh-keygen -l` prints). */
export function toKeyFingerprint(key: KeyObject | ParsedRsaKey): string {
  const object = 'keyObject' in key ? key.keyObject : key;
  const spki = (object.type === 'public' ? object : createPublicKey(object)).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
}

function publicOf(key: ParsedRsaKey): KeyObject {
  return key.keyObject.type === 'public' ? key.keyObject : createPublicKey(key.keyObject);
}

function verifies(content: string, signature: string, key: KeyObject, algorithm: SignAlgorithm): boolean {
  if (!BASE64.test(signature)) return false;
  try {
    return cryptoVerify(HASH[algorithm], Buffer.from(content, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function other(algorithm: SignAlgorithm): SignAlgorithm {
  return SIGN_ALGORITHMS.find((a) => a !== algorithm) ?? algorithm;
}

function toKind(raw: string): EnvelopeKind | null {
  const match = /^\s*\{\s*"(request|response)"\s*:/.exec(raw);
  return match ? (match[1] as EnvelopeKind) : null;
}

/** Notifications are requests AlipayHK signs; any other request is one of ours, signed with the merchant key. */
function toExpectedSigner(kind: EnvelopeKind | null, content: string | null): 'gateway' | 'merchant' {
  if (kind !== 'request' || content === null) return 'gateway';
  try {
    const fn = (JSON.parse(content) as { head?: { function?: unknown } }).head?.function;
    return typeof fn === 'string' && !fn.includes('.notify.') ? 'merchant' : 'gateway';
  } catch {
    return 'gateway';
  }
}

function rawSignatureText(raw: string): string | null {
  const match = /,\s*"signature"\s*:\s*"([^"\\]*)"\s*\}/.exec(raw);
  return match ? (match[1] ?? '') : null;
}

function toEncoding(rawSignature: string | null): SignatureDiagnosis['signatureEncoding'] {
  if (rawSignature === null) return null;
  if (rawSignature.includes('%')) return 'url';
  return BASE64.test(rawSignature) ? 'base64' : 'other';
}

/** Cuts content and signature; a body with bytes after its closing brace is retried without them. */
function cut(raw: string, kind: EnvelopeKind): { content: string; signature: string; trailing: boolean } | { error: string } {
  try {
    return { ...cutSignedParts(raw, kind), trailing: false };
  } catch (error) {
    const end = raw.lastIndexOf('}');
    if (end > 0 && raw.slice(end + 1).trim() !== '') {
      try {
        return { ...cutSignedParts(raw.slice(0, end + 1), kind), trailing: true };
      } catch {
        // fall through to the original error
      }
    }
    return { error: (error as Error).message };
  }
}

export function diagnoseSignature(raw: string, keys: DiagnoseKeys): SignatureDiagnosis {
  const algorithm = keys.algorithm;
  const gatewayKey = publicOf(keys.gatewayPublicKey);
  const merchantKey = publicOf(keys.merchantKey);
  const gatewayFingerprint = toKeyFingerprint(gatewayKey);
  const merchantFingerprint = toKeyFingerprint(merchantKey);
  const kind = toKind(raw);
  const rawSignature = rawSignatureText(raw);
  const base = {
    kind,
    algorithm,
    signatureEncoding: toEncoding(rawSignature),
    settings: {} as Record<string, string>,
  };
  const cutResult = kind ? cut(raw, kind) : { error: 'the body starts with neither {"request": nor {"response": — is this the raw body?' };
  if ('error' in cutResult) {
    return {
      ...base,
      verified: false,
      expectedSigner: 'gateway',
      content: null,
      contentBytes: 0,
      contentSha256: null,
      keyFingerprint: gatewayFingerprint,
      cause: 'malformed',
      message: `cannot cut the signed content out: ${cutResult.error}`,
      fix: 'pass the raw HTTP body exactly as received (not parsed and re-serialised JSON)',
    };
  }
  const { content, signature } = cutResult;
  const expectedSigner = toExpectedSigner(kind, content);
  const expectedKey = expectedSigner === 'gateway' ? gatewayKey : merchantKey;
  const keyFingerprint = expectedSigner === 'gateway' ? gatewayFingerprint : merchantFingerprint;
  const found = {
    ...base,
    expectedSigner,
    content,
    contentBytes: Buffer.byteLength(content, 'utf8'),
    contentSha256: createHash('sha256').update(content, 'utf8').digest('hex'),
    keyFingerprint,
  };
  const fail = (cause: SignatureCause, message: string, fix: string, settings: Record<string, string> = {}): SignatureDiagnosis => ({
    ...found,
    verified: false,
    cause,
    message,
    fix,
    settings,
  });
  const keyName = expectedSigner === 'gateway' ? 'ALIPAYHK_GATEWAY_PUBLIC_KEY' : "the merchant's public key";

  if (verifies(content, signature, expectedKey, algorithm)) {
    if (cutResult.trailing) {
      return fail(
        'trailing-bytes',
        `the signature verifies, but the body has bytes after its closing brace, so the BFF refuses it`,
        'send or save the body without anything after the final }',
      );
    }
    const settings: Record<string, string> = base.signatureEncoding === 'url' ? { ALIPAYHK_SIGNATURE_ENCODING: 'url' } : {};
    return {
      ...found,
      verified: true,
      cause: null,
      message: `verified: ${algorithm} signature by ${keyName} (${keyFingerprint})${base.signatureEncoding === 'url' ? ', sent URL-encoded' : ''}`,
      fix: null,
      settings,
    };
  }
  if (expectedSigner === 'gateway' && gatewayFingerprint === merchantFingerprint) {
    return fail(
      'merchant-key-as-gateway-key',
      `keys swapped: ALIPAYHK_GATEWAY_PUBLIC_KEY is the merchant's own public key (${merchantFingerprint})`,
      "put the public key AlipayHK returned to you in ALIPAYHK_GATEWAY_PUBLIC_KEY; the merchant's own public key is the one you gave AlipayHK",
    );
  }
  for (const algo of [algorithm, other(algorithm)]) {
    if (expectedSigner === 'gateway' && verifies(content, signature, merchantKey, algo)) {
      return fail(
        'keys-swapped',
        `keys swapped: this body was signed with the merchant's own key (${merchantFingerprint}), not AlipayHK's (${gatewayFingerprint})`,
        "the signer holds the merchant's private key where AlipayHK's belongs: AlipayHK signs with its own key, and ALIPAYHK_GATEWAY_PUBLIC_KEY must be AlipayHK's public key",
      );
    }
  }
  const otherAlgorithm = other(algorithm);
  if (verifies(content, signature, expectedKey, otherAlgorithm)) {
    return fail(
      'wrong-algorithm',
      `wrong algorithm: the body verifies with ${otherAlgorithm} (${HASH[otherAlgorithm].toUpperCase()}withRSA), not the configured ${algorithm}`,
      `set ALIPAYHK_SIGN_ALGORITHM=${otherAlgorithm}`,
      { ALIPAYHK_SIGN_ALGORITHM: otherAlgorithm },
    );
  }
  const encodingCause = signatureEncodingCause(rawSignature, signature, content, expectedKey);
  if (encodingCause) return fail('url-encoded-signature', encodingCause.message, encodingCause.fix);
  try {
    const minified = JSON.stringify(JSON.parse(content));
    if (minified !== content) {
      for (const algo of [algorithm, otherAlgorithm]) {
        if (verifies(minified, signature, expectedKey, algo)) {
          return fail(
            're-serialised',
            `the body was modified on its way: it verifies only after re-serialising it (whitespace or escapes changed)${algo === algorithm ? '' : `, and with ${algo}`}`,
            'verify the raw bytes as received: no JSON body parser, proxy or logger may rewrite the body before verification',
            algo === algorithm ? {} : { ALIPAYHK_SIGN_ALGORITHM: algo },
          );
        }
      }
    }
  } catch {
    // content is not JSON: nothing to re-serialise
  }
  return fail(
    'unknown-key-or-modified',
    `signature does not verify with ${keyName} (${keyFingerprint}) under RSA or RSA2`,
    `the body was changed after signing, or signed by a key you have not configured: compare ${keyFingerprint} with the key AlipayHK gave you`,
  );
}

/** A signature damaged by URL encoding: encoded twice, or form-decoded (`+` turned into spaces). */
function signatureEncodingCause(
  rawSignature: string | null,
  decoded: string,
  content: string,
  key: KeyObject,
): { message: string; fix: string } | null {
  if (rawSignature === null) return null;
  if (decoded.includes('%')) {
    let twice: string | null = null;
    try {
      twice = decodeURIComponent(decoded);
    } catch {
      twice = null;
    }
    if (twice !== null) {
      return {
        message: `URL-encoded signature: it was encoded twice (${rawSignature.slice(0, 12)}…)${SIGN_ALGORITHMS.some((a) => verifies(content, twice as string, key, a)) ? '; decoded twice it verifies' : ''}`,
        fix: 'URL-encode the signature once at most (ALIPAYHK_SIGNATURE_ENCODING=url encodes it for you): base64 is what is signed',
      };
    }
  }
  if (/ /.test(decoded)) {
    const restored = decoded.replace(/ /g, '+');
    const ok = SIGN_ALGORITHMS.some((a) => verifies(content, restored, key, a));
    return {
      message: `URL-encoded signature: it was form-decoded on its way (each + became a space)${ok ? '; with the + restored it verifies' : ''}`,
      fix: 'URL-encode the signature (ALIPAYHK_SIGNATURE_ENCODING=url) or keep the body away from a form decoder',
    };
  }
  return null;
}
