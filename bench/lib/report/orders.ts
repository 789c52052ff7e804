/** BENCHMARKS.md sections 2–3: order creation over HTTP (and on PostgreSQL). */
import { describeCacheSize } from '../bff-traits';
import { fmt, fmtBytes, fmtInt, fmtMs, ratio } from '../stats';
import { lines, ms, pct, roundTarget, SIDE_BY_SIDE, SIDE_BY_SIDE_POOL, table, x } from './format';
import type { PerfSplitSummary } from '../order-load';
import type { BenchResults } from './types';

export function ordersSection(r: BenchResults): string[] {
  const { L, p } = lines();
  const o = r.orders;
  L.push('## 2–3. Order creation over HTTP', '');
  const bffR = roundTarget(r, 'bff')!;
  L.push(
    table(
      ['server', 'orders/s (median of rounds)', 'vs the BFF', 'p50', 'p99', 'errors', 'CPU per order (its process)', 'rounds'],
      o.rounds.targets.map((t) => [
        t.label,
        fmt(t.rps),
        x(ratio(t.rps, bffR.rps)),
        fmtMs(t.p50Ms),
        fmtMs(t.p99Ms),
        t.errors,
        ms(t.cpuMsPerOrder),
        t.perRound.map((v) => fmt(v, 0)).join(', '),
      ]),
    ),
    '',
  );
  p(
    `Ratios are medians of the per-round ratios: BFF / reference ${x(o.rounds.bffToReference)}, BFF / alipay-sdk route ${x(o.rounds.bffToSdk)}` +
      (o.rounds.postgresToSqlite !== null
        ? `, BFF on PostgreSQL / BFF on SQLite ${x(o.rounds.postgresToSqlite)}.`
        : '; PostgreSQL not measured (no DATABASE_URL).'),
    `How: every server above runs at once, each its own process on both cores; ${o.rounds.rounds} rounds, each loading every server in turn`,
    `for ${o.rounds.roundS} s (wrk, ${o.connections} connections, the same two-line cart and the same session token), the order rotating every`,
    'round, after a 1 s warm-up each. The reference route (`bench/lib/reference-server.ts`) uses nothing of the BFF but the',
    'catalog, the body schema and the session secret: Fastify validating `CreateOrderBodySchema`, one HMAC-SHA256 check of',
    "the HS256 session, a per-buyer counter, pricing from the catalog, an orderStr of the BFF's shape and size signed with",
    '`crypto.sign` on the thread pool, then the order and its payment in one row, committed in a group commit per',
    'event-loop turn (WAL, `synchronous=FULL`) before the answer. The alipay-sdk route is the same minus the store, signing',
    "with `alipay-sdk@4`'s `sdkExecute` synchronously. CPU per order is each process tree's user+system time over its own",
    'rounds' + (o.postgres ? `; for PostgreSQL it leaves out the server's own backends (${o.postgres.url}).` : '.'),
  );
  L.push(
    table(
      [
        'longer run: the BFF alone',
        'orders/s',
        'p50',
        'p99',
        'errors',
        'CPU per order (event loop)',
        'cores used (machine busy)',
        'event loop: on CPU / waiting / asleep',
        'durable commits/s (before / after)',
        'peak RSS',
      ],
      o.runs.map((run) => [
        run.label,
        fmt(run.wrk.rps),
        fmtMs(run.wrk.latencyMs.p50),
        fmtMs(run.wrk.latencyMs.p99),
        run.wrk.errorsTotal,
        `${ms(run.cpuMsPerOrder)} (${run.eventLoopCpuMsPerOrder !== null ? ms(run.eventLoopCpuMsPerOrder) : 'n/a'})`,
        `${run.coresUsed.toFixed(2)}${run.machine ? ` (machine ${run.machine.busy.toFixed(2)})` : ''}`,
        run.eventLoop ? `${pct(run.eventLoop.onCpu)} / ${pct(run.eventLoop.waitingForCpu)} / ${pct(run.eventLoop.asleep)}` : 'n/a',
        `${fmt(run.diskBefore.commitsPerSecond)} / ${fmt(run.diskAfter.commitsPerSecond)}`,
        fmtBytes(run.peakRssBytes ?? Number.NaN),
      ]),
    ),
    '',
  );
  p(
    `GET /healthz, one request every ${o.healthz.probeDelayMs} ms on one connection: p99 ${fmtMs(o.healthz.idle.latencyMs.p99)} idle,`,
    `${fmtMs(o.healthz.loaded.latencyMs.p99)} while orders were created (${x(o.healthz.p99Ratio)}; p50 ${fmtMs(o.healthz.idle.latencyMs.p50)} → ${fmtMs(o.healthz.loaded.latencyMs.p50)},`,
    `${o.healthz.loaded.errorsTotal} errors).`,
  );
  if (o.profile?.tool === 'perf') L.push(...perfSplitSection(o.profile));
  else if (o.profile) {
    const profile = o.profile;
    const ratedRun = o.runs.find((run) => run.label === o.chosen)!;
    const loopMs = ratedRun.eventLoopCpuMsPerOrder;
    L.push("**Where an order's CPU goes.**", '');
    const rows: (string | number)[][] = Object.entries(profile.shares)
      .sort((a1, b1) => b1[1] - a1[1])
      .map(([part, share]) => [part, pct(share), loopMs !== null ? ms(share * loopMs) : 'n/a']);
    if (loopMs !== null)
      rows.push(["*off the event loop* (libuv's pool: the RSA signature; V8's helper threads)", '', ms(ratedRun.cpuMsPerOrder - loopMs)]);
    L.push(table(['part of the request', 'share of the event loop', 'ms per order'], rows), '');
    p(
      `How: \`perf\` was not usable here, so the BFF ran once more with \`node --cpu-prof\` under the same load (${fmtInt(profile.orders)} orders, ${fmtInt(profile.samples)} busy samples`,
      'of the event-loop thread, start-up and warm-up left out by time stamp). Each sample is charged to the innermost frame',
      "that names a part (a file of ours or a library's: `bench/lib/profile.ts` lists them); natives and builtins climb to",
      "their caller. The ms column scales the shares by the longer run's event-loop CPU per order; the last row is the",
      "rest of the process's CPU. V8 samples on wall-clock ticks, so a frame where the thread waited (an fsync, a",
      'preemption) collects samples too: the shares overstate the store and the signature dispatch.',
    );
  }
  p(
    'How (the BFF): its own process exactly as deployed (`node --import tsx bff/src/server.ts`, SQLite in a scratch',
    '`DATA_DIR` whose sandbox keys `ensureSandboxKeys` made, `LOG_LEVEL=warn`, `RECONCILE_INTERVAL_SECONDS=0`,',
    '`RATE_LIMIT_PER_MINUTE` at its maximum because one buyer session drives all the load — the limiter still runs on',
    `every request). The longer run is ${o.durationS} s after a warm-up, with the /healthz prober (a second wrk on one connection with a`,
    '10 ms `delay()`, warmed up, run on the idle BFF, then inside the loaded run). CPU per order is user+system time over',
    "the load (all threads, /proc); the event-loop columns come from the scheduler's own accounting of the main thread",
    "(/proc/<pid>/task/<pid>/schedstat). The durable-commit probe (single-row SQLite commits, the BFF's settings) runs",
    `just before and after on the same filesystem. The store under test: ${r.bff.groupCommit ? 'group commit (one fsync per turn of the event loop)' : 'one fsync per write'}, one write per AlipayHK order, page cache ${describeCacheSize(r.bff.sqliteCacheSize)}.`,
    `One process on both cores is the deployment: node:cluster over one SQLite file measured ${SIDE_BY_SIDE.cluster} of one process (${SIDE_BY_SIDE.date}).`,
  );
  if (o.postgres) {
    p(
      `**PostgreSQL.** ${o.postgres.url}, the schema made for this run and dropped after it; the BFF's migrations made the`,
      'tables. The orders of one event-loop turn are one statement (`INSERT … SELECT FROM unnest(…)`, a named prepared',
      'statement, its own transaction: one round trip and one commit for the batch; if it fails, its orders are inserted one by',
      'one, so only a colliding order fails); with an Idempotency-Key, an order is one CTE that claims the key and inserts the',
      `order only if the claim took. Pool: \`DATABASE_POOL_SIZE\` (default 4, chosen by the sweep below). ${SIDE_BY_SIDE_POOL}`,
    );
  }

  return L;
}

