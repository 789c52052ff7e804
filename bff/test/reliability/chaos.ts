/**
 * `pnpm chaos`: the reliability scenarios at full size, then the route fuzzer with more cases.
 * Prints a summary and writes RELIABILITY.md. Set DATABASE_URL=postgres://… to run the
 * multi-instance scenarios on PostgreSQL (as a production cluster would); else one SQLite file.
 * `--quick` runs the CI sizes.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { duplicateDeliveries, gatewayFaults, killDuringDeliveriesAndRefunds, lostNotifications, type ScenarioResult } from './scenarios';

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sizes = quick
  ? {
      dup: { instances: 3, payments: 30 },
      kill: { instances: 2, payments: 40, kills: 3, refunds: 10 },
      faults: { payments: 30, failRate: 0.3 },
      lost: { payments: 40, dropRate: 0.2 },
      fuzzRuns: 1000,
    }
  : {
      dup: { instances: 3, payments: 500 },
      kill: { instances: 2, payments: 300, kills: 12, refunds: 50 },
      faults: { payments: 200, failRate: 0.3 },
      lost: { payments: 200, dropRate: 0.2 },
      fuzzRuns: 10_000,
    };

async function main(): Promise<void> {
  const started = Date.now();
  const results: ScenarioResult[] = [];
  const steps: [string, () => Promise<ScenarioResult>][] = [
    ['duplicate deliveries', () => duplicateDeliveries(sizes.dup)],
    ['kill -9', () => killDuringDeliveriesAndRefunds(sizes.kill)],
    ['gateway faults', () => gatewayFaults(sizes.faults)],
    ['lost notifications', () => lostNotifications(sizes.lost)],
  ];
  for (const [name, run] of steps) {
    process.stderr.write(`chaos: ${name} …\n`);
    const t0 = Date.now();
    const result = await run();
    results.push(result);
    process.stderr.write(
      `chaos: ${name}: lost ${result.lost}, doubled ${result.doubled}, invariants ${result.invariantsHeld ? 'held' : 'BROKEN'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  }
  process.stderr.write(`chaos: fuzzing every public route, ${sizes.fuzzRuns} cases each …\n`);
  const fuzz = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'bff/test/fuzz'], {
    cwd: root,
    env: { ...process.env, FUZZ_RUNS: String(sizes.fuzzRuns) },
    encoding: 'utf8',
  });
  const fuzzOk = fuzz.status === 0;
  const totals = results.reduce(
    (t, r) => ({
      deliveries: t.deliveries + r.deliveries,
      kills: t.kills + r.kills,
      duplicates: t.duplicates + r.duplicates,
      faults: t.faults + r.faultsInjected,
      lost: t.lost + r.lost,
      doubled: t.doubled + r.doubled,
    }),
    { deliveries: 0, kills: 0, duplicates: 0, faults: 0, lost: 0, doubled: 0 },
  );
  const allHeld = results.every((r) => r.invariantsHeld && r.notes.length === 0) && fuzzOk;
  const lines = [
    '# Reliability',
    '',
    `Last full run: ${new Date().toISOString()} — \`pnpm chaos${quick ? ' --quick' : ''}\` on ${cpus().length} cores, store: ${results[0]?.store ?? '?'}, ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    'Every scenario runs real BFF processes (`bff/src/server.ts`) behind a round-robin balancer against the sandbox gateway,',
    'and ends with the invariant checker (`bff/src/ops/invariants.ts`, I1–I6 of reliability.md) over the store and the gateway ledger.',
    '',
    `**Totals:** ${totals.deliveries} notification deliveries, ${totals.kills} kills (-9), ${totals.duplicates} duplicate deliveries, ${totals.faults} faults injected — lost = ${totals.lost}, doubled = ${totals.doubled}, invariants ${allHeld ? 'held' : 'BROKEN'}.`,
    '',
    '| scenario | payments | deliveries | kills | duplicates | faults injected | refunds at gateway | lost | doubled | invariants |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.payments} | ${r.deliveries} | ${r.kills} | ${r.duplicates} | ${r.faultsInjected} | ${r.refunds} | ${r.lost} | ${r.doubled} | ${r.invariantsHeld ? 'held' : 'BROKEN'} |`,
    ),
    '',
    '## Invariants per scenario',
    '',
    ...results.flatMap((r) => [`### ${r.name}`, '', '```', r.invariants, ...(r.notes.length ? ['notes:', ...r.notes] : []), '```', '']),
    '## Hostile input',
    '',
    `fast-check, ${sizes.fuzzRuns} cases per public route (malformed, oversized, deeply nested and \`__proto__\` bodies, wrong content types, odd ids): ${fuzzOk ? 'no 5xx, no state change, process up' : 'FAILED — see the output of `FUZZ_RUNS=… vitest run bff/test/fuzz`'}.`,
    '',
    'Faults: "faults injected" counts gateway calls failed by the sandbox (`failRate`: timeouts, 5xx, `U`) or, for lost notifications, payments whose notifications were dropped.',
    'CI runs the same scenarios at a smaller size (`bff/test/reliability/reliability.test.ts`).',
    '',
  ];
  writeFileSync(new URL('RELIABILITY.md', `file://${root}`), lines.join('\n'));
  console.log(lines.slice(0, 12).join('\n'));
  if (!fuzzOk) console.log(fuzz.stdout.slice(-3000));
  process.exit(allHeld ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
