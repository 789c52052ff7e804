/**
 * Buyer sessions and the admin credential. A session is a short-lived HS256 token naming the buyer
 * (issued after the wallet vouched for them through applyToken); every /api/orders* route needs one.
 * A token is accepted only with our issuer and audience, a subject and an expiry (a token without
 * `exp` would never end). Admin routes need `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';
import { createSessionVerifier } from './session-token';

declare module 'fastify' {
  interface FastifyInstance {
    /** An onRequest hook (callback style: no promise per request). */
    authenticateBuyer(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
    authenticateAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    issueSession(buyerId: string): { token: string; expiresAt: string };
    /** The buyer of the request's bearer token if it verifies; null otherwise. Never throws. */
    verifiedBuyerId(request: FastifyRequest): string | null;
  }
  interface FastifyRequest {
    buyerId: string;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string };
    user: { sub: string; exp: number };
  }
}

export interface SessionOptions {
  secret: string;
  ttlSeconds: number;
  adminToken: string | null;
}

/** Who issues session tokens and for whom: a token made for anything else (same secret or not) is refused. */
export const SESSION_ISSUER = 'tradepay-bff';
export const SESSION_AUDIENCE = 'tradepay-api';

/** The request's verified buyer: not checked yet (null), none (false), or the buyer id. */
const VERIFIED = Symbol('tradepay.verifiedBuyer');
type Checked = { [VERIFIED]: string | false | null };

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export const sessionPlugin = fp<SessionOptions>(
  async (app, options) => {
    await app.register(jwt, {
      secret: options.secret,
      sign: { algorithm: 'HS256', expiresIn: options.ttlSeconds, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE },
      verify: {
        algorithms: ['HS256'],
        allowedIss: SESSION_ISSUER,
        allowedAud: SESSION_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iss', 'aud'],
      },
    });
    app.decorateRequest('buyerId', '');

    // Tokens are issued by @fastify/jwt above and checked by session-token.ts, which accepts exactly
    // what the verify options above describe, with one HMAC and no per-call option merging.
    const verify = createSessionVerifier({ secret: options.secret, issuer: SESSION_ISSUER, audience: SESSION_AUDIENCE });
    // The rate limiter and the route both ask; the token is verified once per request.
    app.decorateRequest(VERIFIED, null);
    function verifiedBuyerId(request: FastifyRequest): string | null {
      const checked = request as unknown as Checked;
      const known = checked[VERIFIED];
      if (known !== null) return known || null;
      const header = request.headers.authorization;
      const buyerId = header?.startsWith('Bearer ') ? verify(header.slice(7)) : null;
      checked[VERIFIED] = buyerId ?? false;
      return buyerId;
    }
    app.decorate('verifiedBuyerId', verifiedBuyerId);

    app.decorate('issueSession', (buyerId: string) => ({
      token: app.jwt.sign({ sub: buyerId }),
      expiresAt: new Date(Date.now() + options.ttlSeconds * 1000).toISOString(),
    }));

    app.decorate('authenticateBuyer', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const buyerId = verifiedBuyerId(request);
      if (!buyerId)
        return done(new AppError('UNAUTHORIZED', 'Sign in first: send Authorization: Bearer <session token from POST /api/session>'));
      request.buyerId = buyerId;
      done();
    });

    const expected = options.adminToken ? digest(options.adminToken) : null;
    app.decorate('authenticateAdmin', async (request: FastifyRequest) => {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      // Hashing first makes the comparison constant-time whatever the lengths.
      if (!expected || given.length === 0 || !timingSafeEqual(digest(given), expected)) {
        throw new AppError('UNAUTHORIZED', 'Admin routes need Authorization: Bearer $ADMIN_TOKEN');
      }
    });
  },
  { name: 'tradepay-session' },
);
