/**
 * Seeds a store with N orders directly (HTTP is far too slow for a million). The store is opened
 * once with openSqliteStore so the real migrations run; rows are then bulk-inserted in one
 * transaction with the real columns and real-looking values: ids from the BFF's own id functions,
 * the two-line cart's items JSON, and a `payment` JSON built from a real signed orderStr (≈1.3 KB;
 * each row gets its own merchantTransId and reqMsgId spliced in, so no two payments are equal).
 * A spread-out sample of rows belongs to one buyer (given, or SAMPLE_OWNER until assignSamples), for
 * GET /api/orders/:id.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createAlipayHkChannel } from '../../bff/src/channels/alipayhk/index';
import { loadConfig } from '../../bff/src/config';
import { newMerchantTransId, newOrderId } from '../../bff/src/payments/ids';
import { openSqliteStore } from '../../bff/src/store/sqlite-store';

/** Owner of the sample rows until the real buyer is known (see assignSamples). */
export const SAMPLE_OWNER = 'guest:bench-sample-owner';

/**
 * Gives the sample rows to the buyer a BFF has just issued a session for. A short write while the
 * BFF runs (WAL; busy_timeout covers the moment a BFF writes).
 */
export function assignSamples(dataDir: string, buyerId: string): number {
  const db = new Database(`${dataDir}/tradepay.db`);
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare('UPDATE orders SET buyer_id = ? WHERE buyer_id = ?').run(buyerId, SAMPLE_OWNER).changes;
  } finally {
    db.close();
  }
}

export interface SeedResult {
  count: number;
  /** Whole seeding: ids, the load transaction, the index builds. */
  ms: number;
  loadMs: number;
  indexMs: number;
  /** Ids of the rows that belong to `buyerId`. */
  sampleIds: string[];
  fileBytes: number;
  /** The payment JSON's size in the template row. */
  paymentBytes: number;
}

const ITEMS = JSON.stringify([
  { sku: 'EGG-TART-6', title: 'Egg tarts, box of 6', quantity: 2, unitPrice: 4200 },
  { sku: 'TEA-OOLONG-100G', title: 'Oolong tea, 100 g', quantity: 1, unitPrice: 8800 },
]);
const AMOUNT = 17_200;
const DAY_MS = 86_400_000;

/** A real orderStr, split where each row's own merchantTransId and reqMsgId go. */
async function paymentTemplate(dataDir: string): Promise<{ parts: string[]; transId: string; reqMsgId: string }> {
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '3000', SANDBOX_PORT: '3100' });
  const channel = createAlipayHkChannel({ ...config.alipayhk, notifyUrl: `${config.publicUrl}/notify/alipayhk` });
  const createdAt = new Date();
  const transId = newMerchantTransId(createdAt);
  const action = await channel.createPayment(
    {
      id: newOrderId(createdAt),
      merchantTransId: transId,
      amount: AMOUNT,
      currency: 'HKD',
      title: 'Egg tarts, box of 6 and 1 more',
      detail: '2 x EGG-TART-6, 1 x TEA-OOLONG-100G',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 15 * 60_000),
    },
    { clientIp: '127.0.0.1' },
  );
  const json = JSON.stringify(action);
  const reqMsgId = /"reqMsgId\\?":\\?"([0-9a-f]{32})/.exec(json)?.[1];
  if (!reqMsgId) throw new Error('no reqMsgId in the template orderStr');
  // Split around every occurrence of both ids; rows join the parts back with their own ids.
  const parts = json.split(new RegExp(`(${transId}|${reqMsgId})`));
  return { parts, transId, reqMsgId };
}

function sampleStatus(roll: number): { status: string; paid: boolean } {
  if (roll < 0.7) return { status: 'SUCCEEDED', paid: true };
  if (roll < 0.75) return { status: 'REFUNDED', paid: true };
  if (roll < 0.9) return { status: 'FAILED', paid: false };
  if (roll < 0.99) return { status: 'CANCELLED', paid: false };
  return { status: 'PENDING', paid: false };
}

/**
 * Adds `count` orders to DATA_DIR/tradepay.db (created and migrated if needed), made over the last
 * year. Ids come from the BFF's own functions (payments/ids.ts), which start with the creation time:
 * rows are inserted in creation order, so in id order, and a million rows load within seconds.
 */
export async function seedOrders(options: { dataDir: string; count: number; samples: number; buyerId?: string }): Promise<SeedResult> {
  const sampleOwner = options.buyerId ?? SAMPLE_OWNER;
  const file = `${options.dataDir}/tradepay.db`;
  const store = openSqliteStore({ file });
  await store.close();
  const template = await paymentTemplate(options.dataDir);
  const started = performance.now();
  const db = new Database(file);
  // A bench fixture, not live data: no journal, no fsync, a large cache while loading.
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  const insert =
    db.prepare(`INSERT INTO orders (id, merchant_trans_id, channel, buyer_id, status, currency, amount, refunded_amount, items, payment,
      gateway_transaction_id, created_at, updated_at, expires_at, paid_at, next_check_at, check_attempts)
    VALUES (?, ?, 'alipayhk', ?, ?, 'HKD', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const now = Date.now();
  const createdTimes = Array.from({ length: options.count }, () => now - Math.floor(Math.random() * 365 * DAY_MS)).sort((a, b) => a - b);
  // The named indexes are built after the load (one sort instead of a million random inserts);
  // the schema that results is the migrated one, unchanged.
  const named = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  for (const index of named) db.exec(`DROP INDEX ${index.name}`);
  const sampleEvery = Math.max(1, Math.floor(options.count / options.samples));
  const sampleIds: string[] = [];
  const guests = Array.from({ length: Math.max(1, Math.floor(options.count / 3)) }, () => `guest:${randomBytes(16).toString('base64url')}`);
  const load = db.transaction(() => {
    for (let i = 0; i < createdTimes.length; i++) {
      const created = new Date(createdTimes[i]!);
      const createdAt = created.toISOString();
      const id = newOrderId(created);
      const transId = newMerchantTransId(created);
      const reqMsgId = randomUUID().replace(/-/g, '');
      const payment = template.parts.map((p) => (p === template.transId ? transId : p === template.reqMsgId ? reqMsgId : p)).join('');
      const mine = i % sampleEvery === 0 && sampleIds.length < options.samples;
      if (mine) sampleIds.push(id);
      const { status, paid } = sampleStatus(Math.random());
      const updatedAt = new Date(created.getTime() + 60_000).toISOString();
      insert.run(
        id,
        transId,
        mine ? sampleOwner : guests[i % guests.length]!,
        status,
        AMOUNT,
        status === 'REFUNDED' ? AMOUNT : 0,
        ITEMS,
        payment,
        paid ? `2026${String(created.getTime()).padStart(16, '0')}` : null,
        createdAt,
        updatedAt,
        new Date(created.getTime() + 15 * 60_000).toISOString(),
        paid ? updatedAt : null,
        new Date(created.getTime() + 60_000).toISOString(),
        status === 'PENDING' ? 0 : 1,
      );
    }
  });
  const t0 = performance.now();
  load();
  const t1 = performance.now();
  for (const index of named) db.exec(index.sql);
  const indexMs = performance.now() - t1;
  db.pragma('journal_mode = WAL');
  db.close();
  const ms = performance.now() - started;
  return {
    count: options.count,
    ms,
    loadMs: t1 - t0,
    indexMs,
    sampleIds,
    fileBytes: statSync(file).size,
    paymentBytes: Buffer.byteLength(template.parts.join('')),
  };
}
