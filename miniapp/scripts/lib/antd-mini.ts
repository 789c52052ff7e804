/**
 * antd-mini 3.x (the design's component library) as the Studio needs it, without a bundle per component
 * (miniapp-platform.md, "antd-mini 3.x"): each reachable component keeps its `axml/acss/json/sjs` as
 * they are under `dist/antd-mini/`, each of its `.js` files becomes CommonJS one file at a time, and the
 * npm packages they import are bundled once into `dist/antd-mini/_vendor.js`, which those files
 * `require` by relative path (so module state, e.g. the i18n store, is shared).
 */
import { statSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { MINIAPP_DIR, require } from './paths';

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

/** The named components and every one their `usingComponents` reach, as folders under `es/`. */
async function reachableComponents(root: string): Promise<Set<string>> {
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
  return components;
}

/** The .js files reachable from the components, and the packages they import. */
async function reachableJs(root: string, components: Set<string>): Promise<{ jsFiles: Set<string>; packages: Set<string> }> {
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
  return { jsFiles, packages };
}

/** One antd-mini .js file as CommonJS: relative requires stay relative, package requires go to `_vendor.js`. */
async function transformJs(root: string, file: string, packages: Set<string>): Promise<string> {
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
  return code.replace(/require\("([^"]+)"\)/g, (whole, spec: string) => {
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
}

export async function bundleAntdMini(outDir: string): Promise<void> {
  const root = antdDir();
  const components = await reachableComponents(root);
  const { jsFiles, packages } = await reachableJs(root, components);

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
    const target = path.join(out, path.relative(root, file));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await transformJs(root, file, packages));
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
