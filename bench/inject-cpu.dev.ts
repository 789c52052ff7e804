// Ad-hoc (not part of pnpm bench): the event-loop thread's CPU per order of one tree's BFF, through
// app.inject (no sockets, no wrk), 16 orders in flight. Quieter than a wrk run on a shared machine.
// With NOTIFY=1, the same for notifications: ORDERS orders created, a notification signed for each
// (signAll, as notify-ingest.ts does) and delivered to POST /notify/alipayhk, 16 in flight.
// TREES=/a,/b builds one app per tree in this process (each on its own store) and measures them in
// BATCHES alternating batches of ORDERS/BATCHES, rotating who goes first: a change side by side with
// its before, with the machine's load drifting under both alike.
//   TREE=/path/to/copy | TREES=/a,/b [BATCHES=10] ORDERS=4000 [NOTIFY=1] node --import tsx bench/inject-cpu.dev.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_BODY, prepareDataDir, type CreatedOrder } from './lib/bff';
import { signAll } from './lib/notify-store';
import { installCleanup, makeScratchDir, removeScratchDir } from './lib/processes';
import { median } from './lib/stats';
installCleanup();
const trees = (process.env.TREES ?? process.env.TREE ?? process.cwd()).split(',');
const orders = Number(process.env.ORDERS ?? 4000);
const batches = Number(process.env.BATCHES ?? 1);
const notify = process.env.NOTIFY === '1';
const warm = 1500;
const threadNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
const notifyHeaders = { 'content-type': 'application/json; charset=UTF-8' };

/** `n` requests, 16 in flight: `send(i)` makes the i-th one and checks its answer. */
async function inflight(n: number, send: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) await send(next++);
    }),
  );
}

async function startTree(tree: string) {
  const dir = makeScratchDir('inject');
  const keys = await prepareDataDir(dir);
  const { buildApp } = (await import(join(tree, 'bff/src/app.ts'))) as typeof import('../bff/src/app');
  const { loadConfig } = (await import(join(tree, 'bff/src/config.ts'))) as typeof import('../bff/src/config');
  const config = loadConfig({
    DATA_DIR: dir,
    DATABASE_URL: `sqlite://${dir}/tradepay.db`,
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_SECONDS: '0',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ALIPAYHK_SIGN_ALGORITHM: 'RSA2',
    PORT: '1',
    SANDBOX_PORT: '2',
  });
  const app = await buildApp(config, { logStream: { write: () => true } as never });
  const session = await app.inject({ method: 'POST', url: '/api/session', payload: {} });
  const token = (JSON.parse(session.body) as { token: string }).token;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const created: CreatedOrder[] = [];
  const load = (n: number) =>
    inflight(n, async () => {
      const r = await app.inject({ method: 'POST', url: '/api/orders', headers, payload: ORDER_BODY });
      if (r.statusCode !== 201) throw new Error(`${r.statusCode} ${r.body}`);
      if (notify) created.push((JSON.parse(r.body) as { order: CreatedOrder }).order);
    });
  const deliver = (bodies: readonly string[]) =>
    inflight(bodies.length, async (i) => {
      const r = await app.inject({ method: 'POST', url: '/notify/alipayhk', headers: notifyHeaders, payload: bodies[i]! });
      if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
    });
  /** The measured work, one batch at a time. */
  let batch: (b: number, size: number) => Promise<void> = (_b, size) => load(size);
  if (notify) {
    await load(warm + orders);
    const bodies = await signAll(created, keys);
    await deliver(bodies.slice(0, warm));
    batch = (b, size) => deliver(bodies.slice(warm + b * size, warm + (b + 1) * size));
  } else await load(warm);
  return {
    tree,
    batch,
    loopMs: [] as number[],
    allMs: [] as number[],
    wallMs: 0,
    async close() {
      await app.close();
      removeScratchDir(dir);
    },
  };
}

const started: Awaited<ReturnType<typeof startTree>>[] = [];
for (const tree of trees) started.push(await startTree(tree));
const size = Math.floor(orders / batches);
for (let b = 0; b < batches; b++) {
  for (let i = 0; i < started.length; i++) {
    const t = started[(i + b) % started.length]!;
    const loop0 = threadNs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await t.batch(b, size);
    t.wallMs += performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    t.loopMs.push((threadNs() - loop0) / 1e6 / size);
    t.allMs.push((cpu.user + cpu.system) / 1000 / size);
  }
}
for (const t of started) {
  const unit = notify ? 'Notification' : 'Order';
  console.log(
    JSON.stringify({
      tree: t.tree,
      [notify ? 'notifications' : 'orders']: size * batches,
      batches,
      // Medians of the batches (the mean with one batch); with several trees, all-threads CPU is the process's, shared.
      [`loopMsPer${unit}`]: +median(t.loopMs).toFixed(4),
      [`allMsPer${unit}`]: +median(t.allMs).toFixed(4),
      perS: Math.round(((size * batches) / t.wallMs) * 1000),
      ...(batches > 1 ? { loopMsByBatch: t.loopMs.map((ms) => +ms.toFixed(3)) } : {}),
      // Against the first tree, batch by batch (neighbours in time, so the machine's drift cancels).
      ...(t !== started[0] ? { loopVsFirst: +median(t.loopMs.map((ms, b) => ms / started[0]!.loopMs[b]!)).toFixed(3) } : {}),
    }),
  );
  await t.close();
}
