/** The notification ingest's store side: the PENDING orders to notify, their signed notifications, and what was committed. */
import Database from 'better-sqlite3';
import { parseRsaKey } from '../../bff/src/channels/alipayhk/signing';
import { signTestNotification } from '../../bff/src/channels/alipayhk/testing';
import { SANDBOX_ALIPAYHK_CLIENT_ID, SANDBOX_ALIPAYHK_MERCHANT_ID } from '../../bff/src/config';
import type { SandboxKeys } from '../../sandbox/src/keys';
import { createSession, ORDER_BODY, type CreatedOrder } from './bff';
import { progress } from './log';
import { postScript, runWrk } from './wrk';

/** The PENDING orders the API created, read back from the store (merchantTransId and amount). */
export function pendingOrders(file: string): CreatedOrder[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT id, merchant_trans_id, amount, currency FROM orders WHERE status = 'PENDING' AND payment IS NOT NULL")
      .all() as {
      id: string;
      merchant_trans_id: string;
      amount: number;
      currency: string;
    }[];
    return rows.map((r) => ({ id: r.id, merchantTransId: r.merchant_trans_id, amount: { currency: r.currency, value: String(r.amount) } }));
  } finally {
    db.close();
  }
}

/**
 * PENDING orders created through POST /api/orders (wrk, one guest session) in passes of `passS`
 * seconds until there are `needed` (at most `passes`, default 4), read back from the store `file`.
 */
export async function createPendingOrders(options: {
  url: string;
  file: string;
  dataDir: string;
  connections: number;
  passS: number;
  needed: number;
  max: number;
  passes?: number;
}): Promise<{ orders: CreatedOrder[]; orderCreationS: number }> {
  const session = await createSession(options.url);
  let orderCreationS = 0;
  let orders: CreatedOrder[] = [];
  for (let pass = 0; pass < (options.passes ?? 4) && orders.length < options.needed; pass++) {
    progress(`notify: creating PENDING orders through POST /api/orders for ${options.passS} s (wrk, ${options.connections} connections)`);
    const created = await runWrk({
      url: `${options.url}/api/orders`,
      script: postScript(ORDER_BODY, { Authorization: `Bearer ${session.token}` }),
      dir: options.dataDir,
      connections: options.connections,
      durationS: options.passS,
    });
    orderCreationS += created.durationS;
    orders = pendingOrders(options.file).slice(0, options.max);
  }
  if (orders.length < options.needed) throw new Error(`too few orders were created: ${orders.length} of ${options.needed}`);
  return { orders, orderCreationS };
}

export async function signAll(orders: readonly CreatedOrder[], keys: SandboxKeys): Promise<string[]> {
  const gatewayKey = parseRsaKey(keys.gatewayPrivatePem, 'private');
  const bodies: string[] = new Array(orders.length);
  const lanes = 8;
  let i = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (i < orders.length) {
        const index = i++;
        const order = orders[index]!;
        bodies[index] = await signTestNotification(
          {
            clientId: SANDBOX_ALIPAYHK_CLIENT_ID,
            merchantId: SANDBOX_ALIPAYHK_MERCHANT_ID,
            merchantTransId: order.merchantTransId,
            amount: order.amount,
          },
          gatewayKey,
        );
      }
    }),
  );
  return bodies;
}

export function countPaid(file: string): { succeededOrders: number; notificationRows: number; duplicates: number; orderCount: number } {
  const db = new Database(file, { readonly: true });
  try {
    const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      succeededOrders: n("SELECT COUNT(*) AS n FROM orders WHERE status = 'SUCCEEDED'"),
      notificationRows: n('SELECT COUNT(*) AS n FROM notifications'),
      duplicates: n('SELECT COALESCE(SUM(deliveries - 1), 0) AS n FROM notifications'),
      orderCount: n('SELECT COUNT(*) AS n FROM orders'),
    };
  } finally {
    db.close();
  }
}
