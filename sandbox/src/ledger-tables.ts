/**
 * Building blocks of the sandbox's ledgers (AlipayHK, Latipay, the aggregator): a table of records
 * found by either of two unique keys, and a counter of calls per endpoint.
 */

type StringKey<T> = { [K in keyof T]-?: T[K] extends string ? K : never }[keyof T];

export interface TwoKeyTable<T> {
  /** By the first key when it is given (it wins when both are), else by the second. */
  find(first: string | undefined, second: string | undefined): T | undefined;
  byFirst(key: string): T | undefined;
  bySecond(key: string): T | undefined;
  /** Adds a record; a key already taken is a sandbox bug, thrown as `duplicate <name> <value>`. */
  add(record: T): T;
  /** Every record, oldest first. */
  values(): T[];
  clear(): void;
}

/** `first` and `second` name the record's key fields; the names say how errors call them. */
export function twoKeyTable<T>(first: { key: StringKey<T>; name: string }, second: { key: StringKey<T>; name: string }): TwoKeyTable<T> {
  const byFirst = new Map<string, T>();
  const bySecond = new Map<string, T>();
  const keyOf = (record: T, key: StringKey<T>): string => record[key] as string;
  return {
    find(firstKey, secondKey) {
      if (firstKey !== undefined) return byFirst.get(firstKey);
      if (secondKey !== undefined) return bySecond.get(secondKey);
      return undefined;
    },
    byFirst: (key) => byFirst.get(key),
    bySecond: (key) => bySecond.get(key),
    add(record) {
      const a = keyOf(record, first.key);
      const b = keyOf(record, second.key);
      if (byFirst.has(a)) throw new Error(`duplicate ${first.name} ${a}`);
      if (bySecond.has(b)) throw new Error(`duplicate ${second.name} ${b}`);
      byFirst.set(a, record);
      bySecond.set(b, record);
      return record;
    },
    values: () => [...byFirst.values()],
    clear() {
      byFirst.clear();
      bySecond.clear();
    },
  };
}

export interface CallCounter<K extends string> {
  count(key: K): void;
  /** Calls so far per key (keys never called are absent). */
  counts(): Record<string, number>;
  clear(): void;
}

export function callCounter<K extends string>(): CallCounter<K> {
  const calls = new Map<K, number>();
  return {
    count: (key) => void calls.set(key, (calls.get(key) ?? 0) + 1),
    counts: () => Object.fromEntries(calls),
    clear: () => calls.clear(),
  };
}

export interface RecordList<T> {
  /** Appends a record and returns it. */
  add(record: T): T;
  /** Every record, oldest first (the list itself: snapshots copy it). */
  values(): T[];
  clear(): void;
}

export function recordList<T>(): RecordList<T> {
  const records: T[] = [];
  return {
    add(record) {
      records.push(record);
      return record;
    },
    values: () => records,
    clear: () => void records.splice(0),
  };
}
