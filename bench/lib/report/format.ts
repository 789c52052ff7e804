/** Formatting shared by the report's sections, and the side-by-side figures they quote. */
import type { OrdersProfile } from '../order-load';
import type { RoundTarget } from '../order-rounds';
import { fmt } from '../stats';
import type { BenchResults } from './types';

export const pct = (share: number) => `${Math.round(share * 100)}%`;
export const x = (value: number) => `${Number.isFinite(value) ? value.toFixed(2) : 'n/a'}×`;
export const ms = (value: number) => `${Number.isFinite(value) ? value.toFixed(2) : 'n/a'} ms`;

export function roundTarget(r: BenchResults, id: RoundTarget['id']): RoundTarget | undefined {
  return r.orders.rounds.targets.find((t) => t.id === id);
}

export function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/**
 * Candidate BFF changes measured side by side with the tree of the day (2026-11-22): patched copies
 * started through BENCH_BFF_SERVER next to the tree's own BFF, short wrk runs alternating between
 * them. Not re-run by `pnpm bench`; quoted where they explain a figure.
 */
export const SIDE_BY_SIDE = {
  date: '2026-11-22',
  /** Before group commit was in the tree (two fsyncs per order, one per notification). */
  groupCommitOrders: '2.3–2.5×',
  groupCommitNotify: '1.3–1.5×',
  groupCommitCpu: '1.17 → 0.68 ms',
  /** With group commit in the tree. */
  oneWritePerOrder: '1.03×',
  noFsyncAtAll: '1.26×',
  cluster: '0.81×',
  clusterBeforeGroupCommit: '0.70×',
  /** GET, 1 000 000 vs 10 000 orders, paired rounds. */
  cache2MiB: '0.97–1.01× (one full run: 0.84×)',
  cache64MiB: '1.06–1.19×',
};

/** PostgreSQL pool sizes, side by side (bench/pool-sweep.dev.ts), on the machine of the day. */
export const SIDE_BY_SIDE_POOL =
  'Pool sizes were measured side by side (2026-12-02, all BFFs at once, 8 alternating rounds of 2 s, 16 connections, the server ' +
  'on the same 2 cores, load average 0.2–4.5): sizes 4, 10, 16, 32 gave medians of 1,061, 945, 916 and 965 orders/s; a second ' +
  'sweep of 2, 4, 8, 10 gave 1,013, 1,194, 1,133 and 1,029/s. 4 led both sweeps (by 12–16% over 10, with a p99 of 61–69 ms ' +
  'against 34–55 ms), so it is the default; earlier sweeps on a machine at load 13–15 were inconclusive. A database on ' +
  'machines of its own wants its own sweep (`DATABASE_URL=… SIZES=4,10,16,32 node --import tsx bench/pool-sweep.dev.ts`).';

/** SQLITE_WRITER=thread against inline, side by side (bench/sqlite-writer.dev.ts), on the machine of the day. */
export const SIDE_BY_SIDE_WRITER =
  'The writer thread (`SQLITE_WRITER=thread`: the store in a worker that owns the connection, the same group commit and ' +
  '`synchronous=FULL`) against inline, both BFFs at once, 8 alternating rounds (2026-12-02, load average 0.2–1.5): 1,421 against ' +
  '1,572 orders/s (median per-round ratio 0.92×), 0.99 against 0.80 ms of CPU per order, the event loop on CPU 47% against 67%, ' +
  '/healthz p99 under load 8.5× against 7.1× idle (two probes each, noisy). Three runs at load 4–16 (2026-12-01) gave ' +
  '0.69–0.92×. Posting every call to the thread and back costs more CPU than the event loop saves on these 2 cores, so inline ' +
  'stays the default.';

/**
 * Changes to an order's and a notification's CPU, each measured side by side with the tree before it
 * (2026-12-02, `bench/perf-split.dev.ts` / `perf-notify.dev.ts` / `inject-cpu.dev.ts`, alternating
 * runs, medians; load average 1–11 on 2 cores, so compare within a row). Not re-run by `pnpm bench`.
 */
