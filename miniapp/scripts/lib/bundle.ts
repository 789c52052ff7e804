/** The type-check and the esbuild settings that turn app.ts and each page into one CommonJS file. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { MINIAPP_DIR, SRC_DIR, require } from './paths';
import { parseChannel } from './settings';

export function tscArgs(extra: string[] = []): string[] {
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

export function esbuildOptions(
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

/** Guards the size budget: a schema library in the bundle means a value import of api.ts slipped in. */
export function assertNoTypeBox(metafile: esbuild.Metafile): void {
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    const leaked = Object.keys(inputs).find((input) => input.includes('@sinclair/typebox'));
    if (leaked) throw new Error(`${output} bundles TypeBox (${leaked}): import only types (import type) from @tradepay/shared's api.ts`);
  }
}
