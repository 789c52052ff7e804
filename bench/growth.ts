/**
 * 5. Growth. Two stores side by side, seeded directly (lib/seed.ts): a small one (10 000 orders) and
 * a large one (1 000 000; with --quick 10 000 vs 100 000). One BFF process per store, both running.
 * First GET /api/orders/:id (ids spread over the whole key range, all owned by the bench's buyer),
 * then POST /api/orders: in each round wrk drives one store and then the other for a short run,
 * which goes first alternating between rounds, so the machine's drift hits both alike. Reported:
 * medians, the median of the per-round large/small ratios, bytes of store per order, each BFF's
 * peak RSS, and the order counts after the POST rounds (which add orders to both stores).
 */
import { cpSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createSession, ORDER_BODY, prepareDataDir, startBff, type BffProcess } from './lib/bff';
import { progress } from './lib/log';
import { assignSamples, seedOrders, type SeedResult } from './lib/seed';
import { fmt, fmtBytes, median, ratio } from './lib/stats';
import { postScript, randomGetScript, runWrk, type WrkResult } from './lib/wrk';

export interface StoreFigures {
  /** Orders seeded (what GET ran against). */
  orders: number;
  /** Orders after the POST rounds. */
  ordersAfter: number;
  seed: Omit<SeedResult, 'sampleIds'>;
  bytesPerOrder: number;
  post: WrkResult[];
  get: WrkResult[];
  postRps: number;
  getRps: number;
  postP99Ms: number;
  getP99Ms: number;
  errors: number;
  peakRssBytes: number | null;
}

export interface GrowthResult {
  quick: boolean;
  rounds: number;
  durationS: number;
  connections: number;
  small: StoreFigures;
  large: StoreFigures;
  ratios: { post: number; get: number };
  /** The per-round ratios themselves: their spread is this run's noise. */
  roundRatios: { post: number[]; get: number[] };
}

export async function measureGrowth(options: { dataDir: string; quick: boolean }): Promise<GrowthResult> {
  const sizes = options.quick ? { small: 10_000, large: 100_000 } : { small: 10_000, large: 1_000_000 };
  // Short runs, many rounds, the two stores back to back: the machine's drift then hits both alike.
  const rounds = options.quick ? 3 : 14;
  const durationS = 1;
  const connections = 16;
  const dirs = { small: join(options.dataDir, 'small'), large: join(options.dataDir, 'large') };
  mkdirSync(dirs.small, { recursive: true });
  mkdirSync(dirs.large, { recursive: true });

  // Same keys in both stores; each BFF issues its own session, and the sample rows are handed to
  // that session's buyer once it exists.
  await prepareDataDir(dirs.small);
  cpSync(join(dirs.small, 'keys'), join(dirs.large, 'keys'), { recursive: true });

  const seeds = {} as Record<'small' | 'large', SeedResult>;
  for (const which of ['small', 'large'] as const) {
    progress(`growth: seeding ${fmt(sizes[which])} orders (one transaction, real schema)`);
    seeds[which] = await seedOrders({ dataDir: dirs[which], count: sizes[which], samples: 1000 });
    progress(`growth: ${fmt(sizes[which])} orders in ${(seeds[which].ms / 1000).toFixed(1)} s, ${fmtBytes(seeds[which].fileBytes)}`);
  }

  const bffs = {} as Record<'small' | 'large', BffProcess>;
  try {
    const auths = {} as Record<'small' | 'large', Record<string, string>>;
    for (const which of ['small', 'large'] as const) {
      bffs[which] = await startBff({ dataDir: dirs[which] });
      const session = await createSession(bffs[which].url);
      assignSamples(dirs[which], session.buyerId);
      auths[which] = { Authorization: `Bearer ${session.token}` };
    }
    const post = (which: 'small' | 'large') => postScript(ORDER_BODY, auths[which]);
    const get = (which: 'small' | 'large') =>
      randomGetScript(
        seeds[which].sampleIds.map((id) => `/api/orders/${id}`),
        auths[which],
      );
    const runs = { small: { post: [] as WrkResult[], get: [] as WrkResult[] }, large: { post: [] as WrkResult[], get: [] as WrkResult[] } };
    const drive = (which: 'small' | 'large', route: 'post' | 'get', seconds: number) =>
      route === 'post'
        ? runWrk({ url: `${bffs[which].url}/api/orders`, script: post(which), dir: options.dataDir, connections, durationS: seconds })
        : runWrk({ url: `${bffs[which].url}/api/orders/x`, script: get(which), dir: options.dataDir, connections, durationS: seconds });
    // GETs first, while the stores hold exactly their seeded orders; the POST rounds then add some.
    for (const route of ['get', 'post'] as const) {
      if (!options.quick) {
        progress(`growth: ${route.toUpperCase()} warm-up, 1 s on each store`);
        await drive('small', route, 1);
        await drive('large', route, 1);
      }
      progress(
        `growth: ${route.toUpperCase()} ${route === 'get' ? '/api/orders/:id' : '/api/orders'}, ${rounds} rounds of ${durationS} s on each store, back to back`,
      );
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
        for (const which of order) runs[which][route].push(await drive(which, route, durationS));
      }
    }
    const figures = {} as Record<'small' | 'large', StoreFigures>;
    for (const which of ['small', 'large'] as const) {
      const { peakRssBytes } = await bffs[which].stop();
      const { sampleIds: _ids, ...seed } = seeds[which];
      const { post: p, get: g } = runs[which];
      const db = new Database(join(dirs[which], 'tradepay.db'), { readonly: true });
      const ordersAfter = Number((db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n);
      db.close();
      figures[which] = {
        orders: sizes[which],
        ordersAfter,
        seed,
        bytesPerOrder: seed.fileBytes / sizes[which],
        post: p,
        get: g,
        postRps: median(p.map((x) => x.rps)),
        getRps: median(g.map((x) => x.rps)),
        postP99Ms: median(p.map((x) => x.latencyMs.p99)),
        getP99Ms: median(g.map((x) => x.latencyMs.p99)),
        errors: [...p, ...g].reduce((sum, x) => sum + x.errorsTotal, 0),
        peakRssBytes,
      };
    }
    const perRound = (route: 'post' | 'get') => runs.large[route].map((x, i) => ratio(x.rps, runs.small[route][i]!.rps));
    const paired = (route: 'post' | 'get') => median(perRound(route));
    const result: GrowthResult = {
      quick: options.quick,
      rounds,
      durationS,
      connections,
      small: figures.small,
      large: figures.large,
      ratios: { post: paired('post'), get: paired('get') },
      roundRatios: { post: perRound('post'), get: perRound('get') },
    };
    progress(
      `growth: POST ${fmt(result.small.postRps)} → ${fmt(result.large.postRps)}/s (×${result.ratios.post.toFixed(2)}), GET ${fmt(result.small.getRps)} → ${fmt(result.large.getRps)}/s (×${result.ratios.get.toFixed(2)})`,
    );
    return result;
  } finally {
    for (const bff of Object.values(bffs)) await bff.stop();
  }
}
