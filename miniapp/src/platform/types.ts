/**
 * What the mini program needs from its runtime. `my-platform.ts` implements it over `my`; tests and
 * the page factories only ever see this interface, so every page and the payment flow run in Node.
 */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
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

/** No HTTP answer arrived: the network is down, the host refused, or the request timed out. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'network' | 'timeout',
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
export type TradePayOutcome =
  | { kind: 'result'; resultCode: string }
  | { kind: 'fail'; error?: number; errorMessage?: string };

export type TradePay = (orderStr: string) => Promise<TradePayOutcome>;

/** App-wide state shared by every page bundle (each page is bundled separately, so module state is not shared). */
export interface AppGlobal {
  session?: { token?: string; unsupported?: boolean };
}

export interface Platform {
  request: HttpRequester;
  tradePay: TradePay;
  /** A fresh single-use `authCode` (scope `auth_base`). */
  getAuthCode(): Promise<string>;
  storage: {
    get(key: string): Promise<unknown>;
    set(key: string, value: unknown): Promise<void>;
  };
  systemInfo(): Promise<{ language: string }>;
  navigateTo(url: string): Promise<void>;
  /** Closes every page and opens `url`: "start over". */
  reLaunch(url: string): Promise<void>;
  setTitle(title: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
  random(): number;
  appGlobal(): AppGlobal;
}
