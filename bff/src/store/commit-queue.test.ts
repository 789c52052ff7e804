import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCommitQueue } from './commit-queue';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER UNIQUE)');
  const insert = db.transaction((x: number) => {
    db.prepare('INSERT INTO t VALUES (?)').run(x);
    return x;
  });
  return { db, insert, queue: createCommitQueue(db) };
}

describe('group commit', () => {
  it('commits writes of one turn together, each settling after the commit', async () => {
    const { db, insert, queue } = setup();
    const results = await Promise.all([1, 2, 3, 4].map((x) => queue.enqueue(() => insert.immediate(x))));
    expect(results).toEqual([1, 2, 3, 4]);
    expect(queue.stats()).toEqual({ commits: 1, writes: 4 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 4 });
  });

  it('rolls back only the write that failed', async () => {
    const { db, insert, queue } = setup();
    const results = await Promise.allSettled([
      queue.enqueue(() => insert.immediate(1)),
      queue.enqueue(() => insert.immediate(1)),
      queue.enqueue(() => insert.immediate(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('runs a batch of plain writes once each, in one transaction', async () => {
    const { db, queue } = setup();
    const runs = [0, 0, 0];
    const write = (i: number) => () => {
      runs[i]! += 1;
      expect(db.inTransaction).toBe(true);
      return db.prepare('INSERT INTO t VALUES (?)').run(i).changes;
    };
    expect(await Promise.all([0, 1, 2].map((i) => queue.enqueue(write(i))))).toEqual([1, 1, 1]);
    expect(runs).toEqual([1, 1, 1]);
    expect(queue.stats()).toEqual({ commits: 1, writes: 3 });
  });

  it('after a write throws, runs the batch again write by write: only the failing write is undone, its partial changes too', async () => {
    const { db, queue } = setup();
    const runs = [0, 0, 0];
    const insert = (x: number) => db.prepare('INSERT INTO t VALUES (?)').run(x);
    const results = await Promise.allSettled([
      queue.enqueue(() => {
        runs[0]! += 1;
        insert(1);
        return 'first';
      }),
      queue.enqueue(() => {
        runs[1]! += 1;
        insert(5); // changed, then failed: must not survive
        insert(1);
      }),
      queue.enqueue(() => {
        runs[2]! += 1;
        insert(2);
        return 'third';
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'first' });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'third' });
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(db.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 2 }]);
    // The batch ran up to the failure, was rolled back, then ran again write by write.
    expect(runs).toEqual([2, 2, 1]);
    expect(queue.stats()).toEqual({ commits: 1, writes: 3 });
  });

  it('undoes a lone failing write whole, without running it again', async () => {
    const { db, queue } = setup();
    let runs = 0;
    const failing = queue.enqueue(() => {
      runs += 1;
      db.prepare('INSERT INTO t VALUES (?)').run(3);
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');
    expect(runs).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    expect(db.inTransaction).toBe(false);
  });

  it('rejects every write of a batch whose commit fails, leaving nothing behind', async () => {
    const { db, insert, queue } = setup();
    const pending = [queue.enqueue(() => insert.immediate(7)), queue.enqueue(() => insert.immediate(8))];
    db.close();
    for (const p of pending) await expect(p).rejects.toThrow();
  });

  it('splits a flood into bounded batches', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    const insert = db.transaction((x: number) => db.prepare('INSERT INTO t VALUES (?)').run(x));
    const queue = createCommitQueue(db, 10);
    await Promise.all(Array.from({ length: 35 }, (_, i) => queue.enqueue(() => insert.immediate(i))));
    expect(queue.stats()).toEqual({ commits: 4, writes: 35 });
  });
});
