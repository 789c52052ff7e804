/**
 * Navigation that never dead-ends (miniapp-platform.md §5, OD `my.navigateTo.md`, `my.redirectTo.md`,
 * `my.navigateBack.md`): back when the target is the previous page; otherwise forward (`navigateTo`) while
 * the stack has room, else `redirectTo`; `reLaunch` as the last resort. A failure is never swallowed: it
 * falls through to the next way, and only when all fail does the promise reject.
 */
import type { Platform } from '../platform/types';

/** `navigateTo` past 10 pages does nothing at all (and may call neither callback): never try it there. */
export const PAGE_STACK_LIMIT = 10;

export type NavigationMode =
  /** A new page on top (the stack grows by one). */
  | 'push'
  /** Instead of the current page: for pages that lead to each other (result ↔ my orders). */
  | 'replace';

function routeOf(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^\//, '');
}

export type NavigationStep = 'back' | 'navigateTo' | 'redirectTo' | 'reLaunch';

/** Goes to `url`; resolves with the way that worked. */
export async function navigate(platform: Platform, url: string, mode: NavigationMode = 'push'): Promise<NavigationStep> {
  const stack = platform.pageStack();
  const hasQuery = url.includes('?');
  // The page below is the target (and nothing in the URL asks for a different instance): go back to it.
  if (!hasQuery && stack.length >= 2 && stack[stack.length - 2] === routeOf(url)) {
    try {
      await platform.navigateBack(1);
      return 'back';
    } catch {
      // fall through
    }
  }
  if (mode === 'push' && stack.length < PAGE_STACK_LIMIT) {
    try {
      await platform.navigateTo(url);
      return 'navigateTo';
    } catch {
      // fall through
    }
  }
  try {
    await platform.redirectTo(url);
    return 'redirectTo';
  } catch {
    await platform.reLaunch(url);
    return 'reLaunch';
  }
}
