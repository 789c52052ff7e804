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
 *
 * The steps live in `lib/`: settings.ts (the injected values, checked), sources.ts (app.json, the static
 * files, the locale titles), bundle.ts (tsc and the esbuild settings), antd-mini.ts (the component library).
 */
import { spawn } from 'node:child_process';
import { watch as watchFiles } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ANTD_COMPONENTS, ANTD_OUT, bundleAntdMini } from './lib/antd-mini';
import { assertNoTypeBox, esbuildOptions, tscArgs, typecheck } from './lib/bundle';
import { DEFAULT_OUT_DIR, MINIAPP_DIR, SRC_DIR } from './lib/paths';
import { DEFAULT_API_BASE_URL, parseApiBaseUrl, parseAuthClientId, parseChannel, releaseProblem } from './lib/settings';
import { LOCALE_FILES, assertSources, copyStatic, localeAppJsons, readPages, sizes } from './lib/sources';

export {
  ANTD_COMPONENTS,
  ANTD_OUT,
  DEFAULT_API_BASE_URL,
  DEFAULT_OUT_DIR,
  LOCALE_FILES,
  MINIAPP_DIR,
  SRC_DIR,
  localeAppJsons,
  parseApiBaseUrl,
  parseAuthClientId,
  parseChannel,
  readPages,
  releaseProblem,
  typecheck,
};

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
