/**
 * The session token check: each refusal alone, and for every case the same answer as @fastify/jwt
 * (fast-jwt) verifying with the options sessionPlugin registers, which checked tokens before.
 */
import { createHmac } from 'node:crypto';
import jwt from '@fastify/jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_AUDIENCE, SESSION_ISSUER } from './session';
import { createSessionVerifier } from './session-token';

const SECRET = 'session-secret-for-the-token-tests-0123456789';
const NOW_S = 1_800_000_000;
const verify = createSessionVerifier({ secret: SECRET, issuer: SESSION_ISSUER, audience: SESSION_AUDIENCE, now: () => NOW_S * 1000 });

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function sign(content: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(content).digest('base64url');
}

/** An HS256 token over `claims` (and `header`), signed with `secret`. */
function token(claims: unknown, header: unknown = { alg: 'HS256', typ: 'JWT' }, secret = SECRET): string {
  const content = `${b64url(header)}.${b64url(claims)}`;
  return `${content}.${sign(content, secret)}`;
}

const valid = () => ({ sub: 'buyer-1', iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, iat: NOW_S - 10, exp: NOW_S + 600 });
const withClaims = (change: (c: Record<string, unknown>) => void) => {
  const claims: Record<string, unknown> = valid();
  change(claims);
  return token(claims);
};

const accepted: [string, string][] = [
  ['every claim', token(valid())],
  ['an audience array naming ours', withClaims((c) => (c.aud = ['someone', SESSION_AUDIENCE]))],
  ['an expiry of exactly now', withClaims((c) => (c.exp = NOW_S))],
  ['a not-before of exactly now', withClaims((c) => (c.nbf = NOW_S))],
  ['no typ in the header', token(valid(), { alg: 'HS256' })],
  ['the header in another order', token(valid(), { typ: 'JWT', alg: 'HS256' })],
  ['a falsy crit', token(valid(), { alg: 'HS256', crit: '' })],
];

const refused: [string, string][] = [
  ['no exp', withClaims((c) => delete c.exp)],
  ['no sub', withClaims((c) => delete c.sub)],
  ['an empty sub', withClaims((c) => (c.sub = ''))],
  ['a numeric sub', withClaims((c) => (c.sub = 42))],
  ['no iss', withClaims((c) => delete c.iss)],
  ['no aud', withClaims((c) => delete c.aud)],
  ['another issuer', withClaims((c) => (c.iss = 'someone-else'))],
  ['an issuer array', withClaims((c) => (c.iss = [SESSION_ISSUER]))],
  ['another audience', withClaims((c) => (c.aud = 'tradepay-admin'))],
  ['an audience array without ours', withClaims((c) => (c.aud = ['tradepay-admin']))],
  ['an empty audience array', withClaims((c) => (c.aud = []))],
  ['an audience array with a non-string', withClaims((c) => (c.aud = [SESSION_AUDIENCE, 7]))],
  ['an expiry in the past', withClaims((c) => (c.exp = NOW_S - 1))],
  ['a string expiry', withClaims((c) => (c.exp = String(NOW_S + 600)))],
  ['a null expiry', withClaims((c) => (c.exp = null))],
  ['a not-before in the future', withClaims((c) => (c.nbf = NOW_S + 1))],
  ['a string not-before', withClaims((c) => (c.nbf = String(NOW_S)))],
  ['a null not-before', withClaims((c) => (c.nbf = null))],
  ['another key', token(valid(), undefined, 'not-the-session-secret-0123456789abcdef')],
  ['alg none, unsigned', `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(valid())}.`],
  ['alg none, signed', token(valid(), { alg: 'none' })],
  ['alg HS384', token(valid(), { alg: 'HS384' })],
  ['alg RS256', token(valid(), { alg: 'RS256' })],
  ['no alg', token(valid(), { typ: 'JWT' })],
  ['a crit extension', token(valid(), { alg: 'HS256', crit: ['exp'] })],
  ['an array header', token(valid(), ['HS256'])],
  ['a null payload', token(null)],
  ['an array payload', token([valid()])],
  ['a payload that is not JSON', token('not json')],
  ['a header that is not JSON', token(valid(), 'not json')],
  ['a truncated signature', token(valid()).slice(0, -2)],
  ['a signature with padding', `${token(valid())}=`],
  [
    'a signature in base64 (not url) form',
    (() => {
      const content = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(valid())}`;
      return `${content}.${createHmac('sha256', SECRET).update(content).digest('base64')}`;
    })(),
  ],
  [
    'a payload with whitespace',
    (() => {
      const content = `${b64url({ alg: 'HS256', typ: 'JWT' })}. ${b64url(valid())}`;
      return `${content}.${sign(content)}`;
    })(),
  ],
  [
    'an altered payload',
    (() => {
      const [h, , s] = token(valid()).split('.');
      return `${h}.${b64url({ ...valid(), sub: 'buyer-2' })}.${s}`;
    })(),
  ],
  ['four segments', `${token(valid())}.${sign('x')}`],
  ['two segments', `${b64url({ alg: 'HS256' })}.${b64url(valid())}`],
  ['no header segment', `.${b64url(valid())}.${sign(`.${b64url(valid())}`)}`],
  ['an empty token', ''],
  ['a word', 'Bearer'],
];

describe('the session token check', () => {
  it('a token from @fastify/jwt has the header it decodes without parsing', async () => {
    const app = Fastify();
    await app.register(jwt, { secret: SECRET, sign: { algorithm: 'HS256', iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, expiresIn: 600 } });
    await app.ready();
    const issued = app.jwt.sign({ sub: 'buyer-1' });
    await app.close();
    expect(issued.slice(0, issued.indexOf('.'))).toBe(Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'));
    expect(createSessionVerifier({ secret: SECRET, issuer: SESSION_ISSUER, audience: SESSION_AUDIENCE })(issued)).toBe('buyer-1');
  });

  it.each(accepted)('accepts a token with %s', (_name, value) => {
    expect(verify(value)).toBe('buyer-1');
  });

  it.each(refused)('refuses a token with %s', (_name, value) => {
    expect(verify(value)).toBeNull();
  });

  it('reads the clock on every call', () => {
    let now = NOW_S * 1000;
    const at = createSessionVerifier({ secret: SECRET, issuer: SESSION_ISSUER, audience: SESSION_AUDIENCE, now: () => now });
    const value = token(valid());
    expect(at(value)).toBe('buyer-1');
    now = (NOW_S + 601) * 1000;
    expect(at(value)).toBeNull();
  });
});

describe('the same answers as @fastify/jwt with the options sessionPlugin registers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(jwt, {
      secret: SECRET,
      verify: {
        algorithms: ['HS256'],
        allowedIss: SESSION_ISSUER,
        allowedAud: SESSION_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iss', 'aud'],
        clockTimestamp: NOW_S * 1000,
      },
    });
    await app.ready();
  });
  afterAll(async () => app.close());

  /** What sessionPlugin answered before: the subject when fast-jwt verifies and it is a non-empty string. */
  function before(value: string): string | null {
    try {
      const { sub } = app.jwt.verify<{ sub?: unknown }>(value);
      return typeof sub === 'string' && sub.length > 0 ? sub : null;
    } catch {
      return null;
    }
  }

  it.each([...accepted, ...refused])('a token with %s', (_name, value) => {
    expect(verify(value)).toBe(before(value));
  });
});
