/**
 * The only module that touches `my` (and the other mini program globals): each callback API becomes
 * a Promise here, so nothing else depends on the runtime.
 * API reference: https://opendocs.alipay.com/mini/api (request, tradePay, getAuthCode, storage, system info).
 */
import { TransportError, type AppGlobal, type HttpRequest, type HttpResponse, type Platform, type TradePayOutcome } from './types';

/** `my.request` fail codes: 13 = timeout; 19 = HTTP status error (non-2xx), which carries the response. */
const ERROR_TIMEOUT = 13;

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  if (data === '') return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

interface RequestFailure {
  error?: number;
  errorMessage?: string;
  status?: unknown;
  data?: unknown;
}

function request(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    my.request({
      url: req.url,
      method: req.method,
      // A content type only with a body: a BFF refuses an empty body declared as JSON (e.g. on DELETE).
      headers: { ...(req.body === undefined ? {} : { 'content-type': 'application/json' }), accept: 'application/json', ...req.headers },
      data: req.body === undefined ? undefined : JSON.stringify(req.body),
      // Parse JSON ourselves: with `json` a non-JSON error page turns into a decode failure.
      dataType: 'text',
      timeout: req.timeoutMs,
      success: (res) => resolve({ status: res.status ?? res.statusCode, body: parseBody(res.data) }),
      fail: (err: RequestFailure) => {
        // Non-2xx answers arrive here (error 19) with the status and body: they are answers, not transport failures.
        if (typeof err.status === 'number' && err.status >= 100) {
          resolve({ status: err.status, body: parseBody(err.data) });
          return;
        }
        const kind = err.error === ERROR_TIMEOUT ? 'timeout' : 'network';
        reject(new TransportError(kind, `my.request ${req.method} ${req.url} failed: ${err.error ?? '?'} ${err.errorMessage ?? ''}`.trim()));
      },
    });
  });
}

function tradePay(orderStr: string): Promise<TradePayOutcome> {
  return new Promise((resolve) => {
    try {
      my.tradePay({
        orderStr,
        // The code is a string on the wire; String() guards against runtimes that hand a number.
        success: (res) => resolve({ kind: 'result', resultCode: String(res.resultCode) }),
        fail: (err) => resolve({ kind: 'fail', error: err.error, errorMessage: err.errorMessage }),
      });
    } catch (error) {
      resolve({ kind: 'fail', errorMessage: String(error) });
    }
  });
}

function getAuthCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    my.getAuthCode({
      scopes: 'auth_base',
      success: (res) => resolve(res.authCode),
      fail: (err) => reject(new Error(`my.getAuthCode failed: ${err.error ?? '?'} ${err.errorMessage ?? ''}`.trim())),
    });
  });
}

function navigation(api: 'navigateTo' | 'reLaunch') {
  return (url: string) =>
    new Promise<void>((resolve, reject) => {
      my[api]({
        url,
        success: () => resolve(),
        fail: (err: { error?: number; errorMessage?: string }) => reject(new Error(`my.${api} ${url} failed: ${err.errorMessage ?? err.error}`)),
      });
    });
}

const fallbackGlobal: AppGlobal = {};

export function createMyPlatform(): Platform {
  return {
    request,
    tradePay,
    getAuthCode,
    storage: {
      get: async (key) => my.getStorageSync({ key }).data,
      set: async (key, value) => {
        const result = my.setStorageSync({ key, data: value });
        if (result && result.success === false) throw new Error(`my.setStorageSync ${key} failed: ${result.errorMessage ?? result.error}`);
      },
    },
    systemInfo: async () => ({ language: my.getSystemInfoSync().language ?? '' }),
    navigateTo: navigation('navigateTo'),
    reLaunch: navigation('reLaunch'),
    setTitle: async (title) => {
      my.setNavigationBar({ title });
    },
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    random: () => Math.random(),
    appGlobal: () => {
      const app = getApp<{ globalData?: AppGlobal }>();
      if (!app) return fallbackGlobal;
      if (!app.globalData) app.globalData = {};
      return app.globalData;
    },
  };
}
