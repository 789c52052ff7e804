/** What the build reads from `src/` besides the TypeScript: app.json's pages, the static files, the page titles. */
import { access, cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MESSAGES } from '../../src/i18n';
import { SRC_DIR } from './paths';

/** The files beside app.ts, and beside each page's index.ts, that are copied as they are. */
const APP_STATIC = ['app.json', 'app.acss', 'mini.project.json'];
const PAGE_STATIC = ['.axml', '.acss', '.json'];

export async function readPages(): Promise<string[]> {
  const appJson = JSON.parse(await readFile(path.join(SRC_DIR, 'app.json'), 'utf8')) as { pages?: unknown };
  if (!Array.isArray(appJson.pages) || appJson.pages.length === 0 || !appJson.pages.every((p) => typeof p === 'string')) {
    throw new Error('src/app.json must list its pages');
  }
  return appJson.pages as string[];
}

export async function assertSources(pages: string[]): Promise<void> {
  const missing: string[] = [];
  for (const file of ['app.ts', ...APP_STATIC, ...pages.flatMap((page) => ['.ts', ...PAGE_STATIC].map((ext) => page + ext))]) {
    await access(path.join(SRC_DIR, file)).catch(() => missing.push(`src/${file}`));
  }
  if (missing.length > 0) throw new Error(`app.json names files that do not exist: ${missing.join(', ')}`);
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
      if (!title) throw new Error(`no title for ${page} in src/i18n (titles.<folder>)`);
      pageTitles[page] = { defaultTitle: title };
    }
    files[`locale/${lang}/app.json`] = { window: { defaultTitle: titles.checkout }, pages: pageTitles };
  }
  return files;
}

export async function copyStatic(pages: string[], outDir: string): Promise<void> {
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

/** Output file (posix path under outDir) → bytes. */
export async function sizes(outDir: string, prefix = ''): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const entry of await readdir(path.join(outDir, prefix), { withFileTypes: true })) {
    const file = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(result, await sizes(outDir, file));
    else result[file] = (await stat(path.join(outDir, file))).size;
  }
  return result;
}
