/** BENCHMARKS.md section 1: signing on one core. */
import { fmt, ratio } from '../stats';
import { lines, table, x } from './format';
import type { BenchResults } from './types';

export function signingSection(r: BenchResults): string[] {
  const { L, p } = lines();
  const s = r.signing;
  const limit = s.oneCore.limit;
  L.push('## 1. Signing (one core)', '');
  L.push(
    table(
      ['what', 'signatures/s', 'vs raw'],
      [
        ['raw `crypto.sign` of the same bytes (the limit)', fmt(limit), '1.00×'],
        ['ours: `createAlipayHkChannel(…).createPayment`, 8 in flight (**rated**)', fmt(s.oneCore.oursConcurrent), x(s.ratios.oursToLimit)],
        ['ours: the same, one at a time', fmt(s.oneCore.oursSequential), x(s.ratios.oursSequentialToLimit)],
        ["peer: `alipay-sdk@4` `sdkExecute('alipay.trade.app.pay')`", fmt(s.oneCore.peer), x(ratio(s.oneCore.peer, limit))],
      ],
    ),
    '',
  );
  p(
    `How: one child process pinned with \`taskset -c 0\`${s.oneCore.pinned ? '' : ' (**taskset was missing: not pinned**)'} and`,
    "`UV_THREADPOOL_SIZE=1`. Our builder signs with `crypto.sign`'s callback form on purpose (it keeps the event loop",
    'free); pinning the whole process is what makes it one core — without the pin the pool thread would get a second',
    'core for free, and with the pin alone four pool threads would time-slice one core. The four variants run back to',
    `back in ${s.oneCore.rounds} rounds of ${s.oneCore.roundMs} ms in rotating order after a warm-up; rates are medians over rounds and each`,
    'ratio is the median of the per-round ratios (the machine drifts by tens of percent within seconds). The limit',
    `signs the exact ${s.oneCore.signedBytes} bytes our builder signs (its orderStr is ${s.oneCore.orderStrBytes} bytes) with a KeyObject parsed`,
    'once, synchronously. The peer builds an equivalent app-pay order string',
    `(${s.oneCore.peerOrderStrBytes} bytes, ${s.oneCore.peerSignedBytes} signed) with the same RSA-2048 key; it re-reads the PEM text on every call, as the SDK does.`,
    `Rated: the concurrent figure, because that is how the server calls it. Both cores, not pinned, four pool`,
    `threads, 16 in flight: raw ${fmt(s.bothCores.rawAsync)}/s, ours ${fmt(s.bothCores.oursConcurrent)}/s — the signing ceiling of the whole machine.`,
  );

  return L;
}
