/** The web-view page: opens a wallet page (the auto-debit consent page) given as `?url=…`. */
import { messagesFor } from '../../i18n';
import type { Platform } from '../../platform/types';
import { loadMessages } from '../../services';
import { ignore, type PageInstance } from '../page-kit';
import { parseWebviewQuery, toWebviewView, type WebviewData } from './view';

type WebviewPage = PageInstance<WebviewData>;

export function createWebviewPage(platform: Platform) {
  return {
    data: toWebviewView(null, messagesFor('en')),
    async onLoad(this: WebviewPage, query?: unknown) {
      const src = parseWebviewQuery(query);
      // The URL first: the web-view starts loading while the texts are read.
      this.setData(toWebviewView(src, messagesFor('en')));
      const { t } = await loadMessages(platform);
      platform.setTitle(t.titles.webview).catch(ignore);
      this.setData(toWebviewView(src, t));
    },
  };
}
