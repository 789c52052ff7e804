/**
 * `pnpm bench` (full, under 5 minutes on 2 cores) and `pnpm bench --quick` (under 1 minute): every
 * measurement in one run and one process tree, then bench/results.json and BENCHMARKS.md. Progress
 * goes to stderr; the goal lines go to stdout at the end. Each figure is judged as a ratio against a
 * baseline measured in this same run, because the machine is shared and its speed drifts.
 */
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, prepareDataDir } from './lib/bff';
import { readBffTraits } from './lib/bff-traits';
import { progress } from './lib/log';
import { installCleanup, makeScratchDir, removeScratchDir, runCollect } from './lib/processes';
import { evaluateGoals, writeReports, type BenchResults } from './lib/report';
import { createBenchPostgres, type BenchPostgres } from './lib/postgres';
import { assertWrk } from './lib/wrk';
import { measureGrowth } from './growth';
import { measureMiniappSize } from './miniapp-size';
import { measureNotifyIngest } from './notify-ingest';
import { measureOrdersHttp } from './orders-http';
import { measureSigning } from './signing';

const quick = process.argv.includes('--quick');
const storeArg = process.argv.indexOf('--store');
const storeChoice = storeArg >= 0 ? process.argv[storeArg + 1] : undefined;
/** `--only orders,notify`: just those measurements, printed as JSON; no report is written. */
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : null;
const postgresBase = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
/** A hard stop, so a wedged child can never keep the run (or the machine) busy. */
const WATCHDOG_MS = (quick ? 8 : 20) * 60_000;

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    // Re-renders BENCHMARKS.md from bench/results.json (after a change to the report writer).
    const saved = JSON.parse(readFileSync(join(REPO_ROOT, 'bench/results.json'), 'utf8')) as BenchResults;
    saved.goals = evaluateGoals(saved);
    progress(
      `wrote ${writeReports(saved, { json: join(REPO_ROOT, 'bench/results.json'), markdown: join(REPO_ROOT, 'BENCHMARKS.md') }).join(' and ')}`,
    );
    return;
  }
  installCleanup();
  const watchdog = setTimeout(() => {
    process.stderr.write(`[bench] watchdog: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  assertWrk();
  if (storeChoice !== undefined && storeChoice !== 'postgres' && storeChoice !== 'sqlite')
    throw new Error(`--store takes sqlite or postgres, got ${storeChoice}`);
  if (storeChoice === 'postgres' && !postgresBase)
    throw new Error('--store postgres needs DATABASE_URL=postgres://… (a server this bench can create a schema on)');
  // The PostgreSQL rows run with --store postgres, and whenever DATABASE_URL names a PostgreSQL (unless --store sqlite).
  const postgres: BenchPostgres | null = postgresBase && storeChoice !== 'sqlite' ? await createBenchPostgres(postgresBase) : null;
  const startedAt = new Date();
  const t0 = performance.now();
  const wrkVersion =
    (await runCollect('wrk', ['--version'])).stdout
      .split('\n')[0]
      ?.replace(/\s*Copyright.*$/, '')
      .trim() ?? 'unknown';
  const machine = {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    wrk: wrkVersion,
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [] as number[],
  };
  progress(
    `${quick ? 'quick' : 'full'} run on ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );

  const step = async <T>(label: string, fn: (dir: string) => Promise<T>): Promise<T> => {
    if (only && !only.has(label)) return null as T;
    const dir = makeScratchDir(label);
    try {
      return await fn(dir);
    } finally {
      removeScratchDir(dir);
    }
  };
  const signing = await step('signing', (dir) => measureSigning({ dataDir: dir, quick }));
  const orders = await step('orders', async (dir) => {
    await prepareDataDir(dir);
    try {
      return await measureOrdersHttp({
        dataDir: dir,
        quick,
        postgresUrl: postgres?.url ?? null,
        ...(postgres ? { postgresLabel: postgres.label } : {}),
      });
    } finally {
      await postgres?.drop();
    }
  });
  const notify = await step('notify', async (dir) => measureNotifyIngest({ dataDir: dir, keys: await prepareDataDir(dir), quick }));
  const growth = await step('growth', (dir) => measureGrowth({ dataDir: dir, quick }));
  const miniapp = await step('miniapp', (dir) => measureMiniappSize({ scratchDir: dir }));

  machine.loadAverageAtEnd = loadavg();
  if (only) {
    process.stdout.write(`${JSON.stringify({ signing, orders, notify, growth, miniapp }, null, 2)}\n`);
    clearTimeout(watchdog);
    return;
  }
  const results: BenchResults = {
    quick,
    bff: readBffTraits(),
    startedAt: startedAt.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    machine,
    signing,
    orders,
    notify,
    growth,
    miniapp,
    goals: [],
  };
  results.goals = evaluateGoals(results);
  const files = writeReports(results, { json: join(REPO_ROOT, 'bench/results.json'), markdown: join(REPO_ROOT, 'BENCHMARKS.md') });
  progress(`wrote ${files.join(' and ')} in ${results.durationS.toFixed(0)} s`);
  for (const goal of results.goals)
    process.stdout.write(`${goal.pass ? 'PASS' : 'MISS'}  ${goal.title}: ${goal.measured} (goal ${goal.target})\n`);
  clearTimeout(watchdog);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
