/**
 * The mobile-browser checkout (H5 channel): `GET /h5/` (catalog, cart, wallet, Pay) and
 * `GET /h5/return?order=…` (the order's server-side status). The pages are static HTML from `bff/h5/`
 * (one `layout.html` around each page's `<main>` in `bff/h5/pages/`, put together once at start-up);
 * their one script is bundled by esbuild from `bff/h5/src/main.ts` (which imports @tradepay/shared)
 * into memory once per process, at start-up. This scope sets strict security headers: a CSP with no
 * inline script or style, no framing, no MIME sniffing, and only the origin as referrer.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { build } from 'esbuild';

const H5_DIR = fileURLToPath(new URL('../../h5/', import.meta.url));

export interface H5Assets {
  checkoutHtml: string;
  returnHtml: string;
  css: string;
  script: string;
}

export const H5_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  // The wallet may check that the shopper comes from the registered H5 domain: send the origin, not the path.
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** What differs between the two pages' documents besides their `<main>` (bff/h5/pages/*.html). */
const PAGES = {
  checkout: {
    titleKey: 'checkout.title',
    title: 'TradePay · Checkout',
    noscript: 'This checkout needs JavaScript. 此結帳頁面需要 JavaScript。',
  },
  return: { titleKey: 'return.title', title: 'TradePay · Payment', noscript: 'This page needs JavaScript. 此頁面需要 JavaScript。' },
} as const;

/** The layout with one page's fields and its `<main>` (indented to sit inside `<body>`). */
export function renderH5Page(layout: string, page: keyof typeof PAGES, main: string): string {
  const fields: Record<string, string> = { ...PAGES[page], page, main: main.trimEnd().replaceAll('\n', '\n    ') };
  return layout.replace(/\{\{(\w+)\}\}/g, (_, name: string) => fields[name] ?? '');
}

let assets: Promise<H5Assets> | undefined;

/** Reads the pages and bundles the script, once per process (every app built in a test shares it). */
export function loadH5Assets(): Promise<H5Assets> {
  assets ??= (async () => {
    const [layout, checkoutMain, returnMain, css, bundle] = await Promise.all([
      readFile(join(H5_DIR, 'layout.html'), 'utf8'),
      readFile(join(H5_DIR, 'pages/checkout.html'), 'utf8'),
      readFile(join(H5_DIR, 'pages/return.html'), 'utf8'),
      readFile(join(H5_DIR, 'h5.css'), 'utf8'),
      build({
        entryPoints: [join(H5_DIR, 'src/main.ts')],
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        // Phones a few years old: Safari 14, Chrome 80.
        target: ['es2020', 'safari14', 'chrome80'],
        minify: true,
        legalComments: 'none',
        logLevel: 'silent',
      }),
    ]);
    const script = bundle.outputFiles[0]?.text;
    if (!script) throw new Error('h5: esbuild produced no script');
    const checkoutHtml = renderH5Page(layout, 'checkout', checkoutMain);
    const returnHtml = renderH5Page(layout, 'return', returnMain);
    return { checkoutHtml, returnHtml, css, script };
  })();
  assets.catch(() => {
    assets = undefined;
  });
  return assets;
}

export const h5Routes: FastifyPluginAsyncTypebox = async (app) => {
  const { checkoutHtml, returnHtml, css, script } = await loadH5Assets();

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(H5_SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });

  const html = { 200: { type: 'string' } } as const;
  const hide = { hide: true } as const;

  app.get('/h5', { schema: hide }, async (_request, reply) => reply.redirect('/h5/', 308));

  app.get('/h5/', { schema: { ...hide, response: html } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(checkoutHtml),
  );

  // The return page takes any query string: gateways may append their own parameters. The page
  // reads `order` only, and the status it shows always comes from the API.
  app.get('/h5/return', { schema: { ...hide, response: html } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(returnHtml),
  );

  app.get('/h5/app.js', { schema: hide }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script),
  );

  app.get('/h5/h5.css', { schema: hide }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(css),
  );
};
