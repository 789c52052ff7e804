import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMyPlatform } from './my-platform';
import { TransportError } from './types';

/** Installs a fake `my` global (the only module that reads it is under test). */
function withMy(fake: Record<string, unknown>) {
  (globalThis as Record<string, unknown>).my = fake;
  (globalThis as Record<string, unknown>).getApp = () => ({ globalData: undefined });
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>).my;
  delete (globalThis as Record<string, unknown>).getApp;
});

describe('my platform: request', () => {
  it('sends JSON, asks for text, and parses the answer itself', async () => {
    const request = vi.fn((options: Record<string, any>) => options.success({ status: 201, data: '{"ok":true}', headers: {} }));
    withMy({ request });
    const answer = await createMyPlatform().request({ method: 'POST', url: 'http://b/x', body: { a: 1 }, headers: { 'idempotency-key': 'k' }, timeoutMs: 1500 });
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

  it('declares a JSON content type only when there is a body (a DELETE has none)', async () => {
    const request = vi.fn((options: Record<string, any>) => options.success({ status: 200, data: '{}' }));
    withMy({ request });
    await createMyPlatform().request({ method: 'DELETE', url: 'http://b/x', timeoutMs: 1 });
    expect(request.mock.calls[0]?.[0].method).toBe('DELETE');
    expect(request.mock.calls[0]?.[0].data).toBeUndefined();
    expect(request.mock.calls[0]?.[0].headers).toEqual({ accept: 'application/json' });
  });

  it('resolves an HTTP error status (fail callback, error 19) as an answer', async () => {
    withMy({ request: (o: Record<string, any>) => o.fail({ error: 19, errorMessage: 'http status error', status: 404, data: '{"error":{"code":"NOT_FOUND","message":"x"}}' }) });
    expect(await createMyPlatform().request({ method: 'GET', url: 'http://b/x', timeoutMs: 1 })).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'x' } },
    });
  });

  it.each([
    [{ error: 13, errorMessage: 'timeout' }, 'timeout'],
    [{ error: 12, errorMessage: 'network error' }, 'network'],
    [{ error: 19, errorMessage: 'http status error' }, 'network'],
  ])('rejects %j with TransportError(%s)', async (failure, kind) => {
    withMy({ request: (o: Record<string, any>) => o.fail(failure) });
    const error = await createMyPlatform().request({ method: 'GET', url: 'http://b/x', timeoutMs: 1 }).catch((e: unknown) => e);
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

  it('turns the fail callback and a throwing bridge into kind "fail"', async () => {
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

describe('my platform: the rest', () => {
  it('wraps storage, system info, auth code and navigation', async () => {
    const store = new Map<string, unknown>();
    withMy({
      getStorageSync: ({ key }: { key: string }) => ({ data: store.get(key) }),
      setStorageSync: ({ key, data }: { key: string; data: unknown }) => (store.set(key, data), { success: true }),
      getSystemInfoSync: () => ({ language: 'zh-Hant' }),
      getAuthCode: (o: Record<string, any>) => o.success({ authCode: 'abc' }),
      navigateTo: (o: Record<string, any>) => o.fail({ error: 1, errorMessage: 'no page' }),
    });
    const platform = createMyPlatform();
    await platform.storage.set('k', ['a']);
    expect(await platform.storage.get('k')).toEqual(['a']);
    expect(await platform.systemInfo()).toEqual({ language: 'zh-Hant' });
    expect(await platform.getAuthCode()).toBe('abc');
    await expect(platform.navigateTo('/nope')).rejects.toThrow('no page');
    expect(platform.appGlobal()).toEqual({});
  });
});
