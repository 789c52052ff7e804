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
