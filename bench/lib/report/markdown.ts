/** BENCHMARKS.md: the figures, how each was measured, and why each missed goal missed. */
import { fmt, fmtBytes } from '../stats';
import { lines, table } from './format';
import { growthSection } from './growth';
import { missNotes } from './misses';
import { notifySection } from './notify';
import { ordersSection } from './orders';
import { signingSection } from './signing';
import type { BenchResults } from './types';

/** The title, the machine and the goals (with the notes on the misses). */
function headSection(r: BenchResults): string[] {
  const m = r.machine;
  const { L, p } = lines();
  L.push('# Benchmarks', '');
  p(
    `Written by \`pnpm bench${r.quick ? ' --quick' : ''}\` (${r.startedAt}, ${r.durationS.toFixed(0)} s); run it again rather than`,
    'editing this file. The same figures are in `bench/results.json`.',
    r.quick ? '**This is a --quick run:** short runs and a 100 000-order store instead of 1 000 000; use the full run for decisions.' : '',
  );
  p(
    `**Machine:** ${m.cores} cores (${m.cpuModel}), ${fmtBytes(m.memoryBytes)} memory, ${m.platform}, Node ${m.node},`,
    `${m.wrk}. Load average ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start and`,
    `${m.loadAverageAtEnd.map((l) => l.toFixed(2)).join(' / ')} at the end: the machine is shared, so absolute numbers move`,
    'from run to run, and every goal is a ratio to a baseline measured in this same run.',
    (m.loadAverageAtStart[0] ?? 0) > m.cores
      ? 'Other work shared the machine with this run (the one-minute load at the start was above the core count).'
      : 'The machine was quiet when it started (the one-minute load was below the core count).',
    Math.max(...m.loadAverageAtStart.slice(0, 1), ...m.loadAverageAtEnd.slice(0, 1)) > 2 * m.cores
      ? `**The load average was over ${Math.floor(Math.max(m.loadAverageAtStart[0] ?? 0, m.loadAverageAtEnd[0] ?? 0) / m.cores)}× the cores:** ` +
          'absolute figures here are set by that contention, not by the code; only the ratios carry information, and even they ' +
          'spread widely from round to round (see the rounds columns). Re-run on a quiet machine before deciding on them.'
      : '',
  );

  L.push('## Goals', '');
  L.push(
    table(
      ['goal', 'measured', 'target', ''],
      r.goals.map((goal) => [goal.title, goal.measured, goal.target, goal.pass ? '**PASS**' : '**MISS**']),
    ),
    '',
  );
  const notes = missNotes(r);
  if (notes.length) {
    L.push('### Why the misses missed, and what would close them', '');
    for (const note of notes) L.push(note, '');
  }

  return L;
}

/** Section 6: the mini program's size, and how to run the benchmarks. */
function tailSection(r: BenchResults): string[] {
  const { L, p } = lines();
  L.push('## 6. Mini program', '');
  const a = r.miniapp;
  if (a.status === 'not built') p(`Not built: ${a.note}.`);
  else {
    p(
      `${a.files} files, ${fmtBytes(a.totalBytes)} in all (${fmtBytes(a.jsBytes)} of JavaScript), ${fmtBytes(a.gzipBytes)} gzipped file by file; ${a.note}.`,
    );
    L.push(
      table(
        ['largest files', 'bytes'],
        a.largest.map((f) => [`\`${f.file}\``, fmt(f.bytes)]),
      ),
      '',
    );
  }

  L.push('## Running it', '');
  p(
    '`npx -y pnpm@10.34.9 bench` (about 4 minutes on 2 cores) or `… bench --quick` (under a minute). It needs `wrk`',
    '(`apt-get install -y wrk`) and, for the one-core signing figures, `taskset` (util-linux). Load goes to 127.0.0.1 only;',
    'every process it starts is stopped and every scratch directory removed, also on Ctrl-C. Progress goes to stderr.',
    "To measure a candidate BFF change side by side, point `BENCH_BFF_SERVER` at another copy's `server.ts`, or",
    "`BENCH_BFF_CANDIDATE`, which adds that BFF to the order rounds beside this tree's.",
    'With `DATABASE_URL=postgres://…` (or `--store postgres`, which requires it) the order rounds include the same BFF on',
    'PostgreSQL, in a schema made for the run and dropped after it; `--store sqlite` leaves it out. `--only orders,notify`',
    'runs just those parts and prints their JSON without writing this file.',
  );
  return L;
}

export function toMarkdown(r: BenchResults): string {
  const L = [...headSection(r), ...signingSection(r), ...ordersSection(r), ...notifySection(r), ...growthSection(r), ...tailSection(r)];
  return `${L.join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
