import { describe, expect, it } from 'vitest';
import { MESSAGES, fill, messagesFor, pickLocale } from './index';

describe('i18n', () => {
  it.each([
    ['en', 'en'],
    ['en-US', 'en'],
    ['zh-HK', 'zh-HK'],
    ['zh-Hant', 'zh-HK'],
    ['zh_HK', 'zh-HK'],
    ['zh-Hans', 'zh-HK'],
    ['ZH-TW', 'zh-HK'],
    ['', 'en'],
    [undefined, 'en'],
    ['fr', 'en'],
  ])('%s → %s', (language, locale) => {
    expect(pickLocale(language)).toBe(locale);
  });

  it('has every text in both languages, and none empty', () => {
    const keys = (value: unknown, prefix = ''): string[] =>
      typeof value === 'string'
        ? [prefix]
        : Object.entries(value as Record<string, unknown>).reduce<string[]>(
            (all, [k, v]) => all.concat(keys(v, prefix ? `${prefix}.${k}` : k)),
            [],
          );
    expect(keys(MESSAGES['zh-HK']).sort()).toEqual(keys(MESSAGES.en).sort());
    for (const locale of ['en', 'zh-HK'] as const) {
      const values = keys(MESSAGES[locale]).map((path) => path.split('.').reduce<any>((node, k) => node[k], MESSAGES[locale]));
      expect(values.every((v) => typeof v === 'string' && v.trim() !== '')).toBe(true);
    }
  });

  it('keeps the same placeholders in both languages', () => {
    const holes = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort().join();
    const en = messagesFor('en');
    const zh = messagesFor('zh-HK');
    expect(holes(zh.status.succeeded)).toBe(holes(en.status.succeeded));
    expect(holes(zh.checkout.unavailable)).toBe(holes(en.checkout.unavailable));
    expect(holes(zh.errors.rejected)).toBe(holes(en.errors.rejected));
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('Order {id} is paid ({id}).', { id: 'ord_1' })).toBe('Order ord_1 is paid (ord_1).');
    expect(fill('Hello {name}', {})).toBe('Hello {name}');
  });
});
