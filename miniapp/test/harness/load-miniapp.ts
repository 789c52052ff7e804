/**
 * Runs the compiled mini program (`miniapp/dist`) in Node: app.js and every page's index.js are
 * executed with fake `App` / `Page` / `getApp` / `getCurrentPages` / `my` globals. `my.request` performs
 * real HTTP (Node's fetch) against `bffUrl`; `my.tradePay` and `my.signContract` call the functions the
 * test injects (fake wallets, or the sandbox's). A `my.*` API the bundle uses but the harness does not
 * fake throws, so the harness never passes by silently doing nothing.
 *
 * The double follows the real platform, not our assumptions (miniapp-platform.md, "What a faithful test
 * double of `my` must do"; A+ = https://miniprogram.alipay.com/docs/miniprogram/mpdev/<page>, OD =
 * AlipayDocs/open-docs):
 * - `request`: `content-type: application/json` unless the caller set one (A+ api_network_request);
 *   GET and POST only, anything else throws (A+); release mode refuses http, IP hosts and hosts off the
 *   allow-list with `{error: 11}` (OD 网络 API 使用须知.md, FAQ); `dataType: 'json'` with a non-JSON body
 *   fails `{error: 14}`; timeout `{error: 13}`, capped at 60 s (OD FAQ); HTTP errors in one of the three
 *   documented shapes, chosen per test (`httpErrorShape`).
 * - `tradePay`: `resultCode` a String, through `success` or (Hylid bridge) `fail`, optionally with `memo`.
 * - `getAuthCode`: fails unless `scopes` is an Array (A+ api_openapi_getauthcode).
 * - `signContract`: only when injected, and `canIUse('signContract')` says so (A+ api_openapi_signcontract).
 * - A real page stack: `navigateTo` at depth 10 does nothing and calls nothing back (OD my.navigateTo.md);
 *   `redirectTo`, `navigateBack` (fails at depth 1), `reLaunch`, with onHide/onUnload/onShow (OD 页面运行机制.md).
 * - Storage: 200 KB a key, 10 MB in all, empty key `{error: 2}` (OD my.setStorageSync.md).
 * - `my.env.language`; `getSystemInfoSync` may return undefined (OD my.env.md, my.getSystemInfoSync.md).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/** What the wallet answered; reject to make the harness call `my.tradePay`'s fail callback without a code. */
export type WalletFn = (orderStr: string) => Promise<{ resultCode: string; memo?: string }>;

/** What the app answers `my.signContract`: success `{authCode, authState}`, or fail `{error}` (a String). */
export type SignContractFn = (signStr: string) => Promise<{ authCode: string; authState: string } | { error: string; errMessage?: string }>;

/**
 * How a non-2xx answer reaches the mini program (OD 网络 API 使用须知.md; the FAQ; @mini-types):
 * `success` with the status; `fail-19` = `fail {error: 19, errorMessage}` with no status; `fail-status` =
 * `fail` with `status`, `data`, `headers` beside `error: 19`.
 */
export type HttpErrorShape = 'success' | 'fail-19' | 'fail-status';
export const HTTP_ERROR_SHAPES: readonly HttpErrorShape[] = ['success', 'fail-19', 'fail-status'];

export const MAX_PAGE_STACK = 10;
const STORAGE_KEY_LIMIT = 200 * 1024;
const STORAGE_TOTAL_LIMIT = 10 * 1024 * 1024;
const REQUEST_TIMEOUT_CAP_MS = 60_000;

export interface HarnessOptions {
  /** Where `my.request` really goes: the origin baked into the bundle is replaced by this one. */
  bffUrl: string;
  tradePay?: WalletFn;
  distDir?: string;
  /** `my.getSystemInfoSync().language`; default `en`. */
  language?: string;
  /** Pre-filled `my` storage (shared with the test: inspect it afterwards). */
  storage?: Map<string, unknown>;
  /** Multiplies the bundle's timers (setTimeout): 0.01 makes a 1 s polling backoff 10 ms. */
  timeScale?: number;
  /** Multiplies `my.request` timeouts (default 1: a slow machine must not look like a timeout). */
  requestTimeoutScale?: number;
  /** `my.getAuthCode`; by default it fails, like the IDE without an app id (the app then asks for a guest session). */
  getAuthCode?: () => Promise<string>;
  /** The error code of a failing `my.getAuthCode` (11 cancelled … 15 system; default 11). */
  authCodeError?: number;
  /** Default `fail-status`; the suites run under each (HTTP_ERROR_SHAPES). */
  httpErrorShape?: HttpErrorShape;
  /** Which callback `my.tradePay` answers through (default `success`). */
  tradePayVia?: 'success' | 'fail';
  /** `my.signContract`; without it the app has none (`canIUse('signContract')` is false). */
  signContract?: SignContractFn;
  /** A released mini program: https, no IP, hosts on the allow-list only (matched by domain). */
  release?: { allowList: string[] };
  /** `getSystemInfoSync()` returns undefined (it does after a timeout). */
  systemInfoUndefined?: boolean;
  /** Leave `my.env` out (base libraries before 1.24.9). */
  noEnv?: boolean;
}

