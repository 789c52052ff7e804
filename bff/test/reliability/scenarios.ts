/**
 * The reliability scenarios of reliability.md, parameterised by size: the test suite runs them
 * small (CI), `pnpm chaos` runs them at full size and writes RELIABILITY.md. Each ends with the
 * invariant checker and returns its figures.
 */
import { ADMIN_TOKEN, persist, startCluster, until, type Cluster } from './cluster';

export interface ScenarioResult {
  name: string;
  store: string;
  payments: number;
  deliveries: number;
  kills: number;
  duplicates: number;
  faultsInjected: number;
  refunds: number;
  lost: number;
  doubled: number;
  invariantsHeld: boolean;
  invariants: string;
  notes: string[];
}

const SKUS = ['EGG-TART-6', 'MOONCAKE-4', 'TEA-OOLONG-100G'];
const log = (line: string) => process.stderr.write(`  [chaos] ${line}\n`);

async function createOrders(cluster: Cluster, count: number) {
  const session = await persist(() => cluster.api<{ token: string }>('/api/session', { method: 'POST', body: {} }));
  const token = session.body.token;
  const orders: { id: string; merchantTransId: string; orderStr: string }[] = [];
  for (let i = 0; i < count; i++) {
    const key = `chaos-order-${i}-${token.slice(-12)}`;
    const res = await persist(() =>
      cluster.api<any>('/api/orders', {
        method: 'POST',
        token,
        headers: { 'idempotency-key': key },
        body: { items: [{ sku: SKUS[i % SKUS.length], quantity: 1 + (i % 3) }] },
      }),
    );
    if (res.status !== 201) throw new Error(`order ${i}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    orders.push({ id: res.body.order.id, merchantTransId: res.body.order.merchantTransId, orderStr: res.body.payment.orderStr });
  }
  return { token, orders };
}

async function pay(cluster: Cluster, orderStr: string, outcome: string): Promise<string> {
  const res = await cluster.sandbox.app.inject({ method: 'POST', url: '/sandbox/wallet/tradePay', payload: { orderStr, outcome } });
  return res.json().resultCode;
}

function ledgerFor(cluster: Cluster, ids: Set<string>) {
  const snapshot = cluster.sandbox.ledger.snapshot();
  return {
    notifications: snapshot.notifications.filter((n) => ids.has(n.merchantTransId)),
    refunds: snapshot.refunds.filter((r) => ids.has(r.merchantTransId)),
  };
}

/** Passes of the in-process reconciler, moving its clock, until nothing is left to do. */
async function drain(cluster: Cluster, passes = 12): Promise<void> {
  for (let i = 0; i < passes; i++) {
    cluster.advance(20 * 60_000);
    const summary = await cluster.control.reconciler.runOnce();
    if (summary.checked + summary.refundsRetried === 0) return;
  }
}

async function finish(
  name: string,
  cluster: Cluster,
  figures: Omit<ScenarioResult, 'name' | 'store' | 'lost' | 'doubled' | 'invariantsHeld' | 'invariants'>,
): Promise<ScenarioResult> {
  const report = await cluster.invariants();
  return {
    name,
    store: cluster.store,
    ...figures,
    lost: report.lost,
    doubled: report.doubled,
    invariantsHeld: report.ok,
    invariants: report.text,
  };
}

/** Several instances, each notification delivered 3 times at once through the balancer. */
export async function duplicateDeliveries(size: { instances: number; payments: number }): Promise<ScenarioResult> {
  const cluster = await startCluster({ instances: size.instances });
  try {
    cluster.sandbox.control.update({ duplicates: 2 });
    const { orders } = await createOrders(cluster, size.payments);
    log(`duplicates: ${orders.length} orders on ${size.instances} instances`);
    for (const o of orders) if ((await pay(cluster, o.orderStr, 'success')) !== '9000') throw new Error('wallet refused');
    const ids = new Set(orders.map((o) => o.merchantTransId));
    await until(async () => ledgerFor(cluster, ids).notifications.every((n) => n.status === 'acknowledged'), 'acknowledgements', 60_000);
    const deliveries = ledgerFor(cluster, ids).notifications.flatMap((n) => n.deliveries);
    const notes: string[] = [];
    const unacked = deliveries.filter((d) => !d.acknowledged).length;
    if (unacked) notes.push(`${unacked} deliveries not acknowledged`);
    let multi = 0;
    for (const o of orders) if ((await cluster.control.store.countTransitions(o.id, 'SUCCEEDED')) !== 1) multi += 1;
    if (multi) notes.push(`${multi} orders without exactly one transition`);
    return await finish('3 copies of every notification across instances', cluster, {
      payments: orders.length,
      deliveries: deliveries.length,
      kills: 0,
      duplicates: deliveries.length - orders.length,
      faultsInjected: 0,
      refunds: 0,
      notes,
    });
  } finally {
    await cluster.close();
  }
}

/** kill -9 of instances at random moments while notifications are delivered, then refunds. */
export async function killDuringDeliveriesAndRefunds(size: {
  instances: number;
  payments: number;
  kills: number;
  refunds: number;
}): Promise<ScenarioResult> {
  const cluster = await startCluster({ instances: size.instances });
  let kills = 0;
  let stop = false;
  const killer = async () => {
    while (!stop && kills < size.kills) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 350));
      if (stop) break;
      const victim = Math.floor(Math.random() * size.instances);
      if (!cluster.bffs[victim]) continue;
      cluster.kill(victim);
      kills += 1;
      log(`kill -9 instance ${victim} (${kills}/${size.kills})`);
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      await cluster.restart(victim);
    }
  };
  try {
    const { token, orders } = await createOrders(cluster, size.payments);
    log(`kill: ${orders.length} payments, ${size.kills} kills, ${size.refunds} refunds`);
    const ids = new Set(orders.map((o) => o.merchantTransId));
    const killing = killer();
    // Payments spread out, so deliveries keep arriving while instances die.
    for (const o of orders) {
      await pay(cluster, o.orderStr, 'success');
      await new Promise((r) => setTimeout(r, 15));
    }
    const deliveryKills = Math.ceil(size.kills / 2);
    await until(async () => kills >= deliveryKills, 'kills during deliveries', 120_000);
    // Refunds while instances keep dying: each retried with its own Idempotency-Key until answered.
    const refundTargets = orders.slice(0, size.refunds);
    await drain(cluster);
    const refundCalls = refundTargets.map(async (o, i) => {
      await new Promise((r) => setTimeout(r, i * 40));
      return persist(() =>
        cluster.api<any>(`/admin/orders/${o.id}/refunds`, {
          method: 'POST',
          body: {},
          token,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': `chaos-refund-${o.id}` },
        }),
      );
    });
    const answers = await Promise.all(refundCalls);
    await until(async () => kills >= size.kills, 'every kill', 120_000);
    stop = true;
    await killing;
    for (let i = 0; i < cluster.bffs.length; i++) if (!cluster.bffs[i]) await cluster.restart(i);
    await until(
      async () => ledgerFor(cluster, ids).notifications.every((n) => n.status !== 'scheduled'),
      'notification retries to finish',
      120_000,
    );
    await drain(cluster);
    const notes: string[] = [];
    const odd = answers.filter((a) => a.status !== 201 && a.status !== 202);
    if (odd.length) notes.push(`${odd.length} refund calls answered ${odd.map((a) => a.status).join(',')}`);
    for (const o of refundTargets) {
      const order = await cluster.control.store.getOrder(o.id);
      if (order?.status !== 'REFUNDED') notes.push(`${o.id} is ${order?.status} after refund`);
    }
    const deliveries = ledgerFor(cluster, ids).notifications.flatMap((n) => n.deliveries).length;
    return await finish('kill -9 during notification deliveries and refunds', cluster, {
      payments: orders.length,
      deliveries,
      kills,
      duplicates: 0,
      faultsInjected: 0,
      refunds: ledgerFor(cluster, ids).refunds.length,
      notes,
    });
  } finally {
    stop = true;
    await cluster.close();
  }
}

/** The gateway fails a share of its calls (timeouts, 5xx, U); everything still ends final. */
export async function gatewayFaults(size: { payments: number; failRate: number }): Promise<ScenarioResult> {
  const cluster = await startCluster({ instances: 1 });
  try {
    const { token, orders } = await createOrders(cluster, size.payments);
    const ids = new Set(orders.map((o) => o.merchantTransId));
    const outcomes = ['success', 'unknown', 'network', 'cancel', 'fail'];
    for (const [i, o] of orders.entries()) await pay(cluster, o.orderStr, outcomes[i % outcomes.length]!);
    cluster.sandbox.control.update({ failRate: size.failRate, dropRate: 0.2 });
    const before = cluster.sandbox.ledger.snapshot().calls;
    log(`faults: ${orders.length} payments, ${size.failRate * 100} % of gateway calls fail`);
    // Buyers confirm; an operator refunds every third order; buyers cancel what they gave up on.
    for (const [i, o] of orders.entries()) {
      await cluster.api(`/api/orders/${o.id}/confirm`, { method: 'POST', token, body: { resultCode: '6004' } });
      if (i % 3 === 0)
        await cluster.api(`/admin/orders/${o.id}/refunds`, {
          method: 'POST',
          body: {},
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': `fault-refund-${o.id}` },
        });
      if (i % 5 === 3) await cluster.api(`/api/orders/${o.id}/cancel`, { method: 'POST', token });
    }
    for (let round = 0; round < 30; round++) {
      await drain(cluster, 3);
      const open = (await Promise.all(orders.map((o) => cluster.control.store.getOrder(o.id)))).filter(
        (o) => o?.status === 'PENDING',
      ).length;
      const pendingRefunds = (await Promise.all(orders.map((o) => cluster.control.store.listRefunds(o.id))))
        .flat()
        .filter((r) => r.status === 'PENDING').length;
      if (open === 0 && pendingRefunds === 0) break;
    }
    cluster.sandbox.control.update({ failRate: 0 });
    const after = cluster.sandbox.ledger.snapshot().calls;
    const calls = Object.entries(after).reduce((sum, [fn, n]) => sum + n - (before[fn] ?? 0), 0);
    const notes: string[] = [];
    for (const o of orders) {
      const order = await cluster.control.store.getOrder(o.id);
      if (order?.status === 'PENDING') notes.push(`${o.id} still PENDING`);
      for (const r of await cluster.control.store.listRefunds(o.id)) if (r.status === 'PENDING') notes.push(`refund ${r.id} still PENDING`);
    }
    return await finish(`gateway failing ${Math.round(size.failRate * 100)} % of calls`, cluster, {
      payments: orders.length,
      deliveries: 0,
      kills: 0,
      duplicates: 0,
      faultsInjected: Math.round(calls * size.failRate),
      refunds: ledgerFor(cluster, ids).refunds.length,
      notes,
    });
  } finally {
    await cluster.close();
  }
}

/** Notifications lost for a share of payments: the reconciler finds them. */
export async function lostNotifications(size: { payments: number; dropRate: number }): Promise<ScenarioResult> {
  const cluster = await startCluster({ instances: 1 });
  try {
    cluster.sandbox.control.update({ dropRate: size.dropRate });
    const { orders } = await createOrders(cluster, size.payments);
    const ids = new Set(orders.map((o) => o.merchantTransId));
    for (const o of orders) await pay(cluster, o.orderStr, 'success');
    await until(async () => ledgerFor(cluster, ids).notifications.every((n) => n.status !== 'scheduled'), 'deliveries', 60_000);
    const dropped = ledgerFor(cluster, ids).notifications.filter((n) => n.status === 'dropped').length;
    await drain(cluster);
    const notes: string[] = [];
    for (const o of orders) if ((await cluster.control.store.getOrder(o.id))?.status !== 'SUCCEEDED') notes.push(`${o.id} not SUCCEEDED`);
    return await finish(`notifications lost for ${Math.round(size.dropRate * 100)} % of payments`, cluster, {
      payments: orders.length,
      deliveries: ledgerFor(cluster, ids).notifications.flatMap((n) => n.deliveries).length,
      kills: 0,
      duplicates: 0,
      faultsInjected: dropped,
      refunds: 0,
      notes,
    });
  } finally {
    await cluster.close();
  }
}
