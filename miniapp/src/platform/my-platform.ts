/**
 * The only module that touches `my` (and the other mini program globals): each callback API becomes
 * a Promise here, so nothing else depends on the runtime. Every platform fact below is from
 * /work's miniapp-platform.md, with the vendor page it names:
 * - A+ = https://miniprogram.alipay.com/docs/miniprogram/mpdev/<page> (api_openapi_* under docs-alipayconnect);
 * - OD = AlipayDocs/open-docs (opendocs.alipay.com/mini).
 */
import { authClientId } from '../config';
import {
  AuthCodeError,
  TransportError,
  type AppGlobal,
  type HttpRequest,
  type HttpResponse,
  type Platform,
  type SignContractOutcome,
  type TradePayOutcome,
} from './types';

/** `my.request` fail codes (OD `support/…/my.request网络请求常见问题.md`): 13 timeout; 19 HTTP status error. */
const ERROR_TIMEOUT = 13;
const ERROR_HTTP_STATUS = 19;
/** At most 10 pages on the stack; `navigateTo` past that does nothing (OD `my.navigateTo.md`). */
export const MAX_PAGE_STACK = 10;

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
      // The platform sends `content-type: application/json` anyway (A+ api_network_request): say it, and
      // always send a JSON body on POST (`{}` when there is nothing to say), which every BFF route accepts.
      headers: { 'content-type': 'application/json', accept: 'application/json', ...req.headers },
      data: req.method === 'POST' ? JSON.stringify(req.body ?? {}) : undefined,
      // Parse JSON ourselves: with `json` a non-JSON error page fails as error 14 (decode).
      dataType: 'text',
      timeout: req.timeoutMs,
      // Shape 1: `success` whatever the status (OD 网络 API 使用须知.md).
      success: (res) => resolve({ status: res.status ?? res.statusCode, body: parseBody(res.data) }),
      fail: (err: RequestFailure) => {
        // Shape 3: `fail` carrying status, data, headers (OD FAQ sample): an answer.
        if (typeof err.status === 'number' && err.status >= 100) {
          resolve({ status: err.status, body: parseBody(err.data) });
          return;
        }
        const detail = `my.request ${req.method} ${req.url} failed: ${err.error ?? '?'} ${err.errorMessage ?? ''}`.trim();
        // Shape 2: `{error: 19}` without a status: an HTTP answer of unknown status, not a network failure.
        if (err.error === ERROR_HTTP_STATUS) return reject(new TransportError('http', detail));
        reject(new TransportError(err.error === ERROR_TIMEOUT ? 'timeout' : 'network', detail));
      },
    });
  });
}

interface TradePayAnswer {
  resultCode?: unknown;
  memo?: unknown;
  error?: number;
  errorMessage?: string;
}

function tradePay(orderStr: string): Promise<TradePayOutcome> {
  // The code is a String (A+ api_openapi_tradepay); String() guards against a runtime that hands a number.
  // Wallets on the Hylid bridge hand `fail` a result with `resultCode` too: that is a result, not "no code".
  const toOutcome = (answer: TradePayAnswer | undefined): TradePayOutcome =>
    answer && answer.resultCode !== undefined && answer.resultCode !== null && answer.resultCode !== ''
      ? { kind: 'result', resultCode: String(answer.resultCode) }
      : { kind: 'fail', error: answer?.error, errorMessage: answer?.errorMessage };
  return new Promise((resolve) => {
    try {
      my.tradePay({
        orderStr,
        success: (res) => resolve(toOutcome(res as TradePayAnswer)),
        fail: (err) => resolve(toOutcome(err as TradePayAnswer)),
      });
    } catch (error) {
      resolve({ kind: 'fail', errorMessage: String(error) });
    }
  });
}

function getAuthCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    my.getAuthCode({
      // An array (A+ api_openapi_getauthcode); `authClientId` when the build sets one (HK getAuthCode_jsapi).
      scopes: ['auth_base'],
      ...(authClientId ? { authClientId } : {}),
      success: (res) => resolve(res.authCode),
      fail: (err) => reject(new AuthCodeError(err.error, `my.getAuthCode failed: ${err.error ?? '?'} ${err.errorMessage ?? ''}`.trim())),
    } as Parameters<typeof my.getAuthCode>[0]);
  });
}

