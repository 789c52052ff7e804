/** For each missed goal: why it missed, from this run's numbers, and what would close it. */
import { describeCacheSize } from '../bff-traits';
import { fmt, fmtBytes, fmtMs, ratio } from '../stats';
import { contention, CPU_CHANGES, ms, profileHeadline, roundTarget, SIDE_BY_SIDE, SIDE_BY_SIDE_WRITER, x } from './format';
import type { BenchResults } from './types';

/** Why each missed goal missed, from this run's numbers, and what would close it. */
export function missNotes(r: BenchResults): string[] {
  const notes: string[] = [];
  const limit = r.signing.oneCore.limit;
  const signMs = 1000 / limit;
  const failed = new Set(r.goals.filter((g) => !g.pass).map((g) => g.id));
  const rated = r.orders.runs.find((run) => run.label === r.orders.chosen)!;
  const disk = Math.min(rated.diskBefore.commitsPerSecond, rated.diskAfter.commitsPerSecond);

  if (failed.has('signing-vs-limit')) {
    const s = r.signing;
    const overheadUs = (1 / s.oneCore.oursConcurrent - 1 / s.oneCore.limit) * 1e6;
    notes.push(
      `**orderStr builder vs raw signing (${x(s.ratios.oursToLimit)}).** Per order string the builder spends about ` +
        `${fmt(overheadUs, 0)} µs beyond the signature itself (${fmt(signMs * 1000, 0)} µs): the head (a random ` +
        `reqMsgId, an RFC 3339 time), one JSON.stringify of ≈${fmt(s.oneCore.signedBytes)} bytes, the envelope, and — ` +
        `the larger part — the thread-pool round trip of \`crypto.sign\`'s async form, which on one core is pure cost ` +
        `(the event loop and the pool thread take turns on the same core; the sequential figure, ${x(s.ratios.oursSequentialToLimit)}, ` +
        `shows the same). The per-round ratios of this run spread from ${x(s.oursToLimitQuartiles[0])} to ` +
        `${x(s.oursToLimitQuartiles[1])} (25th–75th percentile), so the miss is within this shared machine's noise. ` +
        `What would close it: nothing worth its price — signing synchronously would remove the round trip on one core ` +
        `but block the event loop for every signature, which is exactly what the async form is there to avoid (design.md ` +
        `"Dependencies"); on two cores the round trip is what lets the second core sign.`,
    );
  }
  const o = r.orders;
  const bff = roundTarget(r, 'bff')!;
  const reference = roundTarget(r, 'reference')!;
  const sdk = roundTarget(r, 'sdk')!;
  const onPostgres = roundTarget(r, 'bff-postgres');
  if (failed.has('orders-vs-reference')) {
    const extraMs = bff.cpuMsPerOrder - reference.cpuMsPerOrder;
    const loopMs = rated.eventLoopCpuMsPerOrder;
    const parts = o.profile ? profileHeadline(o.profile) : 'no profile was written';
    notes.push(
      `**POST /api/orders vs the reference (${x(o.rounds.bffToReference)}).** Both pay the same signature (on the ` +
        `thread pool) and the same durable commit (one write per order, one group commit per event-loop turn, ` +
        `\`synchronous=FULL\`); what differs is CPU on the one event-loop thread. In the rounds an order cost the BFF ` +
        `${ms(bff.cpuMsPerOrder)} of CPU (all threads) and the reference ${ms(reference.cpuMsPerOrder)}` +
        (extraMs > 0.02 ? `: ${ms(extraMs)} more` : ` — no more CPU, so the gap is time spent waiting for a CPU on this shared machine`) +
        `${loopMs !== null ? `; the BFF's event loop alone spent ${ms(loopMs)} per order in the longer run` : ''}. ` +
        `The split of the event loop (section 2–3) puts it in: ${parts}. *This run:* ` +
        `${contention(rated.coresUsed, rated.machine, r.machine.cores, rated.eventLoop, o.connections)} ` +
        `Durable commits on this disk, probed beside the run: ${fmt(disk)}/s. ` +
        `*Done, measured side by side (${CPU_CHANGES.date}):* ${CPU_CHANGES.kept}. *Tried and not kept:* ${SIDE_BY_SIDE_WRITER} ` +
        `Also ${CPU_CHANGES.tried}. *What would close the rest:* the machine is saturated (server and load generator on 2 ` +
        `cores), so orders/s follows CPU per order; what the BFF still does beyond the reference is ${CPU_CHANGES.left}.`,
    );
  }
  if (failed.has('orders-vs-sdk')) {
    notes.push(
      `**POST /api/orders vs the alipay-sdk route (${x(o.rounds.bffToSdk)}).** The SDK route signs synchronously on ` +
        `the event loop and re-reads its PEM key per call (${ms(sdk.cpuMsPerOrder)} of CPU per order) but stores nothing; ` +
        `the BFF spends ${ms(bff.cpuMsPerOrder)} (signature on the pool, durable commit, the full request path). ` +
        `3× needs the BFF at ≈${ms(sdk.cpuMsPerOrder / 3)} per order on the same cores; the reference route costs ` +
        `${ms(reference.cpuMsPerOrder)} and reached ${x(ratio(reference.rps, sdk.rps))} of the SDK route in the same rounds` +
        (ratio(reference.rps, sdk.rps) < 3
          ? ', so on this machine the stack itself misses 3×: a bound of the stack on this CPU, not of our code. '
          : '. ') +
        `What would close it is the same list as for the reference.`,
    );
  }
  if (failed.has('postgres-vs-sqlite')) {
    notes.push(
      onPostgres
        ? `**PostgreSQL vs SQLite (${x(o.rounds.postgresToSqlite!)}).** The orders of one event-loop turn go to ` +
            `PostgreSQL as one statement (\`INSERT … SELECT FROM unnest(…)\`, prepared by name: one round trip and one ` +
            `commit per batch, up to four batches in flight). The BFF's own CPU per order: ${ms(onPostgres.cpuMsPerOrder)} on ` +
            `PostgreSQL vs ${ms(bff.cpuMsPerOrder)} on SQLite; the server's backends run on the same two cores and are not ` +
            `in that figure, and the server is shared with every other engineer's test run. What would close it: larger ` +
            `batches (a short wait before each flush, latency traded for fewer commits), or a server on cores of its own.`
        : `**PostgreSQL vs SQLite: not measured.** Run \`pnpm bench --store postgres\` with DATABASE_URL naming a PostgreSQL.`,
    );
  }
  if (failed.has('healthz-under-load')) {
    notes.push(
      `**/healthz under load (${x(r.orders.healthz.p99Ratio)}).** The route itself is trivial; under load it waits ` +
        `its turn on the one event loop behind the orders' work, including their synchronous fsyncs ` +
        `(${fmtMs(rated.diskBefore.latencyMs.p99)} p99 per commit on this disk during the run), and behind other ` +
        `processes for a CPU. ${r.bff.groupCommit ? "The group commit already shares one fsync among a turn's writes;" : 'Group commit (one fsync per batch) would shorten those stalls;'} the writer thread that takes SQLite off the event ` +
        `loop (\`SQLITE_WRITER=thread\`) was measured side by side and did not lower the ratio on these 2 cores (above).`,
    );
  }
  if (failed.has('notify-vs-reference')) {
    const n = r.notify;
    notes.push(
      `**Notification ingest vs its reference (${x(n.ratio)}).** Both verify the same envelope, commit the same four ` +
        `rows (notification, evidence, the order's move, its transition) with one group commit per event-loop turn, and ` +
        `sign the acknowledgement on the thread pool. CPU per notification: the BFF ${ms(n.cpuMsPerNotification)}, the ` +
        `reference ${ms(n.reference.cpuMsPerRequest)}. Measured side by side (${CPU_CHANGES.date}, bench/perf-notify.dev.ts): ` +
        `the store's notification write 281 → 185 µs (no savepoint, no re-read, only the columns the decision needs), the ` +
        `order read before it narrowed to six columns, verification through crypto.verify, no child logger per notification. ` +
        `What the BFF still does beyond the reference: the channel's full parse and checks (head, function, merchant, ` +
        `amount and currency against the order: the same CPU as the reference's cut once warm), the metrics wrapper around ` +
        `the store and the Fastify hooks of the full app, none of which can go without a feature going with it.`,
    );
  }
  if (failed.has('growth-post') || failed.has('growth-get')) {
    const g = r.growth;
    const spread = (values: number[]) => `${x(Math.min(...values))}–${x(Math.max(...values))}`;
    notes.push(
      `**Growth (GET ${x(g.ratios.get)}, POST ${x(g.ratios.post)}).** Per-round ratios in this run: GET ` +
        `${spread(g.roundRatios.get)}, POST ${spread(g.roundRatios.post)} — the spread of this shared machine, measured ` +
        `with the two stores back to back. Every lookup is by primary or unique key and every insert walks B-trees ` +
        `of depth log n, so nothing grows linearly; what does grow is the depth of the id index and of the table (a ` +
        `page or two more per lookup), and whether those pages are in SQLite's page cache (${describeCacheSize(r.bff.sqliteCacheSize)} ` +
        `here) or must come from the OS page cache, a system call each, at ${fmt(g.large.orders)} orders (a ` +
        `${fmtBytes(g.large.seed.fileBytes)} file). Side by side (${SIDE_BY_SIDE.date}), GET at 1 000 000 vs 10 000 ` +
        `orders measured ${SIDE_BY_SIDE.cache2MiB} with the 2 MiB default and ${SIDE_BY_SIDE.cache64MiB} with 64 MiB. ` +
        `If the miss holds on quiet runs, the next step is a larger cache or \`PRAGMA mmap_size\`.`,
    );
  }
  return notes;
}
