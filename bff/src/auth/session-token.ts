/**
 * The session token check, on node:crypto: one HMAC-SHA256 and two JSON.parse per request, with a key
 * object built once. It accepts exactly what @fastify/jwt (fast-jwt) accepted with our options
 * (`algorithms: ['HS256']`, `allowedIss`, `allowedAud`, `requiredClaims: sub, exp, iss, aud`, no
 * clock tolerance) and what sessionPlugin added (a non-empty string `sub`):
 *   - a compact JWS of three base64url segments (no padding, no other characters; RFC 7515 §3.1);
 *   - a header that is a JSON object with `alg` exactly `HS256` and no (truthy) `crit`: no extension is
 *     understood, so any listed one refuses the token (RFC 7515 §4.1.11);
 *   - a signature equal, in constant time, to HMAC-SHA256 of `header.payload` under the session secret;
 *   - a payload that is a JSON object naming `sub`, `exp`, `iss` and `aud`; `iss` our issuer; `aud` our
 *     audience, or an array of strings containing it (RFC 7519 §4.1.3); `exp` a number not in the past;
 *     `nbf`, when present, a number not in the future (RFC 7519 §4.1.4–4.1.5).
 * Tokens are still issued by @fastify/jwt (sessionPlugin), so their bytes are unchanged.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface SessionVerifierOptions {
  secret: string;
  issuer: string;
  audience: string;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/** A token → its subject when every rule above holds; null otherwise. Never throws. */
export type SessionVerifier = (token: string) => string | null;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** The header of every token we issue (@fastify/jwt's HS256 signer): accepted without decoding it. */
const ISSUED_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
/** HMAC-SHA256 is 32 bytes. */
const MAC_BYTES = 32;

export function createSessionVerifier(options: SessionVerifierOptions): SessionVerifier {
  const key: KeyObject = createSecretKey(Buffer.from(options.secret, 'utf8'));
  const now = options.now ?? Date.now;
  const { issuer, audience } = options;

  return (token) => {
    const first = token.indexOf('.');
    const last = token.lastIndexOf('.');
    if (first <= 0 || first >= last || last === token.length - 1) return null;
    const headerPart = token.slice(0, first);
    const payloadPart = token.slice(first + 1, last);
    const macPart = token.slice(last + 1);
    if (!BASE64URL.test(headerPart) || !BASE64URL.test(payloadPart) || !BASE64URL.test(macPart)) return null;

    const given = Buffer.from(macPart, 'base64url');
    if (given.length !== MAC_BYTES) return null;
    const expected = createHmac('sha256', key).update(token.slice(0, last)).digest();
    if (!timingSafeEqual(given, expected)) return null;

    if (headerPart !== ISSUED_HEADER) {
      const header = parseObject(headerPart);
      if (header === null || header.alg !== 'HS256' || header.crit) return null;
    }
    const claims = parseObject(payloadPart);
    if (claims === null) return null;
    const { sub, exp, iss, aud, nbf } = claims;
    if (typeof sub !== 'string' || sub.length === 0) return null;
    if (iss !== issuer || !hasAudience(aud, audience)) return null;
    const at = now();
    if (typeof exp !== 'number' || at > exp * 1000) return null;
    if ('nbf' in claims && (typeof nbf !== 'number' || at < nbf * 1000)) return null;
    return sub;
  };
}

/** A base64url segment's JSON, when it is an object (not an array, not null); else null. */
function parseObject(segment: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function hasAudience(aud: unknown, audience: string): boolean {
  if (aud === audience) return true;
  if (!Array.isArray(aud)) return false;
  return aud.every((value) => typeof value === 'string') && aud.includes(audience);
}