/** The perf split: µs of CPU per order by part, the BFF beside the reference route. */
function perfSplitSection(profile: { bff: PerfSplitSummary; reference: PerfSplitSummary }): string[] {
  const { L, p } = lines();
  const of = (s: PerfSplitSummary) => new Map(s.parts);
  const bff = of(profile.bff);
  const reference = of(profile.reference);
  const us = (v: number | undefined) => (v === undefined || v < 0.05 ? '–' : `${fmt(v, 1)} µs`);
  const parts = [...new Set([...bff.keys(), ...reference.keys()])]
    .filter((part) => (bff.get(part) ?? 0) >= 1 || (reference.get(part) ?? 0) >= 1)
    .sort((a, b) => (bff.get(b) ?? 0) - (bff.get(a) ?? 0) || (reference.get(b) ?? 0) - (reference.get(a) ?? 0));
  const rows: (string | number)[][] = parts.map((part) => [part, us(bff.get(part)), us(reference.get(part))]);
  const total = (label: string, f: (s: PerfSplitSummary) => number) => [
    label,
    `**${us(f(profile.bff))}**`,
    `**${us(f(profile.reference))}**`,
  ];
  rows.push(total('*the event loop, in all*', (s) => s.mainUs));
  rows.push(total("*other threads* (libuv's pool: the RSA signature; V8's helpers)", (s) => s.allUs - s.mainUs));
  rows.push(total('*every thread*', (s) => s.allUs));
  L.push("**Where an order's CPU goes** (CPU per order, `perf`).", '');
  L.push(table(['part of the request (event loop)', 'the BFF', 'the reference route'], rows), '');
  p(
    `How: the BFF and the reference route run once more, each loaded in turn (wrk, the same cart and session; ${fmt(profile.bff.rps)}`,
    `and ${fmt(profile.reference.rps)} orders/s under the profiler) with \`perf record -g\` attached to every thread of its process (997 samples`,
    'a second a thread, Node run with `--perf-basic-prof` so JIT frames have names). perf counts CPU time only: a thread',
    'waiting for the disk or for a CPU is not sampled. Each event-loop sample is charged to the innermost JavaScript frame outside',
    "Node's core that names a part (`bench/lib/perf-split.ts` lists them); a sample inside SQLite's statement or commit code",
    'counts as the store; native frames with no JavaScript above them are the HTTP parser and sockets, garbage collection, or',
    'other native. The reference\'s own code (session check, pricing, the signed body, the row) is one part, "reference handler".',
  );
  return L;
}
