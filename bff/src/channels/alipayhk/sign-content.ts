/**
 * What AlipayHK signs (docs/protocols/alipayhk.md#what-is-signed): the exact JSON text of the value of `request` (or
 * `response`). The signer serialises once and splices those same bytes into the envelope; the
 * verifier cuts the raw substring out of the body and never re-serialises.
 */

export type EnvelopeKind = 'request' | 'response';

/** Builds `{"request":<content>,"signature":"<signature>"}` around already-serialised content. */
export function toEnvelopeText(kind: EnvelopeKind, content: string, signature: string): string {
  return `{"${kind}":${content},"signature":"${signature}"}`;
}

export interface SignedParts {
  /** The exact bytes that were signed. */
  content: string;
  /** Base64 signature, URL-decoded when it arrived `%`-encoded. */
  signature: string;
}

export class MalformedEnvelopeError extends Error {
  override readonly name = 'MalformedEnvelopeError';
}

const SIGNATURE_TAIL = /,\s*"signature"\s*:\s*"([^"\\]*)"\s*\}\s*$/;
/** The envelope's opening, compiled once per kind. */
const ENVELOPE_HEAD: Record<EnvelopeKind, RegExp> = {
  request: /^\s*\{\s*"request"\s*:/,
  response: /^\s*\{\s*"response"\s*:/,
};

/**
 * Cuts the signed content and the signature out of a raw envelope. Strict on purpose: the envelope
 * must be `{"<kind>": …, "signature": "…"}` in that order, so the bytes we verify are the bytes we
 * then parse (a body with a second `request` key cannot smuggle unsigned content past us).
 */
export function cutSignedParts(raw: string, kind: EnvelopeKind): SignedParts {
  const head = ENVELOPE_HEAD[kind].exec(raw);
  if (!head) throw new MalformedEnvelopeError(`envelope must start with {"${kind}": — is this the raw request body?`);
  const tail = SIGNATURE_TAIL.exec(raw);
  if (!tail || tail.index < head[0].length) {
    throw new MalformedEnvelopeError('envelope must end with ,"signature":"<base64>"}');
  }
  const content = raw.slice(head[0].length, tail.index).trim();
  let signature = tail[1] ?? '';
  if (signature.includes('%')) {
    try {
      signature = decodeURIComponent(signature);
    } catch {
      throw new MalformedEnvelopeError('signature is not valid URL encoding');
    }
  }
  if (content.length === 0 || signature.length === 0) throw new MalformedEnvelopeError('envelope has an empty part');
  return { content, signature };
}

/**
 * `toRfc3339` of a clock's readings, worked out once per second of them: the text has no finer
 * resolution, and one instant has one offset.
 */
export function rfc3339PerSecond(): (date: Date) => string {
  let second = Number.NaN;
  let text = '';
  return (date) => {
    const at = Math.floor(date.getTime() / 1000);
    if (at !== second) {
      text = toRfc3339(date);
      second = at;
    }
    return text;
  };
}

/** RFC 3339 with the local offset, as AlipayHK's examples show: 2018-12-04T22:00:53-08:00. */
export function toRfc3339(date: Date, offsetMinutes = -date.getTimezoneOffset()): string {
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${shifted.toISOString().slice(0, 19)}${offset}`;
}
