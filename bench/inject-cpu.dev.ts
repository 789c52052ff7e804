// Ad-hoc (not part of pnpm bench): the event-loop thread's CPU per order of one tree's BFF, through
// app.inject (no sockets, no wrk), 16 orders in flight. Quieter than a wrk run on a shared machine.
// With NOTIFY=1, the same for notifications: ORDERS orders created, a notification signed for each
// (signAll, as notify-ingest.ts does) and delivered to POST /notify/alipayhk, 16 in flight.
//   TREE=/path/to/copy ORDERS=4000 [NOTIFY=1] node --import tsx bench/inject-cpu.dev.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_BODY, prepareDataDir, type CreatedOrder } from './lib/bff';
import { signAll } from './lib/notify-store';
import { installCleanup, makeScratchDir, removeScratchDir } from './lib/processes';
installCleanup();
const tree = process.env.TREE ?? process.cwd();
const orders = Number(process.env.ORDERS ?? 4000);
const notify = process.env.NOTIFY === '1';
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
const threadNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
const created: CreatedOrder[] = [];
async function load(n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < n) {
        const r = await app.inject({ method: 'POST', url: '/api/orders', headers, payload: ORDER_BODY });
        if (r.statusCode !== 201) throw new Error(`${r.statusCode} ${r.body}`);
        if (notify) created.push((JSON.parse(r.body) as { order: CreatedOrder }).order);
      }
    }),
  );
}
/** With NOTIFY=1: delivers the signed notifications `bodies` to POST /notify/alipayhk, 16 in flight. */
async function deliver(bodies: readonly string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < bodies.length) {
        const payload = bodies[next++]!;
        const r = await app.inject({ method: 'POST', url: '/notify/alipayhk', headers: notifyHeaders, payload });
        if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
      }
    }),
  );
}
const notifyHeaders = { 'content-type': 'application/json; charset=UTF-8' };
const warm = 1500;
let run = () => load(orders);
if (notify) {
  await load(warm + orders);
  const bodies = await signAll(created, keys);
  await deliver(bodies.slice(0, warm));
  run = () => deliver(bodies.slice(warm));
} else await load(warm);
const loop0 = threadNs();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run();
const wall = performance.now() - t0;
const loop = (threadNs() - loop0) / 1e6 / orders;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    tree,
    [notify ? 'notifications' : 'orders']: orders,
    [notify ? 'loopMsPerNotification' : 'loopMsPerOrder']: +loop.toFixed(4),
    [notify ? 'allMsPerNotification' : 'allMsPerOrder']: +((cpu.user + cpu.system) / 1000 / orders).toFixed(4),
    perS: Math.round((orders / wall) * 1000),
  }),
);
await app.close();
removeScratchDir(dir);
