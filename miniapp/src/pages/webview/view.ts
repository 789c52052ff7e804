/**
 * Pure mapper of the web-view page: the page that shows a wallet page (the auto-debit consent page)
 * inside the mini program. Only an absolute http(s) URL is shown; anything else is refused.
 */
import type { Messages } from '../../i18n';

export interface WebviewData {
  /** The URL the `web-view` loads; empty when the link is not usable. */
  src: string;
  texts: { invalid: string };
}

/** `?url=<encoded URL>` → the URL, or null. Tolerates a runtime that hands the value still encoded. */
export function parseWebviewQuery(query: unknown): string | null {
  if (typeof query !== 'object' || query === null) return null;
  let value = (query as Record<string, unknown>).url;
  if (typeof value !== 'string' || value === '' || value.length > 4096) return null;
  if (/^https?%3A/i.test(value)) {
    try {
      value = decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  // No spaces or control characters; http(s) with a host only (never javascript:, data:, file:).
  if (!/^https?:\/\/[^\s/?#]+([/?#][^\s]*)?$/i.test(value as string) || /[\u0000-\u001f\u007f]/.test(value as string)) return null;
  return value as string;
}

export function toWebviewView(src: string | null, t: Messages): WebviewData {
  return { src: src ?? '', texts: { invalid: t.webview.invalid } };
}
