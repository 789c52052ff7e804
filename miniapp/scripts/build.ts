/**
 * Builds `miniapp/dist`, the folder the Alipay Mini Program Studio opens:
 *   tsx scripts/build.ts            type-check (fails on a type error), then bundle once (IDE/sandbox build)
 *   tsx scripts/build.ts --release  the version uploaded to AlipayHK: refuses an http:// or IP API_BASE_URL
 *                                   (a released mini program may only call https domains on its allow-list),
 *                                   and never signs in as a guest
 *   tsx scripts/build.ts --watch    bundle on every change; tsc --watch reports type errors alongside
 *
 * Each entry (app.ts and every page of app.json) is bundled with what it imports from `shared/` into
 * one CommonJS file at ES2017. `API_BASE_URL` (default: the local BFF) and `MINIAPP_AUTH_CLIENT_ID`
 * (the `authClientId` of `my.getAuthCode`, default none) are injected at build time. Per-language page
 * titles go to `locale/<lang>/app.json`, from the mini program's own texts.
 */
import { spawn } from 'node:child_process';
import { statSync, watch as watchFiles } from 'node:fs';
import { access, cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { MESSAGES } from '../src/i18n/messages';

export const MINIAPP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SRC_DIR = path.join(MINIAPP_DIR, 'src');
export const DEFAULT_OUT_DIR = path.join(MINIAPP_DIR, 'dist');
export const DEFAULT_API_BASE_URL = 'http://127.0.0.1:3000';

/** The files beside app.ts, and beside each page's index.ts, that are copied as they are. */
const APP_STATIC = ['app.json', 'app.acss', 'mini.project.json'];
const PAGE_STATIC = ['.axml', '.acss', '.json'];

const require = createRequire(import.meta.url);

export interface BuildOptions {
  outDir?: string;
  /** Default: `process.env.API_BASE_URL`, else the local BFF. */
  apiBaseUrl?: string;
  /** The version uploaded to AlipayHK (`--release`): https and a domain name only, no guest sign-in. */
  release?: boolean;
  /** Default: `process.env.MINIAPP_AUTH_CLIENT_ID`, else none. */
  authClientId?: string;
  /** Run `tsc --noEmit -p miniapp/tsconfig.json` first and fail on a type error (default true). */
  typecheck?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult {
  outDir: string;
  apiBaseUrl: string;
  release: boolean;
  /** What the IDE build would refuse as a release (an http:// or IP URL), said once at build time. */
  warnings: string[];
  /** Output file → bytes. */
  files: Record<string, number>;
  totalBytes: number;
}

/** `https://bff.example.com/` → `https://bff.example.com`; anything but a plain http(s) URL fails the build. */
export function parseApiBaseUrl(value: string | undefined): string {
  const text = value === undefined || value.trim() === '' ? DEFAULT_API_BASE_URL : value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`API_BASE_URL is not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`API_BASE_URL must be http(s): ${text}`);
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('API_BASE_URL must be a plain origin (and path): no credentials, query or fragment end up in the bundle');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Why a released mini program could not call this URL: "HTTPS only … 暂不支持 IP 地址请求，不支持 HTTP 请求"
 * (opendocs.alipay.com/mini: 网络 API 使用须知.md and the my.request FAQ); null when it can.
 */
export function releaseProblem(apiBaseUrl: string): string | null {
  const url = new URL(apiBaseUrl);
  if (url.protocol !== 'https:') return `API_BASE_URL ${apiBaseUrl} is not https: a released mini program may call https only`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname.startsWith('['))
    return `API_BASE_URL ${apiBaseUrl} is an IP address: a released mini program may call allow-listed domain names only`;
  if (url.hostname === 'localhost' || !url.hostname.includes('.')) return `API_BASE_URL ${apiBaseUrl} is not a public domain name`;
  return null;
}

/** A `my.getAuthCode` authClientId (AlipayHK's merchant id): letters and digits only, or none. */
export function parseAuthClientId(value: string | undefined): string {
  const id = (value ?? '').trim();
  if (id !== '' && !/^[A-Za-z0-9_-]{1,64}$/.test(id))
    throw new Error(`MINIAPP_AUTH_CLIENT_ID must be letters, digits, "_" or "-": ${JSON.stringify(id)}`);
  return id;
}

/** The languages `locale/<lang>/app.json` may name (OD 小程序 tabBar、titleBar 多语言配置.md), and our texts for each. */
export const LOCALE_FILES = { en: 'en', 'zh-Hans': 'zh-HK', 'zh-Hant': 'zh-HK', 'zh-HK': 'zh-HK' } as const;

/** `locale/<lang>/app.json` → `{window: {defaultTitle}, pages: {<page>: {defaultTitle}}}`, so no page flashes an English title. */
export function localeAppJsons(pages: string[]): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const [lang, locale] of Object.entries(LOCALE_FILES)) {
    const titles = MESSAGES[locale].titles as Record<string, string>;
    const pageTitles: Record<string, { defaultTitle: string }> = {};
    for (const page of pages) {
      const title = titles[page.split('/')[1] ?? ''];
      if (!title) throw new Error(`no title for ${page} in src/i18n/messages.ts (titles.<folder>)`);
      pageTitles[page] = { defaultTitle: title };
    }
    files[`locale/${lang}/app.json`] = { window: { defaultTitle: titles.checkout }, pages: pageTitles };
  }
  return files;
}

/**
 * antd-mini 3.x (the design's component library) as the Studio needs it, without a bundle per component
 * (miniapp-platform.md, "antd-mini 3.x"): each reachable component keeps its `axml/acss/json/sjs` as
 * they are under `dist/antd-mini/`, each of its `.js` files becomes CommonJS one file at a time, and the
 * npm packages they import are bundled once into `dist/antd-mini/_vendor.js`, which those files
 * `require` by relative path (so module state, e.g. the i18n store, is shared).
 */
export const ANTD_OUT = 'antd-mini';
/** The components our pages name (their `usingComponents` chains are followed). */
export const ANTD_COMPONENTS = ['Result', 'Tag', 'NoticeBar', 'Loading', 'Empty'];

function antdDir(): string {
  return path.join(path.dirname(require.resolve('antd-mini/package.json', { paths: [MINIAPP_DIR] })), 'es');
}

const IMPORT_PATTERN = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/g;

function resolveJs(fromFile: string, spec: string): string {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.js`, path.join(base, 'index.js')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  throw new Error(`antd-mini: cannot resolve ${spec} from ${fromFile}`);
}

async function bundleAntdMini(outDir: string): Promise<void> {
  const root = antdDir();
  const components = new Set<string>();
  const queue = [...ANTD_COMPONENTS];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (components.has(name)) continue;
    components.add(name);
    const json = JSON.parse(await readFile(path.join(root, name, 'index.json'), 'utf8')) as { usingComponents?: Record<string, string> };
    for (const target of Object.values(json.usingComponents ?? {}))
      queue.push(path.posix.relative(root, path.resolve(root, name, path.dirname(target))));
  }

  // The .js files reachable from the components, and the packages they import.
  const jsFiles = new Set<string>();
  const packages = new Set<string>();
  const pending = [...components].map((name) => path.join(root, name, 'index.js'));
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (jsFiles.has(file)) continue;
    jsFiles.add(file);
    for (const [, spec] of (await readFile(file, 'utf8')).matchAll(IMPORT_PATTERN)) {
      if ((spec as string).startsWith('.')) pending.push(resolveJs(file, spec as string));
      else packages.add(spec as string);
    }
  }

  const out = path.join(outDir, ANTD_OUT);
  // Templates, styles, configs and SJS as they are (SJS files import each other: copy every one of a used folder and of _util).
  const assetDirs = new Set([...components, '_util']);
  for (const dir of assetDirs) {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      if (!entry.isFile() || !/\.(axml|acss|json|sjs)$/.test(entry.name)) continue;
      await mkdir(path.join(out, dir), { recursive: true });
      await cp(path.join(root, dir, entry.name), path.join(out, dir, entry.name));
    }
  }
  for (const file of jsFiles) {
    const relative = path.relative(root, file);
    const vendorPath = path.posix.relative(path.posix.dirname(relative.split(path.sep).join('/')), '_vendor.js');
    const vendor = vendorPath.startsWith('.') ? vendorPath : `./${vendorPath}`;
    const { code } = await esbuild.transform(await readFile(file, 'utf8'), {
      loader: 'js',
      format: 'cjs',
      target: 'es2017',
      charset: 'utf8',
      legalComments: 'none',
    });
    const rewritten = code.replace(/require\("([^"]+)"\)/g, (whole, spec: string) => {
      if (spec.startsWith('.'))
        return `require(${JSON.stringify(
          path.posix
            .relative(path.dirname(file), resolveJs(file, spec))
            .split(path.sep)
            .join('/')
            .replace(/^(?!\.)/, './'),
        )})`;
      if (!packages.has(spec)) return whole;
      return `require(${JSON.stringify(vendor)})[${JSON.stringify(spec)}]`;
    });
    await mkdir(path.dirname(path.join(out, relative)), { recursive: true });
    await writeFile(path.join(out, relative), rewritten);
  }
  const entry = `module.exports = {${[...packages]
    .sort()
    .map((name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)})`)
    .join(', ')}};`;
  await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    outfile: path.join(out, '_vendor.js'),
    bundle: true,
    format: 'cjs',
    target: 'es2017',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
}

export async function readPages(): Promise<string[]> {
  const appJson = JSON.parse(await readFile(path.join(SRC_DIR, 'app.json'), 'utf8')) as { pages?: unknown };
  if (!Array.isArray(appJson.pages) || appJson.pages.length === 0 || !appJson.pages.every((p) => typeof p === 'string')) {
    throw new Error('src/app.json must list its pages');
  }
  return appJson.pages as string[];
}

async function assertSources(pages: string[]): Promise<void> {
  const missing: string[] = [];
  for (const file of ['app.ts', ...APP_STATIC, ...pages.flatMap((page) => ['.ts', ...PAGE_STATIC].map((ext) => page + ext))]) {
    await access(path.join(SRC_DIR, file)).catch(() => missing.push(`src/${file}`));
  }
  if (missing.length > 0) throw new Error(`app.json names files that do not exist: ${missing.join(', ')}`);
}

function tscArgs(extra: string[] = []): string[] {
  return [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', path.join(MINIAPP_DIR, 'tsconfig.json'), ...extra];
}

export function typecheck(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tscArgs(), { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error('miniapp: type errors (tsc -p miniapp/tsconfig.json); nothing was built')),
    );
  });
}

/**
 * `@tradepay/shared` is pure by design, but esbuild cannot know that its TypeBox schemas (api.ts,
 * re-exported by index.ts) have no side effects, so it would bundle TypeBox (~125 KB) into every
 * page. Marking shared's own files side-effect free lets esbuild drop every module whose exports no
 * page uses. (A `"sideEffects": false` in shared/package.json would do the same.)
 */
function pureSharedPlugin(): esbuild.Plugin {
  const sharedDir = path.dirname(require.resolve('@tradepay/shared', { paths: [MINIAPP_DIR] })) + path.sep;
  return {
    name: 'pure-shared',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.pureShared) return undefined;
        if (!args.path.startsWith('@tradepay/shared') && !args.importer.startsWith(sharedDir)) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { pureShared: true },
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { ...resolved, sideEffects: resolved.path.startsWith(sharedDir) ? false : resolved.sideEffects };
      });
    },
  };
}

function esbuildOptions(
  pages: string[],
  outDir: string,
  apiBaseUrl: string,
  settings: { release: boolean; authClientId: string } = { release: false, authClientId: '' },
): esbuild.BuildOptions {
  return {
    entryPoints: [
      { in: path.join(SRC_DIR, 'app.ts'), out: 'app' },
      ...pages.map((page) => ({ in: path.join(SRC_DIR, `${page}.ts`), out: page })),
    ],
    outdir: outDir,
    bundle: true,
    format: 'cjs',
    target: 'es2017',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    charset: 'utf8',
    legalComments: 'none',
    define: {
      API_BASE_URL: JSON.stringify(apiBaseUrl),
      MINIAPP_CHANNEL: JSON.stringify(parseChannel(process.env.MINIAPP_CHANNEL)),
      MINIAPP_RELEASE: JSON.stringify(settings.release),
      MINIAPP_AUTH_CLIENT_ID: JSON.stringify(settings.authClientId),
    },
    plugins: [pureSharedPlugin()],
    metafile: true,
    logLevel: 'silent',
  };
}

/**
 * Which channel the mini program pays through: `alipayhk` (default; the BFF signs a
 * cashier.wap.pay orderStr) or `latipay` (merchants contracted through Latipay; the BFF creates the
 * order at Latipay and returns its gatewaydata as the orderStr). Both end in my.tradePay.
 */
export function parseChannel(value: string | undefined): 'alipayhk' | 'latipay' {
  const channel = value === undefined || value.trim() === '' ? 'alipayhk' : value.trim();
  if (channel !== 'alipayhk' && channel !== 'latipay')
    throw new Error(`MINIAPP_CHANNEL must be alipayhk or latipay, got ${JSON.stringify(channel)}`);
  return channel;
}

/** Guards the size budget: a schema library in the bundle means a value import of api.ts slipped in. */
function assertNoTypeBox(metafile: esbuild.Metafile): void {
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    const leaked = Object.keys(inputs).find((input) => input.includes('@sinclair/typebox'));
    if (leaked) throw new Error(`${output} bundles TypeBox (${leaked}): import only types (import type) from @tradepay/shared's api.ts`);
  }
}

