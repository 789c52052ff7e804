/**
 * 2 + 3. Order creation over HTTP. The BFF runs as its own process (SQLite in a scratch DATA_DIR,
 * sandbox-mode keys); wrk posts the same two-line cart with one buyer session's token, at saturation
 * (16 connections: enough to keep the thread pool's signers and the event loop busy at once).
 *
 * Rated: alternating rounds (lib/order-rounds.ts). The BFF, the reference route
 * (lib/reference-server.ts: the least a durable, authenticated order costs on this stack), the
 * alipay-sdk route (no store) and — with a PostgreSQL configured — the same BFF on PostgreSQL all run
 * at once. With BENCH_BFF_CANDIDATE naming another copy's server.ts, that BFF (on SQLite, a store
 * file of its own) joins the rounds too, so a change is measured side by side with the tree's own.
 *
 * Then one longer run on the BFF alone gives CPU per order, the event loop's split and the /healthz
 * probe, and a short profiled run the split of an order's CPU (lib/order-load.ts).
 */
import { join } from 'node:path';
import { createSession, startBff, type BffProcess } from './lib/bff';
import { readBffTraits } from './lib/bff-traits';
import { progress } from './lib/log';
import {
  measureLongerRun,
  profileOrders,
  type HealthzProbe,
  type LoadSettings,
  type OrdersProfile,
  type OrdersRun,
} from './lib/order-load';
import { measureRounds, startReference, type OrdersRounds, type RoundTarget } from './lib/order-rounds';
import { pinPrefix, stopTracked } from './lib/processes';

export type { OrdersRun } from './lib/order-load';
export type { OrdersRounds, RoundTarget } from './lib/order-rounds';

export interface OrdersHttpResult {
  connections: number;
  durationS: number;
  runs: OrdersRun[];
  /** The configuration the longer run (CPU, event loop, /healthz) measured. */
  chosen: string;
  healthz: HealthzProbe;
  rounds: OrdersRounds;
  /** The split of an order's CPU, from separate, shorter order loads (lib/order-load.ts); null if none was written. */
  profile: OrdersProfile | null;
  /** PostgreSQL under test (password masked) and the BFF's pool size, or null. */
  postgres: { url: string; poolSize: number | null } | null;
  ordersPerSecond: number;
  errors: number;
}

const RATED = '2 cores (one process)';

type Target = { id: RoundTarget['id']; label: string; url: string; pid: number };

/** Starts every server of the rounds (pushing each on `started`, so the caller stops them) and lists them. */
export async function startRoundTargets(
  options: { dataDir: string; postgresUrl: string | null },
  started: { stop(): Promise<unknown> }[],
): Promise<{ targets: Target[]; token: string }> {
  const bff = await startBff({ dataDir: options.dataDir });
  started.push(bff);
  const session = await createSession(bff.url);
  const reference = await startReference('store', options.dataDir);
  started.push({ stop: () => stopTracked(reference.tracked) });
  const sdk = await startReference('sdk', options.dataDir);
  started.push({ stop: () => stopTracked(sdk.tracked) });
  const targets: Target[] = [
    { id: 'bff', label: '`POST /api/orders`, the BFF on SQLite (**rated**)', url: bff.url, pid: bff.pid },
    {
      id: 'reference',
      label: 'reference route (schema, HS256 session, counter, orderStr signed on the pool, one durable SQLite write)',
      url: reference.url,
      pid: reference.tracked.child.pid!,
    },
    { id: 'sdk', label: 'peer: alipay-sdk `sdkExecute` on the event loop, no store', url: sdk.url, pid: sdk.tracked.child.pid! },
  ];
  if (options.postgresUrl) {
    const onPostgres: BffProcess = await startBff({ dataDir: options.dataDir, env: { DATABASE_URL: options.postgresUrl } });
    started.push(onPostgres);
    targets.push({ id: 'bff-postgres', label: '`POST /api/orders`, the same BFF on PostgreSQL', url: onPostgres.url, pid: onPostgres.pid });
  }
  const candidate = process.env.BENCH_BFF_CANDIDATE;
  if (candidate) {
    // Same keys and session secret (same DATA_DIR), its own SQLite file.
    const other = await startBff({
      dataDir: options.dataDir,
      server: candidate,
      env: { DATABASE_URL: `sqlite://${join(options.dataDir, 'candidate.db')}` },
    });
    started.push(other);
    targets.push({ id: 'bff-candidate', label: `\`POST /api/orders\`, candidate BFF (${candidate})`, url: other.url, pid: other.pid });
  }
  return { targets, token: session.token };
}

export async function measureOrdersHttp(options: {
  dataDir: string;
  quick: boolean;
  postgresUrl: string | null;
  postgresLabel?: string;
}): Promise<OrdersHttpResult> {
  const settings: LoadSettings = {
    dataDir: options.dataDir,
    connections: 16,
    durationS: options.quick ? 3 : 8,
    probeMs: options.quick ? 300 : 1000,
    warmupS: options.quick ? 1 : 2,
  };

  progress(
    'orders: starting the BFF (SQLite), the reference route and the alipay-sdk route' +
      (options.postgresUrl ? ', and the BFF on PostgreSQL' : ''),
  );
  const started: { stop(): Promise<unknown> }[] = [];
  let rounds: OrdersRounds;
  try {
    const { targets, token } = await startRoundTargets(options, started);
    rounds = await measureRounds({ dataDir: options.dataDir, quick: options.quick, connections: settings.connections, token, targets });
  } finally {
    for (const server of started.reverse()) await server.stop();
  }
  const configs: { label: string; cpus: string | null; env: Record<string, string> }[] = [{ label: RATED, cpus: null, env: {} }];
  if (readBffTraits().clusterMode) configs.push({ label: '2 cores (WEB_CONCURRENCY=2)', cpus: null, env: { WEB_CONCURRENCY: '2' } });
  if (!pinPrefix('0').length) progress('orders: taskset is missing');
  const runs: OrdersRun[] = [];
  let healthz: HealthzProbe | null = null;
  for (const config of configs) {
    const measured = await measureLongerRun(config, settings, !healthz && config.cpus === null);
    runs.push(measured.run);
    healthz ??= measured.healthz;
  }
  // Rated: one process on both cores (the event loop on one, libuv's four signing threads across
  // both) — the default deployment. node:cluster over one SQLite file measured slower (BENCHMARKS.md).
  const chosen = runs.find((r) => r.label === RATED)!;
  const profile = await profileOrders(settings, options.quick);

  const bffRounds = rounds.targets.find((t) => t.id === 'bff')!;
  return {
    connections: settings.connections,
    durationS: settings.durationS,
    runs,
    chosen: chosen.label,
    healthz: healthz!,
    rounds,
    profile,
    postgres: options.postgresUrl
      ? { url: options.postgresLabel ?? options.postgresUrl.replace(/\/\/[^@]*@/, '//***@'), poolSize: null }
      : null,
    ordersPerSecond: bffRounds.rps,
    errors: bffRounds.errors + chosen.wrk.errorsTotal,
  };
}
