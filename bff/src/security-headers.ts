/**
 * Headers every answer needs whatever route made it (errors, 404s and 429s included): API and admin
 * answers are never sniffed into another type nor cached (they carry orders, tokens, buyer data),
 * the API docs page cannot be framed, and with an https PUBLIC_URL browsers are told to stay on https.
 * The H5 pages set their own, stricter set in their scope.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityHeadersOptions {
  /** Send Strict-Transport-Security (PUBLIC_URL is https). */
  hsts: boolean;
}

/** One year, this host only: subdomains may be other services of the shop. */
export const HSTS_VALUE = 'max-age=31536000';

export const securityHeaders = fp<SecurityHeadersOptions>(
  async (app, options) => {
    // A callback hook: no promise per answer.
    app.addHook('onSend', (request, reply, payload, done) => {
      const path = pathOf(request);
      if (isUnder(path, '/api') || isUnder(path, '/admin')) {
        reply.header('x-content-type-options', 'nosniff');
        reply.header('cache-control', 'no-store');
      } else if (isUnder(path, '/docs')) {
        reply.header('x-frame-options', 'DENY');
        if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "frame-ancestors 'none'");
        reply.header('x-content-type-options', 'nosniff');
      }
      if (options.hsts) reply.header('strict-transport-security', HSTS_VALUE);
      done(null, payload);
    });
  },
  { name: 'tradepay-security-headers' },
);

function pathOf(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at === -1 ? request.url : request.url.slice(0, at);
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
