/** The web-view page: opens a wallet page (the auto-debit consent page) given as `?url=…`. */
import type { Platform } from '../../platform/types';
import { loadMessages } from '../../services';
import { ignore, type PageInstance } from '../page-kit';
import { parseWebviewQuery, toWebviewView, type WebviewData } from './view';

type WebviewPage = PageInstance<WebviewData>;

export function createWebviewPage(platform: Platform) {
  return {
    data: toWebviewView(null, loadMessages(platform).t),
    async onLoad(this: WebviewPage, query?: unknown) {
      const src = parseWebviewQuery(query);
      const { t } = loadMessages(platform);
      platform.setTitle(t.titles.webview).catch(ignore);
      this.setData(toWebviewView(src, t));
    },
  };
}
