import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMiniapp, parseApiBaseUrl } from '../scripts/build';
import { expectedFiles, findKeyMaterial, listFiles } from './harness/dist-files';
import { DIST_DIR } from './harness/load-miniapp';

const read = (file: string) => readFile(path.join(DIST_DIR, file), 'utf8');
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'miniapp-dist-'));
  temps.push(dir);
  return dir;
}

describe('miniapp/dist (built by the global setup)', () => {
  it('holds every file app.json names, and nothing else', async () => {
    const appJson = JSON.parse(await read('app.json')) as { pages: string[] };
    expect(appJson.pages).toEqual(['pages/checkout/index', 'pages/result/index', 'pages/orders/index', 'pages/autodebit/index', 'pages/webview/index']);
    expect(await listFiles(DIST_DIR)).toEqual(expectedFiles(appJson).sort());
    JSON.parse(await read('mini.project.json'));
    for (const page of appJson.pages) JSON.parse(await read(`${page}.json`));
  });

  it('holds no key material', async () => {
    expect(await findKeyMaterial(DIST_DIR)).toEqual([]);
  });

  it('bundles each entry as self-contained CommonJS, without TypeBox', async () => {
    for (const file of ['app.js', 'pages/checkout/index.js', 'pages/result/index.js', 'pages/orders/index.js', 'pages/autodebit/index.js', 'pages/webview/index.js']) {
      const code = await read(file);
      expect(code.startsWith('"use strict";'), file).toBe(true);
      expect(code, file).not.toMatch(/\brequire\(|^\s*(import|export)\s/m);
      expect(code, file).not.toMatch(/typebox|@sinclair/i);
    }
    // The result-code table came along from shared/.
    expect(await read('pages/checkout/index.js')).toContain('"6004"');
  });

  it('carries the BFF base URL chosen at build time', async () => {
    const url = parseApiBaseUrl(process.env.API_BASE_URL);
    for (const page of ['checkout', 'result', 'orders', 'autodebit']) expect(await read(`pages/${page}/index.js`)).toContain(JSON.stringify(url));
  });

  it('stays well under 300 KB', async () => {
    let total = 0;
    for (const file of await listFiles(DIST_DIR)) total += Buffer.byteLength(await read(file));
    expect(total).toBeLessThan(300 * 1024);
  });
});

describe('the build', () => {
  it('injects API_BASE_URL (trailing slash dropped) and rejects anything but a plain http(s) URL', async () => {
    const outDir = await tempDir();
    await buildMiniapp({ outDir, apiBaseUrl: 'https://bff.example.hk/', typecheck: false, log: () => {} });
    expect(await readFile(path.join(outDir, 'pages/checkout/index.js'), 'utf8')).toContain('"https://bff.example.hk"');
    expect(parseApiBaseUrl(undefined)).toBe('http://127.0.0.1:3000');
    expect(parseApiBaseUrl('http://10.0.0.2:3000/base/')).toBe('http://10.0.0.2:3000/base');
    expect(() => parseApiBaseUrl('ftp://x')).toThrow(/http/);
    expect(() => parseApiBaseUrl('not a url')).toThrow(/not a URL/);
    expect(() => parseApiBaseUrl('https://user:pw@bff.example.hk')).toThrow(/credentials/);
  });
});

describe('the key-material scan itself', () => {
  it('finds PEM armour and the values of KEY/SECRET/TOKEN variables, and ignores short values', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'pages'), { recursive: true });
    await writeFile(path.join(dir, 'app.js'), 'const k = "-----BEGIN PRIVATE KEY-----";');
    await writeFile(path.join(dir, 'pages/x.js'), 'fetch("https://x", { headers: { a: "s3cr3t-admin-token" } });');
    await writeFile(path.join(dir, 'clean.js'), 'const enabled = "1";');
    const findings = await findKeyMaterial(dir, { ADMIN_TOKEN: 's3cr3t-admin-token', FEATURE_KEY: '1', PATH: '/usr/bin' });
    expect(findings).toEqual(['app.js: PRIVATE KEY', 'app.js: BEGIN', 'pages/x.js: the value of $ADMIN_TOKEN']);
  });
});
