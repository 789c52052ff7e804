/**
 * Runs the compiled mini program (`miniapp/dist`) in Node: app.js and every page's index.js are
 * executed with fake `App` / `Page` / `getApp` / `my` globals. `my.request` performs real HTTP
 * (Node's fetch) against `bffUrl`; `my.tradePay` calls the function the test injects (a fake wallet,
 * or the sandbox wallet). Everything else in `my` is a small in-memory fake; a `my.*` API the bundle
 * uses but the harness does not fake throws, so the harness never passes by silently doing nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/** What the wallet answered; reject to make the harness call `my.tradePay`'s fail callback. */
export type WalletFn = (orderStr: string) => Promise<{ resultCode: string }>;

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
  openPage(route: string, query?: Record<string, string>): Promise<PageHandle>;
  /** Opens the page a `navigateTo` URL names (`/pages/result/index?id=…`). */
  openUrl(url: string): Promise<PageHandle>;
  readonly navigations: string[];
  readonly relaunches: string[];
  readonly requests: RequestRecord[];
  readonly orderStrs: string[];
  readonly titles: string[];
  storage: Map<string, unknown>;
  /** The two speed knobs of HarnessOptions, changeable between steps of a test. */
  timing: { timeScale: number; requestTimeoutScale: number };
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
  const titles: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const scaledSetTimeout = (handler: () => void, ms = 0) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) handler();
    }, Math.max(0, Math.round(ms * timing.timeScale)));
    timers.add(timer);
    return timer;
  };
  const scaledClearTimeout = (timer: NodeJS.Timeout) => {
    timers.delete(timer);
    clearTimeout(timer);
  };

  const fakeMy: Record<string, unknown> = {
    request(opts: {
      url: string;
      method?: string;
      headers?: Record<string, string>;
      data?: unknown;
      dataType?: string;
      timeout?: number;
    } & Callbacks<unknown>) {
      const source = new URL(opts.url);
      const url = new URL(source.pathname + source.search, target).href;
      const method = opts.method ?? 'GET';
      const headers = { ...opts.headers };
      const body = typeof opts.data === 'string' ? opts.data : opts.data === undefined ? undefined : JSON.stringify(opts.data);
      const record: RequestRecord = { method, url, headers, body: body === undefined ? undefined : safeJson(body) };
      requests.push(record);
      const abort = new AbortController();
      const timeoutMs = Math.max(1, Math.round((opts.timeout ?? 30_000) * timing.requestTimeoutScale));
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      fetch(url, { method, headers, body: method === 'GET' ? undefined : body, signal: abort.signal })
        .then(async (res) => {
          const text = await res.text();
          clearTimeout(timer);
          record.status = res.status;
          const data = opts.dataType === 'text' ? text : safeJson(text);
          const responseHeaders = Object.fromEntries(res.headers);
          const answer = { data, status: res.status, statusCode: res.status, headers: responseHeaders, header: responseHeaders };
          // Like the Alipay client: a non-2xx status is error 19 in the fail callback, with the answer attached.
          if (res.ok) settle(opts, { ok: true, value: answer });
          else settle(opts, { ok: false, error: { error: 19, errorMessage: 'http status error', ...answer } });
        })
        .catch((error: Error) => {
          clearTimeout(timer);
          const timedOut = abort.signal.aborted;
          record.error = timedOut ? 'timeout' : error.message;
          if (closed) return;
          settle(opts, { ok: false, error: timedOut ? { error: 13, errorMessage: 'timeout' } : { error: 12, errorMessage: error.message } });
        });
    },

    tradePay(opts: { orderStr?: string } & Callbacks<{ resultCode: string }>) {
      const orderStr = opts.orderStr ?? '';
      orderStrs.push(orderStr);
      if (!options.tradePay) throw new Error('harness: my.tradePay was called but no tradePay was injected');
      options.tradePay(orderStr).then(
        (result) => settle(opts, { ok: true, value: { resultCode: result.resultCode } }),
        (error: Error) => settle(opts, { ok: false, error: { error: 4000, errorMessage: error?.message ?? String(error) } }),
      );
    },

    getAuthCode(opts: Callbacks<{ authCode: string }>) {
      (options.getAuthCode ?? (() => Promise.reject(new Error('harness: no wallet identity'))))().then(
        (authCode) => settle(opts, { ok: true, value: { authCode } }),
        (error: Error) => settle(opts, { ok: false, error: { error: 11, errorMessage: error.message } }),
      );
    },

    getStorageSync({ key }: { key: string }) {
      return { data: storage.has(key) ? asRendered(storage.get(key)) : null };
    },

    setStorageSync({ key, data }: { key: string; data: unknown }) {
      storage.set(key, asRendered(data));
      return { success: true };
    },

    getSystemInfoSync() {
      return { language: options.language ?? 'en', platform: 'harness', app: 'alipay', version: '10.0.0' };
    },

    setNavigationBar({ title }: { title?: string }) {
      if (title !== undefined) titles.push(title);
    },

    navigateTo(opts: { url: string } & Callbacks<object>) {
      navigations.push(opts.url);
      queueMicrotask(() => settle(opts, { ok: true, value: {} }));
    },

    reLaunch(opts: { url: string } & Callbacks<object>) {
      relaunches.push(opts.url);
      queueMicrotask(() => settle(opts, { ok: true, value: {} }));
    },
  };
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
    getCurrentPages: () => [],
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

  async function openPage(route: string, query: Record<string, string> = {}): Promise<PageHandle> {
    const pageOptions = registered.get(route);
    if (!pageOptions) throw new Error(`no page ${route} (app.json lists ${appJson.pages.join(', ')})`);
    const initial = typeof pageOptions.data === 'function' ? (pageOptions.data as () => PageData)() : pageOptions.data;
    const waiters = new Set<() => void>();
    const stateHistory: unknown[] = [];
    const instance: Record<string, any> = { route, data: asRendered(initial ?? {}) };
    const noteState = () => {
      if (stateHistory.length === 0 || stateHistory[stateHistory.length - 1] !== instance.data.state) stateHistory.push(instance.data.state);
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

    const lifecycle = (name: string, arg?: unknown) => (typeof pageOptions[name] === 'function' ? (pageOptions[name] as Function).call(instance, arg) : undefined);
    // Like the runtime: onLoad, onShow, onReady in a row, without waiting for what they started.
    const started = [lifecycle('onLoad', { ...query }), lifecycle('onShow'), lifecycle('onReady')];
    await Promise.all(started);

    return {
      route,
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
    navigations,
    relaunches,
    requests,
    orderStrs,
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