async function copyStatic(pages: string[], outDir: string): Promise<void> {
  const files = [...APP_STATIC, ...pages.flatMap((page) => PAGE_STATIC.map((ext) => page + ext))];
  for (const file of files) {
    await mkdir(path.dirname(path.join(outDir, file)), { recursive: true });
    await cp(path.join(SRC_DIR, file), path.join(outDir, file));
  }
  for (const [file, json] of Object.entries(localeAppJsons(pages))) {
    await mkdir(path.dirname(path.join(outDir, file)), { recursive: true });
    await writeFile(path.join(outDir, file), `${JSON.stringify(json, null, 2)}\n`);
  }
}

async function sizes(outDir: string, prefix = ''): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const entry of await readdir(path.join(outDir, prefix), { withFileTypes: true })) {
    const file = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(result, await sizes(outDir, file));
    else result[file] = (await stat(path.join(outDir, file))).size;
  }
  return result;
}

export async function buildMiniapp(options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const apiBaseUrl = parseApiBaseUrl(options.apiBaseUrl ?? process.env.API_BASE_URL);
  const release = options.release ?? false;
  const authClientId = parseAuthClientId(options.authClientId ?? process.env.MINIAPP_AUTH_CLIENT_ID);
  const problem = releaseProblem(apiBaseUrl);
  if (release && problem) throw new Error(`miniapp --release: ${problem}`);
  const warnings = problem ? [`${problem} (fine in the Studio with its domain check off; \`build --release\` refuses it)`] : [];
  for (const warning of warnings) log(`miniapp: warning: ${warning}`);
  const pages = await readPages();
  await assertSources(pages);
  if (options.typecheck !== false) await typecheck();

  await rm(outDir, { recursive: true, force: true });
  const result = await esbuild.build({ ...esbuildOptions(pages, outDir, apiBaseUrl, { release, authClientId }), metafile: true });
  assertNoTypeBox(result.metafile);
  await copyStatic(pages, outDir);
  await bundleAntdMini(outDir);

  const files = await sizes(outDir);
  const totalBytes = Object.values(files).reduce((a, b) => a + b, 0);
  log(
    `miniapp: built ${path.relative(process.cwd(), outDir) || '.'} (${(totalBytes / 1024).toFixed(1)} KB, API_BASE_URL=${apiBaseUrl}${release ? ', release' : ''})`,
  );
  return { outDir, apiBaseUrl, release, warnings, files, totalBytes };
}

