/**
 * The alternating rounds of 2 + 3: every server under test runs at once (the BFF, the reference
 * route, the alipay-sdk route, and whatever else a caller adds), and each round loads each of them in
 * turn for a short wrk run, in rotating order. Every ratio is the median of the per-round ratios (the
 * shared machine drifts by tens of percent within seconds); each server's CPU is its process tree's
 * user+system time over its own rounds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_BODY, REPO_ROOT } from './bff';
import { progress } from './log';
import { freePort, startTracked, treeCpuSeconds, waitForHttp, type Tracked } from './processes';
import { fmt, median, ratio } from './stats';
import { postScript, runWrk, type WrkResult } from './wrk';

/** One server in the alternating rounds. */
export interface RoundTarget {
  id: 'bff' | 'bff-postgres' | 'bff-candidate' | 'reference' | 'sdk';
  label: string;
  /** Median orders/s over the rounds, and each round's figure. */
  rps: number;
  perRound: number[];
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** The server's CPU (all threads) per answered order over its rounds, ms. */
  cpuMsPerOrder: number;
}

export interface OrdersRounds {
  rounds: number;
  roundS: number;
  targets: RoundTarget[];
  /** Median of the per-round ratios. */
  bffToReference: number;
  bffToSdk: number;
  /** The BFF on PostgreSQL against the same BFF on SQLite; null without a PostgreSQL. */
  postgresToSqlite: number | null;
  /** A candidate BFF (BENCH_BFF_CANDIDATE) against the tree's own; absent without one. */
  candidateToBff?: number | null;
}

/** A reference route (reference-server.ts) as its own process, unpinned like the BFF. */
export async function startReference(
  kind: 'store' | 'sdk',
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ url: string; tracked: Tracked }> {
  const port = await freePort();
  const tracked = startTracked(process.execPath, ['--import', 'tsx', 'bench/lib/reference-server.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      REFERENCE: kind,
      PORT: String(port),
      DATA_DIR: dataDir,
      // The BFF's own sandbox session secret, so the BFF's session token is valid on both.
      SESSION_SECRET: readFileSync(join(dataDir, 'keys', 'session-secret'), 'utf8'),
      KEY_FILE: join(dataDir, 'keys', 'merchant-private.pem'),
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, tracked);
  return { url, tracked };
}

export async function measureRounds(options: {
  dataDir: string;
  quick: boolean;
  connections: number;
  token: string;
  targets: { id: RoundTarget['id']; label: string; url: string; pid: number }[];
}): Promise<OrdersRounds> {
  const rounds = options.quick ? 3 : 8;
  const roundS = options.quick ? 1 : 2;
  const script = postScript(ORDER_BODY, { Authorization: `Bearer ${options.token}` });
  const samples = new Map(options.targets.map((t) => [t.id, [] as WrkResult[]]));
  const cpuS = new Map(options.targets.map((t) => [t.id, 0]));
  for (const target of options.targets)
    await runWrk({ url: `${target.url}/api/orders`, script, dir: options.dataDir, connections: options.connections, durationS: 1 });
  for (let round = 0; round < rounds; round++) {
    // Rotating order: no server always goes first (or right after the heaviest one).
    const order = options.targets.map((_, i) => options.targets[(i + round) % options.targets.length]!);
    for (const target of order) {
      const cpu = treeCpuSeconds(target.pid) ?? Number.NaN;
      samples.get(target.id)!.push(
        await runWrk({
          url: `${target.url}/api/orders`,
          script,
          dir: options.dataDir,
          connections: options.connections,
          durationS: roundS,
        }),
      );
      cpuS.set(target.id, cpuS.get(target.id)! + (treeCpuSeconds(target.pid) ?? Number.NaN) - cpu);
    }
    progress(`orders: round ${round + 1}/${rounds}: ${order.map((t) => `${t.id} ${fmt(samples.get(t.id)!.at(-1)!.rps)}/s`).join(', ')}`);
  }
  const targets = options.targets.map((t): RoundTarget => {
    const runs = samples.get(t.id)!;
    return {
      id: t.id,
      label: t.label,
      rps: median(runs.map((r) => r.rps)),
      perRound: runs.map((r) => r.rps),
      p50Ms: median(runs.map((r) => r.latencyMs.p50)),
      p99Ms: median(runs.map((r) => r.latencyMs.p99)),
      errors: runs.reduce((n, r) => n + r.errorsTotal, 0),
      cpuMsPerOrder:
        (cpuS.get(t.id)! * 1000) /
        Math.max(
          1,
          runs.reduce((n, r) => n + r.requests, 0),
        ),
    };
  });
  const perRoundRatio = (a: RoundTarget['id'], b: RoundTarget['id']) => {
    const x = samples.get(a);
    const y = samples.get(b);
    return x && y ? median(x.map((r, i) => ratio(r.rps, y[i]!.rps))) : null;
  };
  return {
    rounds,
    roundS,
    targets,
    bffToReference: perRoundRatio('bff', 'reference')!,
    bffToSdk: perRoundRatio('bff', 'sdk')!,
    postgresToSqlite: perRoundRatio('bff-postgres', 'bff'),
    candidateToBff: perRoundRatio('bff-candidate', 'bff'),
  };
}
