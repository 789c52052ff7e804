/**
 * One payment at a time: while a task runs, another call answers null instead of starting a second
 * one (a double tap on Pay must never create two orders or two charges).
 */
export interface Exclusive {
  readonly busy: boolean;
  run<T>(task: () => Promise<T>): Promise<T | null>;
}

export function createExclusive(): Exclusive {
  let busy = false;
  return {
    get busy() {
      return busy;
    },
    async run(task) {
      if (busy) return null;
      busy = true;
      try {
        return await task();
      } finally {
        busy = false;
      }
    },
  };
}
