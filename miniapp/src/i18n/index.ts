import type { Messages } from './catalog';
import { en } from './en';
import { zhHK } from './zh-hk';

/** The catalogs by locale; their shape is `Messages` (catalog.ts). */
export const MESSAGES = { en, 'zh-HK': zhHK } as const;

export type Locale = keyof typeof MESSAGES;
export type { Messages };

/**
 * `my.getSystemInfoSync().language` is e.g. `en`, `zh-Hans`, `zh-Hant`, `zh-HK` (and `zh_HK` on some
 * clients). Every Chinese variant gets Traditional Chinese: we ship no Simplified texts, and a
 * Chinese reader reads Traditional far better than English.
 */
export function pickLocale(language: string | undefined): Locale {
  return /^zh/i.test(language ?? '') ? 'zh-HK' : 'en';
}

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}

/** Fills `{name}` placeholders; unknown names stay as they are, so a typo shows instead of vanishing. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
