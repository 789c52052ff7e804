/**
 * Every timer the sandbox starts goes through here, so closing the app (or a reset) stops them all.
 * Timers are unref'd: a pending retry 15 hours away must not keep a test process alive.
 */
export interface Timers {
  /** Runs `fn` after `ms`; returns a function that cancels it. Errors thrown by `fn` go to `onError`. */
  after(ms: number, fn: () => void | Promise<void>): () => void;
  clearAll(): void;
  readonly pending: number;
}

/** setTimeout's ceiling (about 24.8 days); longer delays would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

export function createTimers(onError: (error: unknown) => void): Timers {
  const active = new Set<NodeJS.Timeout>();
  return {
    after(ms, fn) {
      const timer = setTimeout(
        () => {
          active.delete(timer);
          Promise.resolve()
            .then(fn)
            .catch(onError);
        },
        Math.min(Math.max(0, ms), MAX_DELAY_MS),
      );
      timer.unref();
      active.add(timer);
      return () => {
        clearTimeout(timer);
        active.delete(timer);
      };
    },
    clearAll() {
      for (const timer of active) clearTimeout(timer);
      active.clear();
    },
    get pending() {
      return active.size;
    },
  };
}
