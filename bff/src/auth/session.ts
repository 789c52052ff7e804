/**
 * Buyer sessions and the admin credential. A session is a short-lived HS256 token naming the buyer
 * (issued after the wallet vouched for them through applyToken); every /api/orders* route needs one.
 * A token is accepted only with our issuer and audience, a subject and an expiry (a token without
 * `exp` would never end). Admin routes need `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

declare module 'fastify' {
  interface FastifyInstance {
    authenticateBuyer(request: FastifyRequest, reply: FastifyReply): Promise<void>;
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

    // The rate limiter and the route both ask; the token is verified once per request.
    const verified = new WeakMap<FastifyRequest, string | null>();
    function verifiedBuyerId(request: FastifyRequest): string | null {
      if (verified.has(request)) return verified.get(request) ?? null;
      const header = request.headers.authorization;
      let buyerId: string | null = null;
      if (header?.startsWith('Bearer ')) {
        try {
          const { sub } = app.jwt.verify<{ sub?: unknown }>(header.slice(7));
          if (typeof sub === 'string' && sub.length > 0) buyerId = sub;
        } catch {
          // not ours, altered, expired or missing a required claim: no buyer
        }
      }
      verified.set(request, buyerId);
      return buyerId;
    }
    app.decorate('verifiedBuyerId', verifiedBuyerId);

    app.decorate('issueSession', (buyerId: string) => ({
      token: app.jwt.sign({ sub: buyerId }),
      expiresAt: new Date(Date.now() + options.ttlSeconds * 1000).toISOString(),
    }));

    app.decorate('authenticateBuyer', async (request: FastifyRequest) => {
      const buyerId = verifiedBuyerId(request);
      if (!buyerId) throw new AppError('UNAUTHORIZED', 'Sign in first: send Authorization: Bearer <session token from POST /api/session>');
      request.buyerId = buyerId;
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