/** Rebuilds on change until the process is stopped. Type errors are reported by tsc --watch, not fatal. */
export async function watchMiniapp(options: BuildOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const apiBaseUrl = parseApiBaseUrl(options.apiBaseUrl ?? process.env.API_BASE_URL);
  const pages = await readPages();
  await assertSources(pages);
  await mkdir(outDir, { recursive: true });

  const reportPlugin: esbuild.Plugin = {
    name: 'report',
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length > 0) {
          const messages = await esbuild.formatMessages(result.errors, { kind: 'error', color: true });
          log(messages.join('\n'));
          return;
        }
        try {
          if (result.metafile) assertNoTypeBox(result.metafile);
          await copyStatic(pages, outDir);
          log(`miniapp: rebuilt ${new Date().toLocaleTimeString()}`);
        } catch (error) {
          log(`miniapp: ${(error as Error).message}`);
        }
      });
    },
  };
  const base = esbuildOptions(pages, outDir, apiBaseUrl);
  const context = await esbuild.context({ ...base, plugins: [...(base.plugins ?? []), reportPlugin] });
  await context.watch();

  // axml/acss/json are not in esbuild's graph: copy them when they change.
  watchFiles(SRC_DIR, { recursive: true }, (_event, file) => {
    if (!file) return;
    if (file === 'app.json') log('miniapp: app.json changed; restart build:watch if you added or removed a page');
    if (/\.(axml|acss|json)$/.test(file))
      copyStatic(pages, outDir).then(
        () => log(`miniapp: copied ${file}`),
        (error: Error) => log(error.message),
      );
  });

  const tsc = spawn(process.execPath, tscArgs(['--watch', '--preserveWatchOutput']), { stdio: 'inherit' });
  const stop = async () => {
    tsc.kill();
    await context.dispose();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log(`miniapp: watching src/ → ${path.relative(process.cwd(), outDir) || '.'} (API_BASE_URL=${apiBaseUrl})`);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--watch')) await watchMiniapp();
  else await buildMiniapp({ release: argv.includes('--release') });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
