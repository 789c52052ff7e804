/** BENCHMARKS.md section 4: notification ingest. */
import type { NotifyIngestResult } from '../../notify-ingest';
import { fmt, fmtBytes, fmtInt, fmtWholeMs, median } from '../stats';
import { lines, ms, table, x } from './format';
import type { BenchResults } from './types';

export function notifySection(r: BenchResults): string[] {
  const { L, p } = lines();
  const n = r.notify;
  L.push('## 4. Notification ingest', '');
  const figures = (f: NotifyIngestResult['ingest']) => [
    fmt(f.rps),
    fmtWholeMs(f.latencyMs.p50),
    fmtWholeMs(f.latencyMs.p99),
    f.non2xx + f.errors + f.timeouts,
  ];
  const refAll = n.rounds.reference.reduce((acc, f) => acc + f.requests, 0);
  L.push(
    table(
      ['route', 'requests/s (median of rounds)', 'p50', 'p99', 'non-2xx + errors', 'CPU per request', 'rounds'],
      [
        [
          '`POST /notify/alipayhk` (BFF: verify, check, durable commit, signed ack) (**rated**)',
          fmt(median(n.rounds.bff.map((f) => f.rps))),
          ...figures(n.ingest).slice(1),
          ms(n.cpuMsPerNotification),
          n.rounds.bff.map((f) => fmt(f.rps, 0)).join(', '),
        ],
        [
          'reference (verify, the same rows committed, signed ack)',
          fmt(n.reference.rps),
          fmtWholeMs(median(n.rounds.reference.map((f) => f.latencyMs.p50))),
          fmtWholeMs(median(n.rounds.reference.map((f) => f.latencyMs.p99))),
          n.rounds.reference.reduce((acc, f) => acc + f.non2xx + f.errors + f.timeouts, 0),
          ms(n.reference.cpuMsPerRequest),
          n.rounds.reference.map((f) => fmt(f.rps, 0)).join(', '),
        ],
      ],
    ),
    '',
  );
  p(
    `Ratio: ${x(n.ratio)}, the median of the per-round ratios (${n.rounds.ratios.map((v) => v.toFixed(2)).join(', ')}).`,
    `${fmtInt(n.ordersCreated)} PENDING orders were created through \`POST /api/orders\` (wrk, ${n.orderCreationS.toFixed(1)} s), a notification signed for`,
    "each with the sandbox gateway's private key (`signTestNotification`), and the store copied (SQLite backup) for the",
    "reference (`bench/lib/notify-reference.ts`, its own process): it cuts and verifies the envelope with the BFF's",
    "verifier, reads the order, checks the amount, commits the notification, the evidence, the order's move to",
    "SUCCEEDED and its transition in the BFF's own tables (group commit, WAL, `synchronous=FULL`) and answers with an",
    "acknowledgement signed by the BFF's signer on the thread pool. autocannon (programmatic, " + `${n.connections} connections, a body`,
    `factory behind \`setupRequest\`) delivers fresh slices of ${fmtInt(n.rounds.perSlice)} notifications: each of ${n.rounds.count} rounds one slice to the BFF and`,
    "another to the reference, which goes first alternating; nobody receives a notification twice. Afterwards the BFF's",
    `store held ${fmtInt(n.committed.notificationRows)} notification rows and ${fmtInt(n.committed.succeededOrders)} SUCCEEDED orders (${fmtInt(n.committed.duplicates)} duplicates), the reference's copy`,
    `${fmtInt(n.reference.committed.notificationRows)} and ${fmtInt(n.reference.committed.succeededOrders)} (for ${fmtInt(refAll)} answered in the rounds, plus its warm-up).`,
    'Rates are counted from the first request to the last answer; autocannon reports latency in whole milliseconds.',
    `Durable commits/s on the disk just before / after: ${fmt(n.disk.before.commitsPerSecond)} / ${fmt(n.disk.after.commitsPerSecond)}. BFF peak RSS ${fmtBytes(n.peakRssBytes ?? Number.NaN)}.`,
  );

  return L;
}
