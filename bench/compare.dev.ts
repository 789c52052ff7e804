// Ad-hoc (not part of pnpm bench): a candidate BFF side by side with this tree's, in the alternating
// rounds of `pnpm bench` (with the reference and alipay-sdk routes), and nothing else.
//   BENCH_BFF_CANDIDATE=/other/copy/bff/src/server.ts node --import tsx bench/compare.dev.ts [--quick]
import { prepareDataDir } from './lib/bff';
import { measureRounds } from './lib/order-rounds';
import { installCleanup, makeScratchDir, removeScratchDir } from './lib/processes';
import { startRoundTargets } from './orders-http';
installCleanup();
const dir = makeScratchDir('compare');
await prepareDataDir(dir);
const started: { stop(): Promise<unknown> }[] = [];
try {
  const { targets, token } = await startRoundTargets({ dataDir: dir, postgresUrl: null }, started);
  const r = await measureRounds({ dataDir: dir, quick: process.argv.includes('--quick'), connections: 16, token, targets });
  for (const t of r.targets)
    console.log(
      `${t.id}: median ${t.rps.toFixed(0)}/s, ${t.cpuMsPerOrder.toFixed(3)} ms CPU/order, p99 ${t.p99Ms.toFixed(1)} ms, errors ${t.errors}, rounds ${t.perRound.map((x) => x.toFixed(0)).join(' ')}`,
    );
  console.log(
    `bff/reference ${r.bffToReference.toFixed(3)}, bff/sdk ${r.bffToSdk.toFixed(3)}, candidate/bff ${r.candidateToBff?.toFixed(3)}`,
  );
} finally {
  for (const b of started.reverse()) await b.stop();
  removeScratchDir(dir);
}
