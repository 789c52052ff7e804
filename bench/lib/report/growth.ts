/** BENCHMARKS.md section 5: growth from 10 000 to 1 000 000 orders. */
import { fmt, fmtBytes, fmtInt, fmtMs } from '../stats';
import { lines, table, x } from './format';
import type { BenchResults } from './types';

export function growthSection(r: BenchResults): string[] {
  const { L, p } = lines();
  const g = r.growth;
  const n = r.notify;
  L.push('## 5. Growth', '');
  L.push(
    table(
      [
        'store',
        'GET orders/s',
        'GET p99',
        'POST orders/s',
        'POST p99',
        'errors',
        'orders after POST',
        'file (seeded)',
        'bytes per order',
        'seeded in',
        'BFF peak RSS',
      ],
      [g.small, g.large].map((f) => [
        `${fmt(f.orders)} orders`,
        fmt(f.getRps),
        fmtMs(f.getP99Ms),
        fmt(f.postRps),
        fmtMs(f.postP99Ms),
        f.errors,
        fmtInt(f.ordersAfter),
        fmtBytes(f.seed.fileBytes),
        fmtInt(f.bytesPerOrder),
        `${(f.seed.ms / 1000).toFixed(1)} s`,
        fmtBytes(f.peakRssBytes ?? Number.NaN),
      ]),
    ),
    '',
  );
  p(
    `Ratios (large / small, median of ${g.rounds} paired rounds): GET ${x(g.ratios.get)} (rounds ${g.roundRatios.get.map((v) => v.toFixed(2)).join(', ')}),`,
    `POST ${x(g.ratios.post)} (rounds ${g.roundRatios.post.map((v) => v.toFixed(2)).join(', ')}).`,
    `Bytes per order: the seeded store's file size over its order rows (the \`orders\` table and its indexes; a payment`,
    `JSON of ${fmt(g.large.seed.paymentBytes)} bytes each). A store where every order was created through the API and then paid`,
    `(order row, evidence, notification, transition), measured after the ingest run: ${fmtInt(n.bytesPerPaidOrder)} bytes per order.`,
  );
  p(
    'How: both stores are made fresh. `openSqliteStore` opens each once so the real migrations run; then one',
    "better-sqlite3 transaction inserts the rows (ids in the BFF's formats, the two-line cart's items JSON, a real",
    "signed orderStr as the payment with each row's own merchantTransId and reqMsgId spliced in, a year of creation",
    'times, a realistic mix of statuses), the named indexes rebuilt after the load. 1 000 of the rows, spread over the',
    'whole id range, belong to the buyer whose session the bench then uses, for `GET /api/orders/:id` (wrk picks among',
    `them at random). Both BFFs run at once. GET goes first (after a warm-up), while the stores hold exactly their seeded`,
    `orders: each round is a ${g.durationS} s wrk run (${g.connections} connections) on one store and then on the other, which one goes first`,
    'alternating; then POST the same way (its orders are added to the stores: see "orders after POST").',
  );

  return L;
}
