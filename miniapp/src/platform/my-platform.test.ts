/**
 * `createMyPlatform` over a scripted `my`: each platform fact of miniapp-platform.md, with the vendor
 * page it cites (A+ = miniprogram.alipay.com/docs/miniprogram/mpdev/…, OD = AlipayDocs/open-docs).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMyPlatform } from './my-platform';
import { AuthCodeError, TransportError } from './types';

/** Installs a fake `my` global (the only module that reads it is under test). */
function withMy(fake: Record<string, unknown>, pages: { route: string }[] = []) {
  (globalThis as Record<string, unknown>).my = fake;
  (globalThis as Record<string, unknown>).getApp = () => ({ globalData: undefined });
  (globalThis as Record<string, unknown>).getCurrentPages = () => pages;
}

afterEach(() => {
  for (const name of ['my', 'getApp', 'getCurrentPages']) delete (globalThis as Record<string, unknown>)[name];
});

describe('my platform: request', () => {
  it('sends JSON, asks for text, and parses the answer itself', async () => {
    const request = vi.fn((options: Record<string, any>) => options.success({ status: 201, data: '{"ok":true}', headers: {} }));
    withMy({ request });
    const answer = await createMyPlatform().request({
      method: 'POST',
      url: 'http://b/x',
      body: { a: 1 },
      headers: { 'idempotency-key': 'k' },
      timeoutMs: 1500,
    });
    expect(answer).toEqual({ status: 201, body: { ok: true } });
    expect(request.mock.calls[0]?.[0]).toMatchObject({
      url: 'http://b/x',
      method: 'POST',
      data: '{"a":1}',
      dataType: 'text',
      timeout: 1500,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
    });
  });

  it('a POST without a body still carries `{}` (the platform declares JSON on every call: A+ api_network_request); a GET none', async () => {
    const request = vi.fn((options: Record<string, any>) => options.success({ status: 200, data: '{}' }));
    withMy({ request });
    await createMyPlatform().request({ method: 'POST', url: 'http://b/x', timeoutMs: 1 });
    await createMyPlatform().request({ method: 'GET', url: 'http://b/y', timeoutMs: 1 });
    expect(request.mock.calls[0]?.[0].data).toBe('{}');
    expect(request.mock.calls[1]?.[0].data).toBeUndefined();
  });

  it('shape 1 — success with any status — and shape 3 — fail with status/data — are answers (OD 网络 API 使用须知.md, FAQ)', async () => {
    withMy({ request: (o: Record<string, any>) => o.success({ status: 500, data: '{"error":{"code":"X","message":"m"}}' }) });
    expect(await createMyPlatform().request({ method: 'GET', url: 'http://b/x', timeoutMs: 1 })).toEqual({
      status: 500,
      body: { error: { code: 'X', message: 'm' } },
    });
    withMy({
      request: (o: Record<string, any>) =>
        o.fail({ error: 19, errorMessage: 'http status error', status: 404, data: '{"error":{"code":"NOT_FOUND","message":"x"}}' }),
    });
    expect(await createMyPlatform().request({ method: 'GET', url: 'http://b/x', timeoutMs: 1 })).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'x' } },
    });
  });

  it.each([
    [{ error: 13, errorMessage: 'timeout' }, 'timeout'],
    [{ error: 12, errorMessage: 'network error' }, 'network'],
    [{ error: 11, errorMessage: 'domain not allowed' }, 'network'],
    // Shape 2: error 19 with no status is an HTTP answer of unknown status, its own kind.
    [{ error: 19, errorMessage: 'http status error' }, 'http'],
  ])('rejects %j with TransportError(%s)', async (failure, kind) => {
    withMy({ request: (o: Record<string, any>) => o.fail(failure) });
    const error = await createMyPlatform()
      .request({ method: 'GET', url: 'http://b/x', timeoutMs: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe(kind);
  });

  it('keeps a non-JSON body as text', async () => {
    withMy({ request: (o: Record<string, any>) => o.success({ status: 200, data: 'plain' }) });
    expect((await createMyPlatform().request({ method: 'GET', url: 'http://b/x', timeoutMs: 1 })).body).toBe('plain');
  });
});

