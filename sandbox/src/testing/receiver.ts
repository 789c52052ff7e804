/** Test support: a merchant endpoint on a loopback port. */
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';

/**
 * Serves `handler` at POST `path` with JSON bodies kept as raw text (signatures are checked over the
 * bytes received), listens on a free loopback port and returns the endpoint's URL.
 */
export async function listenRawJson(app: FastifyInstance, path: string, handler: RouteHandlerMethod): Promise<string> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post(path, handler);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}${path}`;
}
