/**
 * AlipayHK envelope signatures, written for the sandbox independently of the BFF's code so each checks
 * the other (docs/protocols/alipayhk.md#what-is-signed): the signed text is the exact JSON text of the `request`/`response`
 * value as it appears in the body; a verifier cuts that substring out of the raw body and never
 * re-serialises it.
 */
import type { SignatureEncoding } from '../config';
import type { RsaKey } from './rsa-key';

export type EnvelopeKind = 'request' | 'response';

export type SignatureFailure = 'MALFORMED_ENVELOPE' | 'MISSING_SIGNATURE' | 'BAD_SIGNATURE_ENCODING' | 'SIGNATURE_MISMATCH';

/** Thrown by `verifyEnvelope`; `reason` tells a malformed body (a 4xx) from a signature that does not verify. */
export class SandboxSignatureError extends Error {
  override readonly name = 'SandboxSignatureError';
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface SignedParts {
  /** The exact text that was signed: the raw value of `request`/`response`. */
  content: string;
  /** Base64 text of the signature, URL-decoded when it arrived URL-encoded. */
  signature: string;
  /** Offsets of `content` inside the raw body (for tooling such as `tamperSignedContent`). */
  start: number;
  end: number;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Matches the envelope's tail: `,"signature":"…"}` at the very end of the body. A JSON string cannot
 * hold an unescaped quote, so `,"signature"` inside a nested object never reaches the closing brace
 * at the end and cannot be mistaken for the tail.
 */
const TAIL = /,\s*"signature"\s*:\s*("(?:[^"\\]|\\.)*")\s*\}\s*$/;

function prefixPattern(kind: EnvelopeKind): RegExp {
  return new RegExp(`^\\s*\\{\\s*"${kind}"\\s*:`);
}

/**
 * Cuts the signed text and the signature out of a raw envelope, without re-serialising anything.
 * `base64`: a value holding `%` is percent-decoded (`+` stays `+`). `url`: the value is decoded as a
 * form decoder does (`+` → space, then percent-decoding), as a gateway expecting encoded signatures
 * would, so a raw base64 holding `+` fails there.
 */
export function cutSignedContent(kind: EnvelopeKind, rawBody: string, encoding: SignatureEncoding = 'base64'): SignedParts {
  try {
    JSON.parse(rawBody);
  } catch {
    throw new SandboxSignatureError('MALFORMED_ENVELOPE', 'body is not valid JSON');
  }
  const prefix = prefixPattern(kind).exec(rawBody);
  if (!prefix) {
    throw new SandboxSignatureError(
      'MALFORMED_ENVELOPE',
      `body must start with {"${kind}": — is this a raw ${kind} envelope (not parsed and re-serialised JSON)?`,
    );
  }
  const tail = TAIL.exec(rawBody);
  if (!tail || tail.index < prefix[0].length) {
    throw new SandboxSignatureError('MISSING_SIGNATURE', `no ,"signature":"…" after the ${kind} value at the end of the body`);
  }
  const rawStart = prefix[0].length;
  const slice = rawBody.slice(rawStart, tail.index);
  const start = rawStart + (slice.length - slice.trimStart().length);
  const content = slice.trim();
  const end = start + content.length;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    throw new SandboxSignatureError('MALFORMED_ENVELOPE', `the ${kind} value is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SandboxSignatureError('MALFORMED_ENVELOPE', `the ${kind} value must be a JSON object`);
  }
  let signature: string;
  try {
    signature = JSON.parse(tail[1] as string) as string;
  } catch {
    throw new SandboxSignatureError('BAD_SIGNATURE_ENCODING', 'signature is not a valid JSON string');
  }
  if (encoding === 'url') signature = signature.replace(/\+/g, ' ');
  if (signature.includes('%')) {
    // One AlipayHK sample carries the signature URL-encoded inside the JSON.
    try {
      signature = decodeURIComponent(signature);
    } catch {
      throw new SandboxSignatureError('BAD_SIGNATURE_ENCODING', 'signature contains % but is not valid URL encoding');
    }
  }
  if (signature === '') throw new SandboxSignatureError('MISSING_SIGNATURE', 'signature is empty');
  if (!BASE64.test(signature)) throw new SandboxSignatureError('BAD_SIGNATURE_ENCODING', 'signature is not base64');
  return { content, signature, start, end };
}

/**
 * Serialises `payload` once, signs exactly those bytes and splices the same bytes into the envelope:
 * `{"<kind>":<JSON.stringify(payload)>,"signature":"<base64>"}`.
 * The signature is written as the key's `encoding` says (`url`: the URL-encoded variant of the
 * "API Structure (v1)" example); `urlEncodeSignature` forces one form.
 */
export function signEnvelope(
  kind: EnvelopeKind,
  payload: object,
  privateKey: RsaKey,
  options: { urlEncodeSignature?: boolean } = {},
): string {
  const content = JSON.stringify(payload);
  const signature = privateKey.sign(content);
  const urlEncode = options.urlEncodeSignature ?? privateKey.encoding === 'url';
  const wire = urlEncode ? encodeURIComponent(signature) : signature;
  return `{"${kind}":${content},"signature":${JSON.stringify(wire)}}`;
}

/**
 * Verifies a raw envelope and returns the parsed `request`/`response` value.
 * Throws `SandboxSignatureError` — never returns a boolean a caller could forget to test.
 */
export function verifyEnvelope(kind: EnvelopeKind, rawBody: string, publicKey: RsaKey): Record<string, unknown> {
  const parts = cutSignedContent(kind, rawBody, publicKey.encoding);
  const signature = Buffer.from(parts.signature, 'base64');
  if (!publicKey.verify(parts.content, signature)) {
    throw new SandboxSignatureError(
      'SIGNATURE_MISMATCH',
      `signature does not verify over the raw ${kind} text with the ${publicKey.algorithm} ` +
        `(${publicKey.algorithm === 'RSA2' ? 'SHA256withRSA' : 'SHA1withRSA'}) key: sign exactly the bytes you send, ` +
        'with the matching private key and the configured algorithm',
    );
  }
  return JSON.parse(parts.content) as Record<string, unknown>;
}

function flip(char: string): string {
  if (char === '9') return '0';
  if (char === 'z') return 'a';
  if (char === 'Z') return 'A';
  return String.fromCharCode(char.charCodeAt(0) + 1);
}

/**
 * Test helper: changes one byte of the signed text (the last letter or digit inside a JSON string
 * value), so the body stays valid JSON and only the signature check can catch it.
 */
export function tamperSignedContent(kind: EnvelopeKind, rawBody: string): string {
  const { start, end } = cutSignedContent(kind, rawBody);
  let inString = false;
  let target = -1;
  for (let i = start; i < end; i += 1) {
    const char = rawBody[i] as string;
    if (inString && char === '\\') {
      i += 1;
      continue;
    }
    if (char === '"') inString = !inString;
    else if (inString && /[A-Za-z0-9]/.test(char)) target = i;
  }
  if (target < 0) throw new Error('nothing to tamper with: the signed text has no letters or digits in strings');
  return rawBody.slice(0, target) + flip(rawBody[target] as string) + rawBody.slice(target + 1);
}