export interface RequestRecord {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  status?: number;
  error?: string;
}

export type PageData = Record<string, any>;

export interface PageHandle {
  route: string;
  readonly query: Record<string, string>;
  /** Set once the page was closed (redirectTo, navigateBack, reLaunch). */
  readonly unloaded: boolean;
  readonly data: PageData;
  /** Every distinct consecutive value `data.state` took, starting with the initial one. */
  readonly stateHistory: unknown[];
  /** The options object the page registered with Page(): its handlers. */
  readonly options: Record<string, unknown>;
  /** Calls a handler like the runtime does on a tap; resolves with what the handler returned (awaited). */
  tap(handler: string, dataset?: Record<string, unknown>): Promise<unknown>;
  waitFor(predicate: (data: PageData) => boolean, timeoutMs?: number): Promise<PageData>;
}

export interface MiniProgram {
  pages: string[];
  appJson: { pages: string[] } & Record<string, unknown>;
  app: Record<string, unknown>;
  /** Opens a page on top of the stack, as the test's own navigation (its lifecycle awaited). */
  openPage(route: string, query?: Record<string, string>): Promise<PageHandle>;
  /** Opens the page a `navigateTo` URL names (`/pages/result/index?id=…`). */
  openUrl(url: string): Promise<PageHandle>;
  /** The page stack, bottom first (what `getCurrentPages()` returns). */
  readonly stack: PageHandle[];
  /** The page on top. */
  top(): PageHandle;
  /** The shopper taps the back button (`navigateBack`). */
  back(): Promise<void>;
  /** The app starts over at `url` (`reLaunch`), e.g. opened again from the wallet. */
  reLaunch(url: string): Promise<void>;
  /** Resolves once every page opened by a navigation has run its onLoad/onShow. */
  idle(): Promise<void>;
  /** `navigateTo` URLs, in order. */
  readonly navigations: string[];
  readonly relaunches: string[];
  /** Every navigation call: `navigateTo /…`, `redirectTo /…`, `navigateBack 1`, `reLaunch /…` (and `ignored navigateTo /…` at depth 10). */
  readonly navigationLog: string[];
  /** Platform rules the bundle broke (a DELETE, a string `scopes`, …): a test asserts none. */
  readonly violations: string[];
  readonly requests: RequestRecord[];
  readonly orderStrs: string[];
  /** What `my.signContract` was given. */
  readonly signStrs: string[];
  readonly titles: string[];
  storage: Map<string, unknown>;
  /** The two speed knobs of HarnessOptions, changeable between steps of a test. */
  timing: { timeScale: number; requestTimeoutScale: number };
  close(): void;
}

interface OpenPage {
  handle: PageHandle;
  instance: Record<string, any>;
  lifecycle(name: string, arg?: unknown): unknown;
  close(): void;
}

type Callbacks<T> = { success?: (value: T) => void; fail?: (error: unknown) => void; complete?: (value: unknown) => void };

function settle<T>(options: Callbacks<T>, outcome: { ok: true; value: T } | { ok: false; error: unknown }): void {
  if (outcome.ok) options.success?.(outcome.value);
  else options.fail?.(outcome.error);
  options.complete?.(outcome.ok ? outcome.value : outcome.error);
}

/** The runtime serialises data to the render layer: only JSON survives (undefined keys vanish). */
function asRendered<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function setPath(target: PageData, key: string, value: unknown): void {
  const parts = key.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node: any = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part];
  }
  node[parts[parts.length - 1] as string] = value;
}