/** `my.signContract` is not in `@mini-types` (A+ api_openapi_signcontract, Appx ≥ 1.24.6). */
interface SignContractApi {
  signContract(options: {
    signStr: string;
    success?: (res: { authCode?: string; authState?: string }) => void;
    fail?: (err: { error?: unknown; errMessage?: string; errorMessage?: string }) => void;
  }): void;
}

function signContract(signStr: string): Promise<SignContractOutcome> {
  return new Promise((resolve) => {
    try {
      (my as unknown as SignContractApi).signContract({
        signStr,
        success: (res) =>
          resolve(
            typeof res.authCode === 'string' && typeof res.authState === 'string'
              ? { kind: 'signed', authCode: res.authCode, authState: res.authState }
              : { kind: 'fail', error: '7001', message: 'signContract answered without authCode/authState' },
          ),
        // `error` is a String: 6001 cancelled, 6002 network, 7001 result unknown.
        fail: (err) => resolve({ kind: 'fail', error: String(err.error ?? ''), message: err.errMessage ?? err.errorMessage }),
      });
    } catch (error) {
      resolve({ kind: 'fail', error: '', message: String(error) });
    }
  });
}

function canIUse(api: string): boolean {
  try {
    return typeof my.canIUse === 'function' && my.canIUse(api) === true;
  } catch {
    return false;
  }
}

function navigation(api: 'navigateTo' | 'redirectTo' | 'reLaunch') {
  return (url: string) =>
    new Promise<void>((resolve, reject) => {
      my[api]({
        url,
        success: () => resolve(),
        fail: (err: { error?: number; errorMessage?: string }) =>
          reject(new Error(`my.${api} ${url} failed: ${err.errorMessage ?? err.error}`)),
      });
    });
}

function navigateBack(delta: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    my.navigateBack({
      delta,
      success: () => resolve(),
      // "already top of navigation" at depth 1 (OD my.navigateBack.md).
      fail: (err: { error?: number; errorMessage?: string }) =>
        reject(new Error(`my.navigateBack failed: ${err.errorMessage ?? err.error}`)),
    } as Parameters<typeof my.navigateBack>[0]);
  });
}

/** `my.env.language` (base library ≥ 1.24.9), else the system info's (which may be undefined: OD my.getSystemInfoSync.md). */
function language(): string {
  try {
    const env = (my as unknown as { env?: { language?: unknown } }).env;
    if (typeof env?.language === 'string' && env.language !== '') return env.language;
    const info = my.getSystemInfoSync() as { language?: unknown } | undefined;
    return typeof info?.language === 'string' ? info.language : '';
  } catch {
    return '';
  }
}

interface StorageAnswer {
  success?: boolean;
  error?: number;
  errorMessage?: string;
}

const fallbackGlobal: AppGlobal = {};

export function createMyPlatform(): Platform {
  return {
    request,
    tradePay,
    getAuthCode,
    signContract: canIUse('signContract') ? signContract : null,
    storage: {
      get: async (key) => (my.getStorageSync({ key }) as { data?: unknown } | undefined)?.data,
      set: async (key, value) => {
        // Failure is `{error, errorMessage}` (OD my.setStorageSync.md: 12 over 10 MB, 14 over 200 KB a key).
        const result = my.setStorageSync({ key, data: value }) as StorageAnswer | undefined;
        if (result && (result.error !== undefined || result.success === false)) {
          throw new Error(`my.setStorageSync ${key} failed: ${result.error ?? ''} ${result.errorMessage ?? ''}`.trim());
        }
      },
    },
    language,
    navigateTo: navigation('navigateTo'),
    redirectTo: navigation('redirectTo'),
    navigateBack,
    reLaunch: navigation('reLaunch'),
    pageStack: () => getCurrentPages().map((page) => String((page as { route?: unknown }).route ?? '').replace(/^\//, '')),
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
