/**
 * The notification baseline: a tiny Fastify server whose one route does only what every
 * notification needs first — cut the signed parts out of the raw body and verify the gateway's
 * signature, with the BFF's own verifier (createRsaVerifier + cutSignedParts, node-rsa, PKCS#1 v1.5)
 * — and answers 200. No store, no order lookup, no signed acknowledgement.
 * Run as its own process: `node --import tsx bench/lib/verify-server.ts` with PORT and KEY_FILE.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { cutSignedParts } from '../../bff/src/channels/alipayhk/sign-content';
import { createRsaVerifier, parseRsaKey } from '../../bff/src/channels/alipayhk/signing';

const port = Number(process.env.PORT);
const verifier = createRsaVerifier(parseRsaKey(readFileSync(process.env.KEY_FILE!, 'utf8'), 'public'), 'RSA2');

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/notify/alipayhk', async (request, reply) => {
  try {
    const parts = cutSignedParts(typeof request.body === 'string' ? request.body : '', 'request');
    verifier.verify(parts.content, parts.signature);
  } catch (error) {
    return reply.code(400).send({ error: (error as Error).message });
  }
  return { verified: true };
});
app.get('/healthz', async () => ({ status: 'ok' }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
await app.listen({ port, host: '127.0.0.1' });
