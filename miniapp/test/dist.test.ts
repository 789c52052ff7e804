import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMiniapp, parseApiBaseUrl, parseAuthClientId, releaseProblem } from '../scripts/build';
import { expectedFiles, findKeyMaterial, listFiles } from './harness/dist-files';
import { DIST_DIR, loadMiniProgram } from './harness/load-miniapp';
import { startFakeBff } from './harness/fake-bff';

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
    expect(appJson.pages).toEqual([
      'pages/checkout/index',
      'pages/result/index',
      'pages/orders/index',
      'pages/autodebit/index',
      'pages/webview/index',
    ]);
    const files = await listFiles(DIST_DIR);
    expect(files.filter((file) => !file.startsWith('antd-mini/'))).toEqual(expectedFiles(appJson).sort());
    JSON.parse(await read('mini.project.json'));
    // Every component a page (or a component) names is there (a component may have no .acss).
    const jsons = [
      ...appJson.pages.map((page) => `${page}.json`),
      ...files.filter((f) => f.startsWith('antd-mini/') && f.endsWith('/index.json')),
    ];
    for (const json of jsons) {
      for (const target of Object.values(
        (JSON.parse(await read(json)) as { usingComponents?: Record<string, string> }).usingComponents ?? {},
      )) {
        const base = target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(json), target);
        for (const ext of ['.js', '.axml', '.json']) expect(files, `${json} → ${target}`).toContain(path.posix.normalize(base + ext));
      }
    }
  });

  it('holds no key material', async () => {
    expect(await findKeyMaterial(DIST_DIR)).toEqual([]);
  });

  it('bundles each entry as self-contained CommonJS, without TypeBox', async () => {
    for (const file of [
      'app.js',
      'pages/checkout/index.js',
      'pages/result/index.js',
      'pages/orders/index.js',
      'pages/autodebit/index.js',
      'pages/webview/index.js',
    ]) {
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
    for (const page of ['checkout', 'result', 'orders', 'autodebit'])
      expect(await read(`pages/${page}/index.js`)).toContain(JSON.stringify(url));
  });

  it('stays under 600 KB, antd-mini included', async () => {
    let total = 0;
    for (const file of await listFiles(DIST_DIR)) total += Buffer.byteLength(await read(file));
    expect(total).toBeLessThan(600 * 1024);
  });

  it('antd-mini: each component file is CommonJS requiring files inside dist only, the npm packages once (_vendor.js); each component registers', async () => {
    const files = (await listFiles(DIST_DIR)).filter((f) => f.startsWith('antd-mini/') && f.endsWith('.js'));
    expect(files).toContain('antd-mini/_vendor.js');
    const components: string[] = [];
    const cache = new Map<string, { exports: unknown }>();
    // The runtime's my, for what the library reads at load (component2: its assert-component2.js throws without it).
    const my = new Proxy(
      { canIUse: (name: string) => name === 'component2', getSystemInfoSync: () => ({ platform: 'iOS', version: '10.5.0' }) } as Record<
        string,
        unknown
      >,
      {
        get: (target, name) => (name in target ? target[name as string] : () => undefined),
      },
    );
    const load = (file: string): unknown => {
      const cached = cache.get(file);
      if (cached) return cached.exports;
      const module = { exports: {} as unknown };
      cache.set(file, module);
      const code = readFileSync(path.join(DIST_DIR, file), 'utf8');
      const localRequire = (spec: string) => {
        if (!spec.startsWith('.')) throw new Error(`${file} requires the package "${spec}": only relative files inside dist`);
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec.endsWith('.js') ? spec : `${spec}.js`));
        if (!target.startsWith('antd-mini/')) throw new Error(`${file} requires ${spec} outside dist/antd-mini`);
        return load(target);
      };
      const names = ['module', 'exports', 'require', 'Component', 'my', 'getApp', 'getCurrentPages', 'setTimeout', 'clearTimeout'];
      vm.compileFunction(code, names, { filename: file })(
        module,
        module.exports,
        localRequire,
        () => components.push(file),
        my,
        () => ({}),
        () => [],
        setTimeout,
        clearTimeout,
      );
      return module.exports;
    };
    const registered: string[] = [];
    for (const file of files.filter((f) => f.endsWith('/index.js'))) {
      const before = components.length;
      load(file);
      // Component() is called once per component (directly, or through antd-mini's _util/simply.js).
      if (components.length === before + 1) registered.push(file);
    }
    for (const name of ['Result', 'Tag', 'NoticeBar', 'Loading', 'Empty']) expect(registered).toContain(`antd-mini/${name}/index.js`);
    // The packages are bundled once: no component file carries tslib or the signals library itself.
    for (const file of files.filter((f) => f !== 'antd-mini/_vendor.js'))
      expect(readFileSync(path.join(DIST_DIR, file), 'utf8'), file).not.toMatch(/__extends = function|function signal\(/);
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

describe('per-language titles (locale/<lang>/app.json)', () => {
  it('names every page in each language, so a Chinese phone shows no English title first', async () => {
    const zh = JSON.parse(await read('locale/zh-HK/app.json'));
    expect(zh.window.defaultTitle).toBe('結帳');
    expect(zh.pages).toEqual({
      'pages/checkout/index': { defaultTitle: '結帳' },
      'pages/result/index': { defaultTitle: '付款結果' },
      'pages/orders/index': { defaultTitle: '我的訂單' },
      'pages/autodebit/index': { defaultTitle: '自動扣款' },
      'pages/webview/index': { defaultTitle: 'AlipayHK 授權' },
    });
    expect(JSON.parse(await read('locale/zh-Hant/app.json'))).toEqual(zh);
    expect(JSON.parse(await read('locale/en/app.json')).pages['pages/orders/index'].defaultTitle).toBe('My orders');
  });
});

describe('the release build (--release)', () => {
  it('refuses an http:// or IP BFF URL; the IDE build only warns', async () => {
    expect(releaseProblem('https://bff.example.hk')).toBeNull();
    expect(releaseProblem('http://bff.example.hk')).toMatch(/https/);
    expect(releaseProblem('https://10.0.0.2')).toMatch(/IP/);
    expect(releaseProblem('https://localhost:3000')).toMatch(/domain/);
    const outDir = await tempDir();
    await expect(
      buildMiniapp({ outDir, apiBaseUrl: 'http://127.0.0.1:3000', release: true, typecheck: false, log: () => {} }),
    ).rejects.toThrow(/--release.*https/);
    await expect(
      buildMiniapp({ outDir, apiBaseUrl: 'https://192.168.1.5', release: true, typecheck: false, log: () => {} }),
    ).rejects.toThrow(/IP/);
    const lines: string[] = [];
    const ide = await buildMiniapp({ outDir, apiBaseUrl: 'http://127.0.0.1:3000', typecheck: false, log: (line) => lines.push(line) });
    expect(ide.warnings).toHaveLength(1);
    expect(lines.some((line) => line.includes('warning') && line.includes('--release'))).toBe(true);
  });

  it('bakes authClientId in and never signs in as a guest: a failed my.getAuthCode is a sign-in error with Retry', async () => {
    expect(() => parseAuthClientId('bad id!')).toThrow(/MINIAPP_AUTH_CLIENT_ID/);
    const outDir = await tempDir();
    const built = await buildMiniapp({
      outDir,
      apiBaseUrl: 'https://shop.example.hk',
      release: true,
      authClientId: '2160400000000001',
      typecheck: false,
      log: () => {},
    });
    expect(built).toMatchObject({ release: true, warnings: [] });
    expect(await readFile(path.join(outDir, 'pages/checkout/index.js'), 'utf8')).toContain('"2160400000000001"');
    const bff = await startFakeBff();
    bff.enableSessions('tok-release');
    let codes = 0;
    // The released app calls https://shop.example.hk, allow-listed; the double delivers it to the fake BFF.
    const mp = await loadMiniProgram({
      bffUrl: bff.url,
      distDir: outDir,
      timeScale: 0.01,
      release: { allowList: ['example.hk'] },
      tradePay: async () => ({ resultCode: '6001' }),
      getAuthCode: async () => {
        codes += 1;
        if (codes === 1) throw new Error('user closed the sign-in');
        return 'auth-code-release';
      },
    });
    try {
      const page = await mp.openPage('pages/checkout/index', { sku: 'TEA-001' });
      await page.waitFor((d) => d.catalogStatus === 'ready');
      await page.tap('onPay');
      expect(page.data.panel).toMatchObject({
        title: "Couldn't start the payment",
        message: "We couldn't sign you in with AlipayHK. Please try again.",
      });
      expect(page.data.payLabel).toBe('Try again');
      expect(bff.requests.filter((r) => r.path === '/api/session')).toEqual([]);
      await page.tap('onPay');
      expect(bff.requests.filter((r) => r.path === '/api/session').map((r) => r.body)).toEqual([{ authCode: 'auth-code-release' }]);
      expect(page.data.state).toBe('cancelled');
      expect(mp.violations).toEqual([]);
    } finally {
      mp.close();
      await bff.close();
    }
  });

  it('on the double, a released app cannot reach an http or unlisted host (error 11)', async () => {
    const bff = await startFakeBff();
    const mp = await loadMiniProgram({ bffUrl: bff.url, release: { allowList: ['example.hk'] } });
    try {
      // The default dist calls http://127.0.0.1:3000: refused before it leaves the phone.
      const page = await mp.openPage('pages/checkout/index');
      await page.waitFor((d) => d.catalogStatus !== 'loading');
      expect(page.data.catalogStatus).toBe('error');
      expect(bff.requests).toEqual([]);
    } finally {
      mp.close();
      await bff.close();
    }
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
