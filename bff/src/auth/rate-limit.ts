/**
 * Rate limits of the buyer-facing routes. The key is the buyer of a *verified* session, else the
 * client IP: a token that does not verify (a forged `sub`, no `exp`, another issuer) counts against
 * its sender's IP, so it can neither use up a real buyer's budget nor open a fresh one. Signing in
 * (`POST /api/session`, which costs a signature and a gateway call) also has a tighter limit per IP.
 *
 * The check is one onRequest hook of the buyer scope, so it runs before the routes' own
 * authentication hooks: a request that fails authentication still counts.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

const MINUTE_MS = 60_000;

export interface BuyerRateLimitOptions {
  /** Requests per verified buyer (or per IP without a verified session) per minute. */
  perMinute: number;
  /** `POST /api/session` per IP per minute. */
  signInPerMinute: number;
}

/** Registers the limits on the scope it is registered in (the buyer routes' scope). */
export const buyerRateLimit = fp<BuyerRateLimitOptions>(
  async (scope, options) => {
    // global: false — no per-route hooks; the scope hook below is the only place limits apply.
    await scope.register(rateLimit, {
      global: false,
      max: options.perMinute,
      timeWindow: MINUTE_MS,
      keyGenerator: (request) => {
        const buyerId = scope.verifiedBuyerId(request);
        return buyerId ? `buyer:${buyerId}` : ipKey(request);
      },
      // An AppError, so the error handler answers {error:{code, message}} with the message kept.
      errorResponseBuilder: (_request, context) => tooMany(context.ttl),
    });
    const perBuyer = scope.rateLimit();
    const signIn = scope.createRateLimit({ max: options.signInPerMinute, timeWindow: MINUTE_MS, keyGenerator: ipKey });

    scope.addHook('onRequest', async (request, reply) => {
      if (request.method === 'POST' && request.routeOptions.url === '/api/session') {
        const result = await signIn(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header('retry-after', result.ttlInSeconds);
          throw tooMany(result.ttl);
        }
      }
      await perBuyer.call(scope, request, reply);
    });
  },
  { name: 'tradepay-buyer-rate-limit', dependencies: ['tradepay-session'] },
);

function tooMany(ttlMs: number): AppError {
  return new AppError('RATE_LIMITED', `Too many requests; retry in ${Math.ceil(ttlMs / 1000)} s`);
}

function ipKey(request: FastifyRequest): string {
  return `ip:${request.ip}`;
}
