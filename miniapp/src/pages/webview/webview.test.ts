import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../i18n';
import { createFakePlatform, fakePageInstance, json } from '../../testing/fakes';
import { createWebviewPage } from './page';
import { parseWebviewQuery, toWebviewView } from './view';

const AUTH = 'http://127.0.0.1:3100/sandbox/auth?authId=abc&customerId=2188';

describe('web-view page: the URL', () => {
  it.each([
    [{ url: AUTH }, AUTH],
    [{ url: encodeURIComponent(AUTH) }, AUTH],
    [{ url: 'https://open.alipay.hk/auth#x' }, 'https://open.alipay.hk/auth#x'],
    [{ url: 'javascript:alert(1)' }, null],
    [{ url: 'data:text/html,<b>x</b>' }, null],
    [{ url: 'file:///etc/passwd' }, null],
    [{ url: 'http://' }, null],
    [{ url: 'http://a b.example/' }, null],
    [{ url: 'https://x.example/\n' }, null],
    [{ url: '' }, null],
    [{}, null],
    [null, null],
    [{ url: ['https://x.example/'] }, null],
  ])('%o → %s', (query, expected) => {
    expect(parseWebviewQuery(query)).toBe(expected);
  });

  it('maps a refused URL to an empty src and a message', () => {
    expect(toWebviewView(null, messagesFor('zh-HK'))).toEqual({ src: '', texts: { invalid: '無法開啟此頁面。' } });
  });
});

describe('web-view page', () => {
  it('loads the consent page given in ?url=…, titled in the buyer’s language', async () => {
    const platform = createFakePlatform(() => json(404, {}), { language: 'zh-HK' });
    const options = createWebviewPage(platform);
    const page = fakePageInstance(options.data);
    await options.onLoad.call(page, { url: encodeURIComponent(AUTH) });
    expect(page.data.src).toBe(AUTH);
    expect(page.history[0]?.src).toBe(AUTH); // before the texts are read
    expect(platform.titles).toEqual(['AlipayHK 授權']);
  });

  it('shows nothing for a bad link', async () => {
    const platform = createFakePlatform(() => json(404, {}));
    const options = createWebviewPage(platform);
    const page = fakePageInstance(options.data);
    await options.onLoad.call(page, { url: 'javascript:alert(1)' });
    expect(page.data).toEqual({ src: '', texts: { invalid: 'This page cannot be opened.' } });
  });
});
