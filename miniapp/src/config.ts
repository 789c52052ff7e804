/** Replaced by the build (`API_BASE_URL=... pnpm build`); undefined when the sources run under vitest. */
declare const API_BASE_URL: string | undefined;

export const DEFAULT_API_BASE_URL = 'http://127.0.0.1:3000';

export const apiBaseUrl: string = typeof API_BASE_URL === 'string' ? API_BASE_URL : DEFAULT_API_BASE_URL;

/** Replaced by the build (`MINIAPP_CHANNEL=latipay pnpm build`): the channel orders are paid through. */
declare const MINIAPP_CHANNEL: 'alipayhk' | 'latipay' | undefined;

export const paymentChannel: 'alipayhk' | 'latipay' = typeof MINIAPP_CHANNEL === 'string' ? MINIAPP_CHANNEL : 'alipayhk';

/** Replaced by the build: true for `build --release` (the version uploaded to AlipayHK). */
declare const MINIAPP_RELEASE: boolean | undefined;

/** A release build never pays as a guest: a failed sign-in is shown, with Retry. */
export const releaseBuild: boolean = typeof MINIAPP_RELEASE === 'boolean' ? MINIAPP_RELEASE : false;

/** Replaced by the build (`MINIAPP_AUTH_CLIENT_ID=…`): the `authClientId` of `my.getAuthCode` (AlipayHK's merchant id), or ''. */
declare const MINIAPP_AUTH_CLIENT_ID: string | undefined;

export const authClientId: string = typeof MINIAPP_AUTH_CLIENT_ID === 'string' ? MINIAPP_AUTH_CLIENT_ID : '';

/** The page routes of app.json, for navigation. */
export const ROUTES = {
  checkout: '/pages/checkout/index',
  result: '/pages/result/index',
  orders: '/pages/orders/index',
  autodebit: '/pages/autodebit/index',
  webview: '/pages/webview/index',
} as const;
