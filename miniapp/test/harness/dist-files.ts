/** Reads a built mini program folder: the files app.json promises, and a scan for key material. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The languages of `locale/<lang>/app.json` (opendocs.alipay.com/mini: 小程序 tabBar、titleBar 多语言配置.md). */
export const LOCALES = ['en', 'zh-Hans', 'zh-Hant', 'zh-HK'];

/** Every file the IDE needs, as app.json names them: the app's four, four per page, and the per-language titles. */
export function expectedFiles(appJson: { pages: string[] }): string[] {
  return [
    'app.json',
    'app.js',
    'app.acss',
    'mini.project.json',
    ...appJson.pages.flatMap((page) => ['.js', '.axml', '.acss', '.json'].map((ext) => page + ext)),
    ...LOCALES.map((lang) => `locale/${lang}/app.json`),
  ];
}

export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? listFiles(dir, path.join(prefix, entry.name)) : Promise.resolve([path.join(prefix, entry.name)]),
    ),
  );
  return nested.flat().sort();
}

/** Env values shorter than this are too common ("1", "true") to mean anything when found. */
const MIN_SECRET_LENGTH = 8;

/**
 * Every place where `dir` holds something that looks like key material: PEM armour (`BEGIN`,
 * `PRIVATE KEY`) or the value of an environment variable whose name says it is a key, secret or token.
 */
export async function findKeyMaterial(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const secrets = Object.entries(env).filter(
    ([name, value]) => /KEY|SECRET|TOKEN/.test(name) && typeof value === 'string' && value.trim().length >= MIN_SECRET_LENGTH,
  );
  const findings: string[] = [];
  for (const file of await listFiles(dir)) {
    const text = await readFile(path.join(dir, file), 'utf8');
    if (text.includes('PRIVATE KEY')) findings.push(`${file}: PRIVATE KEY`);
    if (text.includes('BEGIN')) findings.push(`${file}: BEGIN`);
    for (const [name, value] of secrets) {
      if (text.includes((value as string).trim())) findings.push(`${file}: the value of $${name}`);
    }
  }
  return findings;
}
