/**
 * Goals (each a ratio against a baseline measured in the same run) and the two reports: results.json
 * (every figure) and BENCHMARKS.md (the figures, how each was measured, and — for each missed goal —
 * why, from this run's own numbers, and what would close it).
 */
import { writeFileSync } from 'node:fs';
import { toMarkdown } from './report/markdown';
import { roundTarget, x } from './report/format';
import type { BenchResults, Goal } from './report/types';
import { fmt, fmtMs, median } from './stats';

export type { BenchResults, Goal } from './report/types';
export { toMarkdown } from './report/markdown';

export function evaluateGoals(r: BenchResults): Goal[] {
  const limit = r.signing.oneCore.limit;
  const rounds = r.orders.rounds;
  const bffRounds = roundTarget(r, 'bff')!;
  const referenceRounds = roundTarget(r, 'reference')!;
  const sdkRounds = roundTarget(r, 'sdk')!;
  const postgresRounds = roundTarget(r, 'bff-postgres');
  const sizes = `${fmt(r.growth.large.orders)} vs ${fmt(r.growth.small.orders)} orders`;
  const notifyErrors = r.notify.ingest.non2xx + r.notify.ingest.errors + r.notify.ingest.timeouts;
  return [
    {
      id: 'signing-vs-limit',
      title: 'orderStr builder vs raw signing, one core',
      value: r.signing.ratios.oursToLimit,
      measured: `${x(r.signing.ratios.oursToLimit)} (${fmt(r.signing.oneCore.oursConcurrent)}/s vs ${fmt(limit)}/s)`,
      target: '≥ 0.90×',
      pass: r.signing.ratios.oursToLimit >= 0.9,
    },
    {
      id: 'signing-vs-peer',
      title: 'orderStr builder vs alipay-sdk sdkExecute, one core',
      value: r.signing.ratios.oursToPeer,
      measured: `${x(r.signing.ratios.oursToPeer)} (${fmt(r.signing.oneCore.oursConcurrent)}/s vs ${fmt(r.signing.oneCore.peer)}/s)`,
      target: '≥ 2.30×',
      pass: r.signing.ratios.oursToPeer >= 2.3,
    },
    {
      id: 'orders-vs-reference',
      title: 'POST /api/orders (SQLite) vs the reference route, alternating rounds',
      value: rounds.bffToReference,
      measured: `${x(rounds.bffToReference)} (${fmt(bffRounds.rps)}/s vs ${fmt(referenceRounds.rps)}/s), ${r.orders.errors} errors`,
      target: '≥ 0.95×, 0 errors',
      pass: rounds.bffToReference >= 0.95 && r.orders.errors === 0,
    },
    {
      id: 'orders-vs-sdk',
      title: 'POST /api/orders (SQLite) vs the alipay-sdk route (no store)',
      value: rounds.bffToSdk,
      measured: `${x(rounds.bffToSdk)} (${fmt(bffRounds.rps)}/s vs ${fmt(sdkRounds.rps)}/s)`,
      target: '≥ 3.00×',
      pass: rounds.bffToSdk >= 3,
    },
    {
      id: 'postgres-vs-sqlite',
      title: 'POST /api/orders on PostgreSQL vs the same BFF on SQLite',
      value: rounds.postgresToSqlite ?? Number.NaN,
      measured: postgresRounds
        ? `${x(rounds.postgresToSqlite!)} (${fmt(postgresRounds.rps)}/s vs ${fmt(bffRounds.rps)}/s), ${postgresRounds.errors} errors`
        : 'not measured (run with DATABASE_URL=postgres://…)',
      target: '≥ 0.60×',
      pass: rounds.postgresToSqlite !== null && rounds.postgresToSqlite >= 0.6 && postgresRounds!.errors === 0,
    },
    {
      id: 'healthz-under-load',
      title: 'GET /healthz p99 during order load vs idle',
      value: r.orders.healthz.p99Ratio,
      measured: `${x(r.orders.healthz.p99Ratio)} (${fmtMs(r.orders.healthz.loaded.latencyMs.p99)} vs ${fmtMs(r.orders.healthz.idle.latencyMs.p99)})`,
      target: '≤ 5×',
      pass: r.orders.healthz.p99Ratio <= 5 && r.orders.healthz.loaded.errorsTotal === 0,
    },
    {
      id: 'notify-vs-reference',
      title: 'notification ingest vs its reference (verify, same rows committed, signed acknowledgement)',
      value: r.notify.ratio,
      measured: `${x(r.notify.ratio)} (${fmt(median(r.notify.rounds.bff.map((f) => f.rps)))}/s vs ${fmt(r.notify.reference.rps)}/s), ${notifyErrors} errors`,
      target: '≥ 0.80×',
      pass: r.notify.ratio >= 0.8 && notifyErrors === 0,
    },
    {
      id: 'growth-post',
      title: `growth, POST /api/orders: ${sizes}`,
      value: r.growth.ratios.post,
      measured: `${x(r.growth.ratios.post)} (${fmt(r.growth.large.postRps)}/s vs ${fmt(r.growth.small.postRps)}/s)`,
      target: '≥ 0.90×',
      pass: r.growth.ratios.post >= 0.9,
    },
    {
      id: 'growth-get',
      title: `growth, GET /api/orders/:id: ${sizes}`,
      value: r.growth.ratios.get,
      measured: `${x(r.growth.ratios.get)} (${fmt(r.growth.large.getRps)}/s vs ${fmt(r.growth.small.getRps)}/s)`,
      target: '≥ 0.90×',
      pass: r.growth.ratios.get >= 0.9,
    },
  ];
}

export function writeReports(r: BenchResults, files: { json: string; markdown: string }): string[] {
  writeFileSync(files.json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(files.markdown, toMarkdown(r));
  return [files.json, files.markdown];
}