export const CPU_CHANGES = {
  date: '2026-12-02',
  kept:
    'the group commit without a savepoint per write (a failing write still undone alone: the batch is rolled back and ' +
    'run again write by write), no re-read after the move to paid, two index entries fewer per order (the agreement ' +
    'index partial, an unused one dropped), the insert bound field by field — insertOrder 215 → 180 µs, ' +
    'recordNotification 281 → 185 µs in one process; ids that start with their creation time, so the id and ' +
    'merchantTransId indexes are appended to instead of written on a random page each (SQL alone, 64k rows: ≈90 → ≈45 µs ' +
    'per insert, more as the table grows); a notification reading only the six columns its check needs; the session ' +
    'check on node:crypto with the same rules as @fastify/jwt (tested case by case against it: 123 → 60 µs per order, ' +
    'loaded); the pino child made only when a line is written (17 → 4 µs); no per-request CORS hook; the order recorded, ' +
    'viewed and signed for as one object (payments 42 → 22 µs); the notification verified through crypto.verify; the ' +
    'request id passed down to the gateway transport instead of an AsyncLocalStorage, so no promise hooks on every ' +
    'promise (bench/compare.dev.ts, two runs of 8 rounds: 0.661 → 0.623 and 0.648 → 0.637 ms of CPU per order, 1.07× and ' +
    '1.02× the orders/s)',
  tried:
    'signing threads that batch a turn’s signatures (event loop 0.62 against 0.52 ms per order, all threads 1.28 against ' +
    '1.05: reverted); a hand-written rate limiter (≈1% of the event loop: @fastify/rate-limit kept, a well-kept plugin)',
  left:
    'what the product carries and the reference does not (perf, 2026-12-02, µs of event loop per order, BFF against ' +
    'reference): the two indexes the reconciler and the order list read (orders_unfinished, orders_buyer: SQLite 80 ' +
    'against 64), the contract’s larger answer (1,790 against 1,327 bytes) and its headers (x-request-id, x-ratelimit-*, ' +
    'cache-control, nosniff: reply, HTTP and sockets 88 against 63), and @fastify/rate-limit’s awaited promises (≈1% ' +
    'of the event loop); none of it can go without a feature going with it',
};

/** One sentence on where a load run's time went: the BFF's cores, everyone else's, the event loop. */
export function contention(
  coresUsed: number,
  machine: { busy: number; stolen: number } | null,
  cores: number,
  loop: { onCpu: number; waitingForCpu: number; asleep: number } | null,
  outstanding: number,
): string {
  const parts = [`the BFF used ${coresUsed.toFixed(2)} of ${cores} cores`];
  if (machine) {
    parts.push(
      `while the machine was busy on ${machine.busy.toFixed(2)} (the load generator and other work on this shared machine took ` +
        `${Math.max(0, machine.busy - coresUsed).toFixed(2)}${machine.stolen > 0.05 ? `; ${machine.stolen.toFixed(2)} stolen by the hypervisor` : ''})`,
    );
  }
  let text = `${parts.join(' ')}.`;
  if (loop) {
    text +=
      ` Its event loop was on a CPU ${pct(loop.onCpu)} of the time, runnable but waiting for a CPU ${pct(loop.waitingForCpu)}, ` +
      `and asleep ${pct(loop.asleep)} — with ${outstanding} requests always outstanding, asleep means blocked in a ` +
      `system call, chiefly the synchronous fsyncs.`;
  }
  return text;
}

/** The largest parts of an order's CPU split, as "store 64 µs (reference 84 µs), …" or, from V8's profile, "store 31%, …". */
export function profileHeadline(profile: OrdersProfile, n = 4): string {
  if (profile.tool !== 'perf') return topParts(profile.shares, n);
  const reference = new Map(profile.reference.parts);
  return profile.bff.parts
    .slice(0, n)
    .map(([part, us]) => `${part} ${fmt(us, 0)} µs${reference.has(part) ? ` (reference ${fmt(reference.get(part)!, 0)} µs)` : ''}`)
    .join(', ');
}

/** The largest parts of a profile, as "HTTP and routing 31%, …". */
export function topParts(shares: Record<string, number>, n: number): string {
  return Object.entries(shares)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([part, share]) => `${part} ${pct(share)}`)
    .join(', ');
}

/** A section's lines, and `p` for a paragraph (its parts joined by spaces, then a blank line). */
export function lines(): { L: string[]; p: (...text: string[]) => void } {
  const L: string[] = [];
  return { L, p: (...text: string[]) => void L.push(text.join(' '), '') };
}
