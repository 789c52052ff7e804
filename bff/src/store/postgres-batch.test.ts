/**
 * The PostgreSQL group insert: the queue on its own (no database), then the store's plain order
 * inserts on PostgreSQL when DATABASE_URL points at a server.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { newOrder, postgresUrl, STORE_FACTORIES } from '../../test/support/stores';
import type { Store } from '../payments/store';
import { createBatchQueue } from './postgres-batch';
import { openPostgresStore } from './postgres-store';

/** A queue over an in-memory "table" of unique numbers; a batch with a duplicate fails as a whole. */
function setup(options: { maxBatch?: number; maxInFlight?: number } = {}) {
  const stored = new Set<number>();
  const batches: number[][] = [];
  let running = 0;
  let mostRunning = 0;
  const store = (x: number) => {
    if (stored.has(x)) throw new Error(`duplicate ${x}`);
    stored.add(x);
  };
  const queue = createBatchQueue<number>({
    async runBatch(items) {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      batches.push(items);
      if (new Set(items).size < items.length || items.some((x) => stored.has(x))) throw new Error('batch failed');
      for (const x of items) store(x);
    },
    async runOne(item) {
      await Promise.resolve();
      store(item);
    },
    ...options,
  });
  return { stored, batches, queue, mostRunning: () => mostRunning };
}

describe('group insert queue', () => {
  it('sends the items of one turn as one batch, each settling after it', async () => {
    const { stored, batches, queue } = setup();
    await Promise.all([1, 2, 3, 4].map((x) => queue.enqueue(x)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(queue.stats()).toEqual({ commits: 1, writes: 4 });
    expect([...stored]).toEqual([1, 2, 3, 4]);
  });

  it('after a batch fails, sends its items one by one: only the colliding one fails, with its own error', async () => {
    const { stored, queue } = setup();
    await queue.enqueue(7);
    const results = await Promise.allSettled([1, 7, 2].map((x) => queue.enqueue(x)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('duplicate 7'));
    expect([...stored].sort()).toEqual([1, 2, 7]);
    expect(queue.stats()).toEqual({ commits: 3, writes: 3 });
  });

  it('an item alone in its batch is sent on its own, and its error is its answer', async () => {
    const { batches, queue } = setup();
    await queue.enqueue(1);
    await expect(queue.enqueue(1)).rejects.toThrow('duplicate 1');
    expect(batches).toEqual([]);
  });

  it('caps a batch, keeps a bounded number in flight, and drains', async () => {
    const { stored, batches, queue, mostRunning } = setup({ maxBatch: 10, maxInFlight: 2 });
    const all = Array.from({ length: 45 }, (_, i) => queue.enqueue(i));
    await queue.drain();
    expect(stored.size).toBe(45);
    await Promise.all(all);
    expect(batches.every((b) => b.length <= 10)).toBe(true);
    expect(mostRunning()).toBe(2);
    await queue.drain(); // idle: at once
  });
});

describe.runIf(postgresUrl)('PostgreSQL group insert of orders', () => {
  const factory = STORE_FACTORIES.find((f) => f.kind === 'postgres')!;
  const opened: { store: Store | null; pool: pg.Pool }[] = [];
  async function fresh() {
    const { store, url } = await factory.create();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    opened.push({ store, pool });
    // Rows one statement inserted share its transaction id (xmin).
    const transactions = async (ids: string[]) =>
      (await pool.query<{ n: number }>('SELECT COUNT(DISTINCT xmin::text)::int AS n FROM orders WHERE id = ANY($1)', [ids])).rows[0]!.n;
    return { store, transactions };
  }
  afterAll(async () => {
    for (const { store, pool } of opened) {
      await store?.close();
      await pool.end();
    }
  });

  it('inserts the orders of one turn in one statement, each readable once its insert resolves', async () => {
    const { store, transactions } = await fresh();
    const orders = Array.from({ length: 20 }, (_, i) => newOrder({ buyerId: i % 2 ? null : 'guest:a' }));
    const results = await Promise.all(orders.map((o) => store.insertOrder(o)));
    expect(results.every((r) => r.inserted)).toBe(true);
    expect(await transactions(orders.map((o) => o.id))).toBe(1);
    for (const [i, o] of orders.entries()) {
      const read = await store.getOrder(o.id);
      expect(read).toEqual((results[i] as { order: unknown }).order);
    }
  });

  it('a batch with a colliding order stores the others; the colliding one fails as it would alone', async () => {
    const { store, transactions } = await fresh();
    const existing = newOrder();
    await store.insertOrder(existing);
    const sameTransId = newOrder({ merchantTransId: existing.merchantTransId });
    const sameId = newOrder({ id: existing.id });
    const alone = await Promise.allSettled([store.insertOrder(sameTransId)]);
    const aloneId = await Promise.allSettled([store.insertOrder(sameId)]);
    const others = Array.from({ length: 5 }, () => newOrder());
    const batch = [others[0]!, sameTransId, others[1]!, others[2]!, sameId, others[3]!, others[4]!];
    const results = await Promise.allSettled(batch.map((o) => store.insertOrder(o)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (r: PromiseSettledResult<unknown>) => {
      const error = (r as PromiseRejectedResult).reason as pg.DatabaseError;
      return { type: error.constructor, message: error.message, code: error.code, constraint: error.constraint };
    };
    expect(reason(results[1]!)).toEqual(reason(alone[0]!));
    expect(reason(results[1]!)).toMatchObject({ code: '23505', constraint: 'orders_merchant_trans_id_key' });
    expect(reason(results[4]!)).toEqual(reason(aloneId[0]!));
    expect(reason(results[4]!)).toMatchObject({ code: '23505', constraint: 'orders_pkey' });
    for (const o of others) expect(await store.getOrder(o.id)).toMatchObject({ id: o.id, status: 'PENDING' });
    expect(await store.getOrder(existing.id)).toMatchObject({ merchantTransId: existing.merchantTransId });
    expect(await transactions(others.map((o) => o.id))).toBe(others.length); // stored one by one
  });

  it('two orders of one batch colliding with each other: one is stored, the other fails', async () => {
    const { store } = await fresh();
    const a = newOrder();
    const b = newOrder({ merchantTransId: a.merchantTransId });
    const results = await Promise.allSettled([store.insertOrder(a), store.insertOrder(b), store.insertOrder(newOrder())]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[2]!.status).toBe('fulfilled');
  });

  it('close waits for the inserts already accepted', async () => {
    const { url } = await factory.create();
    const store = await openPostgresStore({ connectionString: url });
    const orders = Array.from({ length: 3 }, () => newOrder());
    const inserts = orders.map((o) => store.insertOrder(o));
    await store.close();
    expect((await Promise.allSettled(inserts)).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    opened.push({ store: null, pool });
    expect((await pool.query('SELECT COUNT(*)::int AS n FROM orders')).rows[0]).toEqual({ n: 3 });
  });
});
