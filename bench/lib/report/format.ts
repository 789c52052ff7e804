/** Formatting shared by the report's sections, and the side-by-side figures they quote. */
import type { RoundTarget } from '../order-rounds';
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
 * Parts of an order's event-loop CPU measured in isolation (2026-12-01, single process, steady state
 * after warm-up, load average 10–13 on 2 cores): what each costs, and what a change to it saved.
 * Not re-run by `pnpm bench`; quoted where they explain a figure.
 */
export const CPU_PARTS = {
  date: '2026-12-01',
  /** newOrderId + newMerchantTransId: a randomBytes call each, then slices of a pool refilled by randomFillSync (in the tree). */
  ids: '≈15 µs → ≈1.5 µs',
  /** The session check through @fastify/jwt (fast-jwt) against a bare HMAC-SHA256 compare and JSON.parse. */
  sessionVerify: '≈10 µs vs ≈8.6 µs',
  /** An AsyncLocalStorage context (ops/request-id.ts) on every promise created while a request is handled. */
  asyncContextPerPromise: '≈150 ns',
  /** The same BFF with that context taken out, through app.inject, alternating (2026-12-02, load ≈1): event-loop ms per order. */
  withoutAsyncContext: '0.44 and 0.41 ms against 0.41 and 0.38 ms with it: no gain',
  /** The store's insertOrder through the commit queue against the reference's write (group commit, synchronous=FULL). */
  storeInsert: '≈170–260 µs vs ≈120–140 µs',
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
