/** The build-time settings injected into the bundle, each checked before anything is built. */

export const DEFAULT_API_BASE_URL = 'http://127.0.0.1:3000';

/** `https://bff.example.com/` → `https://bff.example.com`; anything but a plain http(s) URL fails the build. */
export function parseApiBaseUrl(value: string | undefined): string {
  const text = value === undefined || value.trim() === '' ? DEFAULT_API_BASE_URL : value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`API_BASE_URL is not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`API_BASE_URL must be http(s): ${text}`);
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('API_BASE_URL must be a plain origin (and path): no credentials, query or fragment end up in the bundle');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Why a released mini program could not call this URL: "HTTPS only … 暂不支持 IP 地址请求，不支持 HTTP 请求"
 * (opendocs.alipay.com/mini: 网络 API 使用须知.md and the my.request FAQ); null when it can.
 */
export function releaseProblem(apiBaseUrl: string): string | null {
  const url = new URL(apiBaseUrl);
  if (url.protocol !== 'https:') return `API_BASE_URL ${apiBaseUrl} is not https: a released mini program may call https only`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname.startsWith('['))
    return `API_BASE_URL ${apiBaseUrl} is an IP address: a released mini program may call allow-listed domain names only`;
  if (url.hostname === 'localhost' || !url.hostname.includes('.')) return `API_BASE_URL ${apiBaseUrl} is not a public domain name`;
  return null;
}

/** A `my.getAuthCode` authClientId (AlipayHK's merchant id): letters and digits only, or none. */
export function parseAuthClientId(value: string | undefined): string {
  const id = (value ?? '').trim();
  if (id !== '' && !/^[A-Za-z0-9_-]{1,64}$/.test(id))
    throw new Error(`MINIAPP_AUTH_CLIENT_ID must be letters, digits, "_" or "-": ${JSON.stringify(id)}`);
  return id;
}

/**
 * Which channel the mini program pays through: `alipayhk` (default; the BFF signs a
 * cashier.wap.pay orderStr) or `latipay` (merchants contracted through Latipay; the BFF creates the
 * order at Latipay and returns its gatewaydata as the orderStr). Both end in my.tradePay.
 */
export function parseChannel(value: string | undefined): 'alipayhk' | 'latipay' {
  const channel = value === undefined || value.trim() === '' ? 'alipayhk' : value.trim();
  if (channel !== 'alipayhk' && channel !== 'latipay')
    throw new Error(`MINIAPP_CHANNEL must be alipayhk or latipay, got ${JSON.stringify(channel)}`);
  return channel;
}
