/**
 * Every timer the sandbox starts goes through here, so closing the app (or a reset) stops them all.
 * Timers are unref'd: a pending retry 15 hours away must not keep a test process alive.
 */
export interface Timers {
  /** Runs `fn` after `ms`; returns a function that cancels it. Errors thrown by `fn` go to `onError`. */
  after(ms: number, fn: () => void | Promise<void>): () => void;
  /**
   * Moves every pending timer `ms` closer (`pnpm sandbox advance`): those due within `ms` run now,
   * in due order; the others keep their remaining wait minus `ms`. Returns how many ran.
   */
  advance(ms: number): number;
  clearAll(): void;
  readonly pending: number;
}

/** setTimeout's ceiling (about 24.8 days); longer delays would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

interface Entry {
  timer: NodeJS.Timeout;
  dueAt: number;
}

export function createTimers(onError: (error: unknown) => void): Timers {
  const active = new Map<Entry, () => void | Promise<void>>();

  /** (Re)arms the entry's timer to fire in `ms`. */
  function arm(entry: Entry, ms: number, fn: () => void | Promise<void>): void {
    const wait = Math.min(Math.max(0, ms), MAX_DELAY_MS);
    entry.dueAt = Date.now() + wait;
    entry.timer = setTimeout(() => {
      active.delete(entry);
      Promise.resolve().then(fn).catch(onError);
    }, wait);
    entry.timer.unref();
  }

  return {
    after(ms, fn) {
      const entry = {} as Entry;
      arm(entry, ms, fn);
      active.set(entry, fn);
      return () => {
        clearTimeout(entry.timer);
        active.delete(entry);
      };
    },
    advance(ms) {
      let ran = 0;
      const now = Date.now();
      for (const [entry, fn] of [...active].sort(([a], [b]) => a.dueAt - b.dueAt)) {
        clearTimeout(entry.timer);
        const remaining = entry.dueAt - now - ms;
        if (remaining <= 0) ran += 1;
        arm(entry, remaining, fn);
      }
      return ran;
    },
    clearAll() {
      for (const entry of active.keys()) clearTimeout(entry.timer);
      active.clear();
    },
    get pending() {
      return active.size;
    },
  };
}