function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [pathPart = '', search = ''] = url.split('?');
  return { route: pathPart.replace(/^\//, ''), query: Object.fromEntries(new URLSearchParams(search)) };
}

export async function loadMiniProgram(options: HarnessOptions): Promise<MiniProgram> {
  const distDir = options.distDir ?? DIST_DIR;
  const timing = { timeScale: options.timeScale ?? 1, requestTimeoutScale: options.requestTimeoutScale ?? 1 };
  const target = new URL(options.bffUrl);
  const storage = options.storage ?? new Map<string, unknown>();
  const navigations: string[] = [];
  const relaunches: string[] = [];
  const requests: RequestRecord[] = [];
  const orderStrs: string[] = [];
  const signStrs: string[] = [];
  const titles: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const scaledSetTimeout = (handler: () => void, ms = 0) => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (!closed) handler();
      },
      Math.max(0, Math.round(ms * timing.timeScale)),
    );
    timers.add(timer);
    return timer;
  };
  const scaledClearTimeout = (timer: NodeJS.Timeout) => {
    timers.delete(timer);
    clearTimeout(timer);
  };

  const shape: HttpErrorShape = options.httpErrorShape ?? 'fail-status';
  const violations: string[] = [];
  const navigationLog: string[] = [];
  const stack: OpenPage[] = [];
  const pending = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    const done = () => pending.delete(promise);
    promise.then(done, done);
    return promise;
  };
  let storageBytes = 0;
  const storageSizes = new Map<string, number>();

  /** Release mode: what the platform refuses before sending (OD 网络 API 使用须知.md: https, allow-listed domain, no IP). */
  function releaseRefusal(source: URL): string | null {
    if (!options.release) return null;
    if (source.protocol !== 'https:') return 'only https is allowed';
    if (/^\d+\.\d+\.\d+\.\d+$/.test(source.hostname) || source.hostname.startsWith('[')) return 'IP addresses are not allowed';
    const allowed = options.release.allowList.some((domain) => source.hostname === domain || source.hostname.endsWith(`.${domain}`));
    return allowed ? null : `${source.hostname} is not on the server-domain allow-list`;
  }

  const fakeMy: Record<string, unknown> = {
    request(
      opts: {
        url: string;
        method?: string;
        headers?: Record<string, string>;
        data?: unknown;
        dataType?: string;
        timeout?: number;
      } & Callbacks<unknown>,
    ) {
      const method = (opts.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'POST') {
        // "Both GET and POST are supported" (A+ api_network_request); the real failure is undocumented: be loud.
        violations.push(`my.request method ${method} ${opts.url}`);
        throw new Error(`harness: my.request ${method}: Alipay+ documents GET and POST only`);
      }
      const source = new URL(opts.url);
      const refusal = releaseRefusal(source);
      if (refusal) {
        queueMicrotask(() => settle(opts, { ok: false, error: { error: 11, errorMessage: refusal } }));
        return;
      }
      const url = new URL(source.pathname + source.search, target).href;
      const headers: Record<string, string> = { ...opts.headers };
      // The platform's default content type, even without a body (A+ api_network_request).
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const body = typeof opts.data === 'string' ? opts.data : opts.data === undefined ? undefined : JSON.stringify(opts.data);
      const record: RequestRecord = { method, url, headers, body: body === undefined ? undefined : safeJson(body) };
      requests.push(record);
      const abort = new AbortController();
      const timeoutMs = Math.max(1, Math.round(Math.min(opts.timeout ?? 30_000, REQUEST_TIMEOUT_CAP_MS) * timing.requestTimeoutScale));
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      fetch(url, { method, headers, body: method === 'GET' ? undefined : body, signal: abort.signal })
        .then(async (res) => {
          const text = await res.text();
          clearTimeout(timer);
          record.status = res.status;
          if (closed) return;
          const responseHeaders = Object.fromEntries(res.headers);
          let data: unknown = text;
          if ((opts.dataType ?? 'json') === 'json') {
            try {
              data = JSON.parse(text);
            } catch {
              settle(opts, { ok: false, error: { error: 14, errorMessage: 'JSON parse data error' } });
              return;
            }
          }
          const answer = { data, status: res.status, headers: responseHeaders };
          if (res.ok || shape === 'success') settle(opts, { ok: true, value: answer });
          else if (shape === 'fail-19') settle(opts, { ok: false, error: { error: 19, errorMessage: 'http status error' } });
          else settle(opts, { ok: false, error: { error: 19, errorMessage: 'http status error', ...answer } });
        })
        .catch((error: Error) => {
          clearTimeout(timer);
          const timedOut = abort.signal.aborted;
          record.error = timedOut ? 'timeout' : error.message;
          if (closed) return;
          settle(opts, {
            ok: false,
            error: timedOut ? { error: 13, errorMessage: 'timeout' } : { error: 12, errorMessage: error.message },
          });
        });
    },

    tradePay(opts: { orderStr?: string } & Callbacks<{ resultCode: string }>) {
      const orderStr = opts.orderStr ?? '';
      orderStrs.push(orderStr);
      if (!options.tradePay) throw new Error('harness: my.tradePay was called but no tradePay was injected');
      options.tradePay(orderStr).then(
        (result) => {
          // A String code (A+ api_openapi_tradepay), maybe with memo; some bridges answer through fail.
          const answer =
            result.memo === undefined
              ? { resultCode: String(result.resultCode) }
              : { resultCode: String(result.resultCode), memo: result.memo };
          settle(opts, options.tradePayVia === 'fail' ? { ok: false, error: answer } : { ok: true, value: answer });
        },
        (error: Error) => settle(opts, { ok: false, error: { error: 3, errorMessage: error?.message ?? String(error) } }),
      );
    },

    getAuthCode(opts: { scopes?: unknown; authClientId?: unknown } & Callbacks<{ authCode: string }>) {
      if (!Array.isArray(opts.scopes)) {
        violations.push(`my.getAuthCode scopes ${JSON.stringify(opts.scopes)} is not an Array`);
        queueMicrotask(() => settle(opts, { ok: false, error: { error: 2, errorMessage: 'scopes must be Array[String]' } }));
        return;
      }
      const scopes = opts.scopes as string[];
      (options.getAuthCode ?? (() => Promise.reject(new Error('harness: no wallet identity'))))().then(
        (authCode) =>
          settle(opts, { ok: true, value: { authCode, authSuccessScopes: scopes, authErrorScopes: {} } as { authCode: string } }),
        (error: Error) => settle(opts, { ok: false, error: { error: options.authCodeError ?? 11, errorMessage: error.message } }),
      );
    },

    canIUse(name: string) {
      if (name === 'signContract') return options.signContract !== undefined;
      return name === 'component2';
    },

    getStorageSync({ key }: { key: string }) {
      if (!key) return { error: 2, errorMessage: 'key is empty' };
      return { data: storage.has(key) ? asRendered(storage.get(key)) : null };
    },

    setStorageSync({ key, data }: { key: string; data: unknown }) {
      if (!key) return { error: 2, errorMessage: 'key is empty' };
      const size = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
      if (size > STORAGE_KEY_LIMIT) return { error: 14, errorMessage: 'over 200 KB for one key' };
      const total = storageBytes - (storageSizes.get(key) ?? 0) + size;
      if (total > STORAGE_TOTAL_LIMIT) return { error: 12, errorMessage: 'over 10 MB in all' };
      storage.set(key, asRendered(data));
      storageSizes.set(key, size);
      storageBytes = total;
      return { success: true };
    },

    getSystemInfoSync() {
      if (options.systemInfoUndefined) return undefined;
      return { language: options.language ?? 'en', platform: 'harness', app: 'alipay', version: '10.0.0' };
    },

    setNavigationBar({ title }: { title?: string }) {
      if (title !== undefined) titles.push(title);
    },

    navigateTo(opts: { url: string } & Callbacks<object>) {
      // Past 10 pages "再调没有效果" (OD my.navigateTo.md): nothing happens, no callback fires.
      if (stack.length >= MAX_PAGE_STACK) {
        navigationLog.push(`ignored navigateTo ${opts.url}`);
        return;
      }
      navigationLog.push(`navigateTo ${opts.url}`);
      navigations.push(opts.url);
      const from = stack[stack.length - 1];
      from?.lifecycle('onHide');
      track(push(opts.url)).then(
        () => settle(opts, { ok: true, value: {} }),
        (error: Error) => settle(opts, { ok: false, error: { error: 1, errorMessage: error.message } }),
      );
    },

    redirectTo(opts: { url: string } & Callbacks<object>) {
      navigationLog.push(`redirectTo ${opts.url}`);
      stack.pop()?.close();
      track(push(opts.url)).then(
        () => settle(opts, { ok: true, value: {} }),
        (error: Error) => settle(opts, { ok: false, error: { error: 1, errorMessage: error.message } }),
      );
    },

    navigateBack(opts: { delta?: number } & Callbacks<object>) {
      const delta = Math.max(1, opts.delta ?? 1);
      navigationLog.push(`navigateBack ${delta}`);
      if (stack.length <= 1) {
        queueMicrotask(() => settle(opts, { ok: false, error: { error: 1, errorMessage: 'already top of navigation' } }));
        return;
      }
      for (let i = 0; i < delta && stack.length > 1; i += 1) stack.pop()?.close();
      // The page returned to gets onShow, no reload (OD 页面运行机制.md).
      const shown = stack[stack.length - 1] as OpenPage;
      track(Promise.resolve(shown.lifecycle('onShow'))).then(
        () => settle(opts, { ok: true, value: {} }),
        () => settle(opts, { ok: true, value: {} }),
      );
    },

    reLaunch(opts: { url: string } & Callbacks<object>) {
      navigationLog.push(`reLaunch ${opts.url}`);
      relaunches.push(opts.url);
      while (stack.length > 0) stack.pop()?.close();
      track(push(opts.url)).then(
        () => settle(opts, { ok: true, value: {} }),
        (error: Error) => settle(opts, { ok: false, error: { error: 1, errorMessage: error.message } }),
      );
    },
  };
  if (options.signContract) {
    const signContract = options.signContract;
    fakeMy.signContract = (opts: { signStr?: unknown } & Callbacks<unknown>) => {
      signStrs.push(String(opts.signStr));
      signContract(String(opts.signStr)).then(
        (answer) => settle(opts, 'error' in answer ? { ok: false, error: answer } : { ok: true, value: answer }),
        (error: Error) => settle(opts, { ok: false, error: { error: '6002', errMessage: error.message } }),
      );
    };
  }
  if (!options.noEnv) fakeMy.env = { language: options.language ?? 'en' };
  const my = new Proxy(fakeMy, {
    get(object, name) {
      if (typeof name === 'string' && !(name in object)) throw new Error(`harness: my.${name} is not faked (add it to load-miniapp.ts)`);
      return Reflect.get(object, name);
    },
  });

  const appJson = JSON.parse(await readFile(path.join(distDir, 'app.json'), 'utf8')) as MiniProgram['appJson'];
  let appOptions: Record<string, unknown> | null = null;
  let app: Record<string, unknown> | null = null;
  const registered = new Map<string, Record<string, unknown>>();
  let loadingRoute: string | null = null;

  const globals = {
    App: (opts: Record<string, unknown>) => {
      if (appOptions) throw new Error('App() called twice');
      appOptions = opts;
    },
    Page: (opts: Record<string, unknown>) => {
      if (!loadingRoute) throw new Error('Page() called outside a page file');
      if (registered.has(loadingRoute)) throw new Error(`Page() called twice in ${loadingRoute}`);
      registered.set(loadingRoute, opts);
    },
    getApp: () => app,
    getCurrentPages: () => stack.map((page) => page.instance),
    my,
    setTimeout: scaledSetTimeout,
    clearTimeout: scaledClearTimeout,
  };

  async function run(file: string): Promise<void> {
    const code = await readFile(path.join(distDir, file), 'utf8');
    const names = ['module', 'exports', 'require', ...Object.keys(globals)];
    const fn = vm.compileFunction(code, names, { filename: path.join(distDir, file) });
    const module = { exports: {} };
    const noRequire = (id: string) => {
      throw new Error(`${file} requires "${id}": a mini program bundle must be self-contained`);
    };
    fn(module, module.exports, noRequire, ...Object.values(globals));
  }

  await run('app.js');
  if (!appOptions) throw new Error('app.js did not call App()');
  app = { ...(appOptions as Record<string, unknown>) };
  (app.onLaunch as ((o: unknown) => void) | undefined)?.call(app, { query: {}, path: appJson.pages[0] });
  for (const route of appJson.pages) {
    loadingRoute = route;
    await run(`${route}.js`);
    loadingRoute = null;
    if (!registered.has(route)) throw new Error(`${route}.js did not call Page()`);
  }

  /** Makes a page instance and starts its lifecycle: onLoad, onShow, onReady in a row, without waiting for what they started. */
  function createPage(route: string, query: Record<string, string>): { page: OpenPage; started: Promise<unknown> } {
    const pageOptions = registered.get(route);
    if (!pageOptions) throw new Error(`no page ${route} (app.json lists ${appJson.pages.join(', ')})`);
    const initial = typeof pageOptions.data === 'function' ? (pageOptions.data as () => PageData)() : pageOptions.data;
    const waiters = new Set<() => void>();
    const stateHistory: unknown[] = [];
    const instance: Record<string, any> = { route, data: asRendered(initial ?? {}) };
    let unloaded = false;
    const noteState = () => {
      if (stateHistory.length === 0 || stateHistory[stateHistory.length - 1] !== instance.data.state)
        stateHistory.push(instance.data.state);
    };
    noteState();
    instance.setData = (patch: PageData, callback?: () => void) => {
      for (const [key, value] of Object.entries(patch)) {
        if (/[.[]/.test(key)) setPath(instance.data, key, asRendered(value));
        else instance.data[key] = asRendered(value);
      }
      noteState();
      for (const wake of [...waiters]) wake();
      callback?.();
    };
    for (const [name, value] of Object.entries(pageOptions)) {
      if (typeof value === 'function' && name !== 'data') instance[name] = value;
    }

    const lifecycle = (name: string, arg?: unknown) =>
      typeof pageOptions[name] === 'function' ? (pageOptions[name] as Function).call(instance, arg) : undefined;
    const started = Promise.all([lifecycle('onLoad', { ...query }), lifecycle('onShow'), lifecycle('onReady')]);

    const handle: PageHandle = {
      route,
      query,
      get unloaded() {
        return unloaded;
      },
      get data() {
        return instance.data as PageData;
      },
      stateHistory,
      options: pageOptions,
      async tap(handler, dataset = {}) {
        const fn = pageOptions[handler];
        if (typeof fn !== 'function') throw new Error(`${route} has no handler ${handler}`);
        const event = { type: 'tap', currentTarget: { dataset }, target: { dataset } };
        return await fn.call(instance, event);
      },
      waitFor(predicate, timeoutMs = 5_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            if (predicate(instance.data)) {
              cleanup();
              resolve(instance.data);
            }
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`waitFor timed out after ${timeoutMs} ms on ${route}; data.state history: ${stateHistory.join(' → ')}`));
          }, timeoutMs);
          const cleanup = () => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        });
      },
    };
    const page: OpenPage = {
      handle,
      instance,
      lifecycle,
      close() {
        unloaded = true;
        lifecycle('onUnload');
      },
    };
    return { page, started };
  }

  /** Opens the page a URL names on top of the stack; resolves when its onLoad/onShow are done. */
  async function push(url: string): Promise<PageHandle> {
    const { route, query } = parseUrl(url);
    const { page, started } = createPage(route, query);
    stack.push(page);
    await started;
    return page.handle;
  }

  async function openPage(route: string, query: Record<string, string> = {}): Promise<PageHandle> {
    stack[stack.length - 1]?.lifecycle('onHide');
    const { page, started } = createPage(route, query);
    stack.push(page);
    await track(started);
    return page.handle;
  }

  return {
    pages: appJson.pages,
    appJson,
    get app() {
      return app as Record<string, unknown>;
    },
    openPage,
    openUrl: (url) => {
      const { route, query } = parseUrl(url);
      return openPage(route, query);
    },
    get stack() {
      return stack.map((page) => page.handle);
    },
    top() {
      const page = stack[stack.length - 1];
      if (!page) throw new Error('harness: the page stack is empty');
      return page.handle;
    },
    back: () =>
      new Promise<void>((resolve, reject) => {
        (fakeMy.navigateBack as (o: Callbacks<object> & { delta: number }) => void)({
          delta: 1,
          success: () => resolve(),
          fail: (error) => reject(new Error(JSON.stringify(error))),
        });
      }),
    reLaunch: (url) =>
      new Promise<void>((resolve, reject) => {
        (fakeMy.reLaunch as (o: Callbacks<object> & { url: string }) => void)({
          url,
          success: () => resolve(),
          fail: (error) => reject(new Error(JSON.stringify(error))),
        });
      }),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    navigations,
    relaunches,
    navigationLog,
    violations,
    requests,
    orderStrs,
    signStrs,
    titles,
    storage,
    timing,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
