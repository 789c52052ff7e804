import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../payments/store';
import { AgreementNotActiveError, DailyCapExceededError, OrderNotRefundableError, RefundExceedsPaymentError } from '../payments/store';
import { openSqliteStore } from './sqlite-store';
import { connectWriter, openSqliteThreadStore } from './sqlite-thread-store';
import { fromWireError, toWireError } from './writer-wire';
import { newOrder } from '../../test/support/stores';

const opened: Store[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});
const scratchFile = () => join(mkdtempSync(join(tmpdir(), 'tradepay-writer-')), 'store.db');

/** A worker that answers the opening, then dies on the first call (as a crashed writer would). */
function dyingWriter(): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.postMessage({ id: 0, ok: true, value: undefined, stats: { commits: 0, writes: 0 } });
     parentPort.on('message', () => { throw new Error('disk on fire'); });`,
    { eval: true },
  );
}

describe('the SQLite writer thread', () => {
  it('errors cross as the same classes with the same fields', () => {
    const sqlite = new Database.SqliteError('UNIQUE constraint failed: orders.merchant_trans_id', 'SQLITE_CONSTRAINT_UNIQUE');
    const cases: Error[] = [
      new RefundExceedsPaymentError(250),
      new OrderNotRefundableError('order is PENDING'),
      new AgreementNotActiveError('REVOKED'),
      new AgreementNotActiveError(null),
      new DailyCapExceededError(6000, 10_000),
      sqlite,
    ];
    for (const error of cases) {
      // What a structured clone keeps of the wire form, as postMessage sends it.
      const back = fromWireError(structuredClone(toWireError(error)));
      expect(back).toBeInstanceOf(error.constructor);
      expect(back.message).toBe(error.message);
      expect({ ...back }).toEqual({ ...error });
    }
    expect(fromWireError(toWireError(sqlite))).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', name: 'SqliteError' });
  });

  it.each(['inline', 'thread'] as const)('%s: a write records the caller’s clock', async (mode) => {
    const at = new Date('2030-01-02T03:04:05.000Z');
    const file = scratchFile();
    const store = mode === 'thread' ? await openSqliteThreadStore({ file, now: () => at }) : openSqliteStore({ file, now: () => at });
    opened.push(store);
    const o = newOrder();
    await store.insertOrder(o);
    const closed = await store.closeUnpaid(o.id, 'CANCELLED', 'test');
    expect(closed.order.updatedAt).toBe(at.toISOString());
  });

  it('answers ping from the thread, counts group commits, and close lets accepted writes reach the disk', async () => {
    const file = scratchFile();
    const store = await openSqliteThreadStore({ file });
    await store.ping();
    const writes = Array.from({ length: 5 }, () => store.insertOrder(newOrder()));
    await store.close();
    await expect(Promise.all(writes)).resolves.toHaveLength(5);
    // The five, plus the empty write close queues behind them.
    expect(store.writeStats?.()).toEqual({ commits: expect.any(Number), writes: 6 });
    const again = openSqliteStore({ file });
    opened.push(again);
    expect(await again.listOrders({ limit: 10 })).toHaveLength(5);
    await expect(store.ping()).rejects.toThrow(/writer thread is gone/);
  });

  it('a writer that dies rejects every waiting call and every later one, and is logged', async () => {
    const logged: string[] = [];
    const store = await connectWriter(dyingWriter(), { log: { error: (_details, message) => logged.push(message) } });
    const calls = [store.ping(), store.getOrder('ord_x'), store.insertOrder(newOrder())];
    for (const call of calls) await expect(call).rejects.toThrow(/writer thread is gone/);
    await expect(store.getOrder('ord_z')).rejects.toThrow(/writer thread is gone/);
    expect(logged).toHaveLength(1);
    await store.close();
  });

  it('an open that fails (a file that cannot be a database) rejects', async () => {
    await expect(openSqliteThreadStore({ file: tmpdir() })).rejects.toThrow();
  });
});