describe('my platform: tradePay', () => {
  it('resolves the resultCode as a string, even when the runtime hands a number', async () => {
    withMy({ tradePay: (o: Record<string, any>) => o.success({ resultCode: 9000 }) });
    expect(await createMyPlatform().tradePay('s')).toEqual({ kind: 'result', resultCode: '9000' });
  });

  it('a fail callback carrying a resultCode is a result (Hylid bridge: flutter_libsuperqi payment/tradePay)', async () => {
    withMy({ tradePay: (o: Record<string, any>) => o.fail({ resultCode: '6001', memo: 'user cancelled' }) });
    expect(await createMyPlatform().tradePay('s')).toEqual({ kind: 'result', resultCode: '6001' });
  });

  it('turns a fail without a code and a throwing bridge into kind "fail"', async () => {
    withMy({ tradePay: (o: Record<string, any>) => o.fail({ error: 3, errorMessage: 'x' }) });
    expect(await createMyPlatform().tradePay('s')).toEqual({ kind: 'fail', error: 3, errorMessage: 'x' });
    withMy({
      tradePay: () => {
        throw new Error('bridge gone');
      },
    });
    expect((await createMyPlatform().tradePay('s')).kind).toBe('fail');
  });

  it('passes the orderStr through untouched', async () => {
    const tradePay = vi.fn((o: Record<string, any>) => o.success({ resultCode: '6001' }));
    withMy({ tradePay });
    await createMyPlatform().tradePay('{"request":{}}');
    expect(tradePay.mock.calls[0]?.[0].orderStr).toBe('{"request":{}}');
  });
});

describe('my platform: sign-in and signContract', () => {
  it("asks getAuthCode with scopes as an array (A+ api_openapi_getauthcode); a failure is an AuthCodeError with the platform's code", async () => {
    const getAuthCode = vi.fn((o: Record<string, any>) => o.success({ authCode: 'abc' }));
    withMy({ getAuthCode });
    expect(await createMyPlatform().getAuthCode()).toBe('abc');
    expect(getAuthCode.mock.calls[0]?.[0].scopes).toEqual(['auth_base']);
    withMy({ getAuthCode: (o: Record<string, any>) => o.fail({ error: 11, errorMessage: 'user cancelled' }) });
    const error = await createMyPlatform()
      .getAuthCode()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthCodeError);
    expect((error as AuthCodeError).code).toBe(11);
  });

  it('offers signContract only where canIUse says so; success {authCode, authState}; fail codes are Strings (A+ api_openapi_signcontract)', async () => {
    withMy({ canIUse: () => false });
    expect(createMyPlatform().signContract).toBeNull();
    withMy({});
    expect(createMyPlatform().signContract).toBeNull();
    const signContract = vi.fn((o: Record<string, any>) => o.success({ authCode: 'c1', authState: 's1' }));
    withMy({ canIUse: (name: string) => name === 'signContract', signContract });
    expect(await createMyPlatform().signContract!('https://wallet/auth')).toEqual({ kind: 'signed', authCode: 'c1', authState: 's1' });
    expect(signContract.mock.calls[0]?.[0].signStr).toBe('https://wallet/auth');
    withMy({ canIUse: () => true, signContract: (o: Record<string, any>) => o.fail({ error: 6001, errMessage: 'cancel' }) });
    expect(await createMyPlatform().signContract!('u')).toEqual({ kind: 'fail', error: '6001', message: 'cancel' });
  });
});

describe('my platform: storage, language, navigation', () => {
  it('a storage failure in the documented shape {error, errorMessage} rejects (OD my.setStorageSync.md)', async () => {
    const store = new Map<string, unknown>();
    withMy({
      getStorageSync: ({ key }: { key: string }) => ({ data: store.get(key) }),
      setStorageSync: ({ key, data }: { key: string; data: unknown }) =>
        key === 'big' ? { error: 14, errorMessage: 'over 200 KB' } : (store.set(key, data), { success: true }),
    });
    const platform = createMyPlatform();
    await platform.storage.set('k', ['a']);
    expect(await platform.storage.get('k')).toEqual(['a']);
    await expect(platform.storage.set('big', 'x')).rejects.toThrow('14');
  });

  it('reads my.env.language first, else the system info, which may be undefined (OD my.env.md, my.getSystemInfoSync.md)', () => {
    withMy({ env: { language: 'zh-Hant' }, getSystemInfoSync: () => ({ language: 'en' }) });
    expect(createMyPlatform().language()).toBe('zh-Hant');
    withMy({ getSystemInfoSync: () => ({ language: 'zh-HK' }) });
    expect(createMyPlatform().language()).toBe('zh-HK');
    withMy({ getSystemInfoSync: () => undefined });
    expect(createMyPlatform().language()).toBe('');
  });

  it('wraps navigation and reads the page stack', async () => {
    const navigateBack = vi.fn((o: Record<string, any>) => o.fail({ error: 1, errorMessage: 'already top of navigation' }));
    withMy({ navigateTo: (o: Record<string, any>) => o.fail({ error: 1, errorMessage: 'no page' }), navigateBack }, [
      { route: 'pages/checkout/index' },
      { route: 'pages/orders/index' },
    ]);
    const platform = createMyPlatform();
    await expect(platform.navigateTo('/nope')).rejects.toThrow('no page');
    await expect(platform.navigateBack(1)).rejects.toThrow('already top');
    expect(navigateBack.mock.calls[0]?.[0].delta).toBe(1);
    expect(platform.pageStack()).toEqual(['pages/checkout/index', 'pages/orders/index']);
    expect(platform.appGlobal()).toEqual({});
  });
});
