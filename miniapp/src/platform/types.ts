/**
 * What the mini program needs from its runtime. `my-platform.ts` implements it over `my`; tests and
 * the page factories only ever see this interface, so every page and the payment flow run in Node.
 */

export interface HttpRequest {
  /** Alipay+ `my.request` supports GET and POST only (miniapp-platform.md §1). */
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON. */
  body?: unknown;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
}

/**
 * No usable HTTP answer: the network is down, the host refused, the request timed out — or (`http`)
 * the platform reported an HTTP error without its status (`my.request` fail `{error: 19}`).
 */
export class TransportError extends Error {
  constructor(
    readonly kind: 'network' | 'timeout' | 'http',
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** Resolves with any HTTP status (4xx/5xx included); rejects with `TransportError` only. */
export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * What `my.tradePay` reported: its success callback's `resultCode` (a string), or its fail
 * callback (the cashier could not even report a code: the money may still have moved).
 */
export type TradePayOutcome = { kind: 'result'; resultCode: string } | { kind: 'fail'; error?: number; errorMessage?: string };

export type TradePay = (orderStr: string) => Promise<TradePayOutcome>;

/** What `my.signContract` reported: the code to post to the BFF, or its fail code (a String: 6001, 6002, 7001…). */
export type SignContractOutcome =
  { kind: 'signed'; authCode: string; authState: string } | { kind: 'fail'; error: string; message?: string };

/** `my.getAuthCode` failed: `code` is the platform's error (11 cancelled, 12 network, …; miniapp-platform.md §3). */
export class AuthCodeError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AuthCodeError';
  }
}

/** App-wide state shared by every page bundle (each page is bundled separately, so module state is not shared). */
export interface AppGlobal {
  session?: { token?: string; unsupported?: boolean };
}

export interface Platform {
  request: HttpRequester;
  tradePay: TradePay;
  /** A fresh single-use `authCode` (scope `auth_base`); rejects with AuthCodeError. */
  getAuthCode(): Promise<string>;
  /** `my.signContract`, or null where `my.canIUse('signContract')` says the app has none. */
  signContract: ((signStr: string) => Promise<SignContractOutcome>) | null;
  storage: {
    get(key: string): Promise<unknown>;
    /** Rejects when the platform refuses (over 200 KB a key, 10 MB in all). */
    set(key: string, value: unknown): Promise<void>;
  };
  /** The app's language (`my.env.language`, else the system info's), read synchronously: before the first paint. */
  language(): string;
  navigateTo(url: string): Promise<void>;
  /** Replaces the current page. */
  redirectTo(url: string): Promise<void>;
  /** Pops `delta` pages (fails at depth 1). */
  navigateBack(delta: number): Promise<void>;
  /** Closes every page and opens `url`: "start over". */
  reLaunch(url: string): Promise<void>;
  /** The routes on the page stack, bottom first (`getCurrentPages()`), without a leading slash. */
  pageStack(): string[];
  setTitle(title: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
  random(): number;
  appGlobal(): AppGlobal;
}
