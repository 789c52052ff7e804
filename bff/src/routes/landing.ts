/**
 * `GET /`: in sandbox mode a small page of links for a developer who just ran `pnpm start`; in live
 * mode the plain 404 JSON of any unknown path (a shop's API origin has nothing to show at its root).
 */
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { ERROR_CODES } from '../errors';

const MINIAPP_DIST = fileURLToPath(new URL('../../../miniapp/dist', import.meta.url));

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function landingPage(links: { bffUrl: string; sandboxUrl: string; miniappDir: string }): string {
  const a = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const { bffUrl, sandboxUrl } = links;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>TradePay (sandbox)</title></head>
<body>
<h1>TradePay is running in sandbox mode</h1>
<ul>
<li>${a(`${bffUrl}/docs`, 'API docs')} (OpenAPI, contract v1)</li>
<li>${a(`${bffUrl}/h5/`, 'H5 checkout')} (mobile browser; device mode shows the phone layout)</li>
<li>${a(`${sandboxUrl}/sandbox/ledger`, 'Sandbox ledger')} (payments, refunds, notifications the local gateway has seen)</li>
<li>The mini program: open <code>${escapeHtml(links.miniappDir)}</code> in the Alipay Mini Program Studio (built by <code>pnpm start</code>)</li>
</ul>
<h2>From a terminal</h2>
<p>The README's "Pay one order from a terminal" walk-through, then drive the sandbox:</p>
<pre>npx -y pnpm@10.34.9 sandbox pay ord_… --outcome success
npx -y pnpm@10.34.9 sandbox notify ord_…
npx -y pnpm@10.34.9 sandbox ledger --order ord_…
npx -y pnpm@10.34.9 admin orders</pre>
</body></html>
`;
}

export const landingRoutes: FastifyPluginAsync = async (app) => {
  const { config } = app;
  const html = config.sandboxMode
    ? landingPage({ bffUrl: config.publicUrl, sandboxUrl: config.alipayhk.gatewayUrl.replace(/\/+$/, ''), miniappDir: MINIAPP_DIST })
    : null;
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (html === null)
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: ERROR_CODES.NOT_FOUND.message }, requestId: request.id });
    return reply
      .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html);
  });
};
