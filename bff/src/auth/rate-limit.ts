/**
 * Rate limits of the buyer-facing routes. The key is the buyer of a *verified* session, else the
 * client IP: a token that does not verify (a forged `sub`, no `exp`, another issuer) counts against
 * its sender's IP, so it can neither use up a real buyer's budget nor open a fresh one. Signing in
 * (`POST /api/session`, which costs a signature and a gateway call) also has a tighter limit per IP.
 *
 * The check is one onRequest hook of the buyer scope, so it runs before the routes' own
 * authentication hooks: a request that fails authentication still counts. It is synchronous (a
 * callback hook, no promise per request) and answers as @fastify/rate-limit's local store did:
 * fixed windows per key, the 5,000 most recently seen keys kept, `x-ratelimit-limit`,
 * `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds) on every answer, `retry-after` on a 429.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

const MINUTE_MS = 60_000;
/** Keys remembered per limit (the least recently seen is forgotten first). */
const KEYS_KEPT = 5_000;

export interface BuyerRateLimitOptions {
  /** Requests per verified buyer (or per IP without a verified session) per minute. */
  perMinute: number;
  /** `POST /api/session` per IP per minute. */
  signInPerMinute: number;
}

/** Registers the limits on the scope it is registered in (the buyer routes' scope). */
export const buyerRateLimit = fp<BuyerRateLimitOptions>(
  async (scope, options) => {
    const perBuyer = createWindowCounter({ windowMs: MINUTE_MS, keysKept: KEYS_KEPT });
    const signIn = createWindowCounter({ windowMs: MINUTE_MS, keysKept: KEYS_KEPT });
    const max = options.perMinute;

    scope.addHook('onRequest', (request, reply, done) => {
      if (request.method === 'POST' && request.routeOptions.url === '/api/session') {
        const hit = signIn.hit(ipKey(request));
        if (hit.count > options.signInPerMinute) {
          reply.header('retry-after', seconds(hit.ttlMs));
          return done(tooMany(hit.ttlMs));
        }
      }
      const buyerId = scope.verifiedBuyerId(request);
      const hit = perBuyer.hit(buyerId ? `buyer:${buyerId}` : ipKey(request));
      const exceeded = hit.count > max;
      setLimitHeaders(reply, max, exceeded ? 0 : max - hit.count, seconds(hit.ttlMs));
      if (!exceeded) return done();
      reply.header('retry-after', seconds(hit.ttlMs));
      done(tooMany(hit.ttlMs));
    });
  },
  { name: 'tradepay-buyer-rate-limit', dependencies: ['tradepay-session'] },
);

function setLimitHeaders(reply: FastifyReply, limit: number, remaining: number, resetSeconds: number): void {
  reply.header('x-ratelimit-limit', limit);
  reply.header('x-ratelimit-remaining', remaining);
  reply.header('x-ratelimit-reset', resetSeconds);
}

export interface WindowHit {
  /** Requests of this key in its current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  ttlMs: number;
}

export interface WindowCounter {
  hit(key: string): WindowHit;
}

/**
 * Fixed windows per key: a key's window starts at its first request (or its first after the last
 * window ended) and lasts `windowMs`. Only the `keysKept` most recently seen keys are remembered, so
 * memory stays bounded whatever the number of buyers; a forgotten key starts a fresh window.
 */
export function createWindowCounter(options: { windowMs: number; keysKept: number; now?: () => number }): WindowCounter {
  const { windowMs, keysKept } = options;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting a key on each hit keeps the least recent first.
  const windows = new Map<string, { count: number; startedAt: number }>();
  return {
    hit(key) {
      const at = now();
      let window = windows.get(key);
      if (window) windows.delete(key);
      if (!window || window.startedAt + windowMs <= at) window = { count: 1, startedAt: at };
      else window.count += 1;
      windows.set(key, window);
      if (windows.size > keysKept) windows.delete(windows.keys().next().value!);
      return { count: window.count, ttlMs: windowMs - (at - window.startedAt) };
    },
  };
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

function tooMany(ttlMs: number): AppError {
  return new AppError('RATE_LIMITED', `Too many requests; retry in ${seconds(ttlMs)} s`);
}

function ipKey(request: FastifyRequest): string {
  return `ip:${request.ip}`;
}
