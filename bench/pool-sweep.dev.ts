// Ad-hoc (not part of pnpm bench): PostgreSQL pool sizes side by side, alternating rounds.
import { createSession, prepareDataDir, startBff } from './lib/bff';
import { createBenchPostgres } from './lib/postgres';
import { installCleanup, makeScratchDir, removeScratchDir } from './lib/processes';
import { measureRounds } from './lib/order-rounds';
installCleanup();
const dir = makeScratchDir('pool');
await prepareDataDir(dir);
const pg = await createBenchPostgres(process.env.DATABASE_URL!);
const sizes = (process.env.SIZES ?? '4,10,16').split(',');
const started = [];
try {
  const targets = [];
  for (const size of sizes) {
    const bff = await startBff({ dataDir: dir, env: { DATABASE_URL: pg.url, DATABASE_POOL_SIZE: size } });
    started.push(bff);
    targets.push({ id: `pool-${size}` as never, label: size, url: bff.url, pid: bff.pid });
  }
  const session = await createSession(started[0]!.url);
  const r = await measureRounds({ dataDir: dir, quick: process.env.QUICK === '1', connections: 16, token: session.token, targets });
  for (const t of r.targets)
    console.log(
      `pool ${t.label}: median ${t.rps.toFixed(0)}/s, p99 ${t.p99Ms.toFixed(1)} ms, errors ${t.errors}, rounds ${t.perRound.map((x) => x.toFixed(0)).join(' ')}`,
    );
} finally {
  for (const b of started) await b.stop();
  await pg.drop();
  removeScratchDir(dir);
}
