/**
 * 1. Signing. Three ways to sign an app-pay order string, on ONE core, in interleaved rounds:
 *  - limit: raw `crypto.sign('sha256', …)` (synchronous) of the very bytes our builder signs, with a
 *    KeyObject parsed once — nothing can sign an order faster than this on one core;
 *  - ours: the real builder, `createAlipayHkChannel(config).createPayment(order, ctx)` (head, JSON
 *    text, async `crypto.sign` on libuv's pool, envelope), awaited one at a time ("sequential") and
 *    with 8 in flight ("concurrent", keeps the pool busy) — the concurrent figure is the one rated;
 *  - peer: `alipay-sdk@4`'s `sdkExecute('alipay.trade.app.pay', …)`, the official SDK's order string.
 * One core means `taskset -c 0` for the whole process AND `UV_THREADPOOL_SIZE=1`: without the pin,
 * our async signer would get a second core for free (the pool thread beside the main thread); with
 * the pin alone, four pool threads would time-slice one core. The parent runs this file again as a
 * child (`--child`) under those settings and reads one JSON line back.
 * A second child, not pinned, gives the signing ceiling of the whole machine (both cores).
 */
import { sign as cryptoSign, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlipaySdk } from 'alipay-sdk';
import { createAlipayHkChannel } from '../bff/src/channels/alipayhk/index';
import { cutSignedParts } from '../bff/src/channels/alipayhk/sign-content';
import { loadConfig } from '../bff/src/config';
import type { ChannelOrder } from '../bff/src/payments/channel';
import { newMerchantTransId, newOrderId } from '../bff/src/payments/ids';
import { prepareDataDir, REPO_ROOT } from './lib/bff';
import { progress } from './lib/log';
import { pinPrefix, runCollect } from './lib/processes';
import { median, percentile, ratio } from './lib/stats';

const RESULT_MARKER = 'SIGNING_RESULT ';

export interface SigningResult {
  oneCore: {
    pinned: boolean;
    threadpool: number;
    rounds: number;
    roundMs: number;
    /** ops/s per round. */
    samples: Record<'limit' | 'oursSequential' | 'oursConcurrent' | 'peer', number[]>;
    /** medians over rounds, ops/s (ratios below are medians of per-round ratios) */
    limit: number;
    oursSequential: number;
    oursConcurrent: number;
    peer: number;
    signedBytes: number;
    orderStrBytes: number;
    peerSignedBytes: number;
    peerOrderStrBytes: number;
  };
  bothCores: { threadpool: number; concurrency: number; rawAsync: number; oursConcurrent: number };
  ratios: { oursToLimit: number; oursToPeer: number; oursSequentialToLimit: number };
  /** Spread of the per-round ours/limit ratios (25th and 75th percentile): the noise of this run. */
  oursToLimitQuartiles: [number, number];
}

interface ChildConfig {
  dataDir: string;
  mode: 'one-core' | 'both-cores';
  rounds: number;
  roundMs: number;
  concurrency: number;
}

// ---------------------------------------------------------------------------------------------
// Child side: the measurements themselves.

function syncRate(fn: () => void, ms: number): number {
  const start = performance.now();
  const end = start + ms;
  let n = 0;
  let now = start;
  while (now < end) {
    fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

async function asyncRate(fn: () => Promise<unknown>, ms: number, concurrency: number): Promise<number> {
  const start = performance.now();
  const end = start + ms;
  let n = 0;
  const lane = async () => {
    while (performance.now() < end) {
      await fn();
      n++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (n * 1000) / (performance.now() - start);
}

/** A priced two-line order, shaped as toChannelOrder shapes it. */
function sampleOrder(): ChannelOrder {
  const createdAt = new Date();
  return {
    id: newOrderId(createdAt),
    merchantTransId: newMerchantTransId(createdAt),
    amount: 17_200,
    currency: 'HKD',
    title: 'Egg tarts, box of 6 and 1 more',
    detail: '2 x EGG-TART-6, 1 x TEA-OOLONG-100G',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 15 * 60_000),
  };
}

async function child(config: ChildConfig): Promise<void> {
  // The same configuration the BFF loads in sandbox mode, and the channel exactly as the registry builds it.
  const appConfig = loadConfig({ DATA_DIR: config.dataDir, PORT: '3000', SANDBOX_PORT: '3100', ALIPAYHK_SIGN_ALGORITHM: 'RSA2' });
  const channel = createAlipayHkChannel({ ...appConfig.alipayhk, notifyUrl: `${appConfig.publicUrl}/notify/alipayhk` });
  const order = sampleOrder();
  const ctx = { clientIp: '127.0.0.1' };
  const build = () => channel.createPayment(order, ctx);

  const first = await build();
  if (first.type !== 'tradePay') throw new Error('expected a tradePay action');
  const signed = Buffer.from(cutSignedParts(first.orderStr, 'request').content, 'utf8');
  const keyPem = readFileSync(join(config.dataDir, 'keys', 'merchant-private.pem'), 'utf8');
  const key = createPrivateKey(keyPem);
  const limit = () => {
    cryptoSign('sha256', signed, key);
  };
  const rawAsync = () =>
    new Promise<void>((resolve, reject) => cryptoSign('sha256', signed, key, (error) => (error ? reject(error) : resolve())));

  // The peer: the official SDK signing an equivalent app-pay order string with the same key.
  const sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: keyPem, keyType: 'PKCS1', signType: 'RSA2' });
  const peerParams = {
    notifyUrl: `${appConfig.publicUrl}/notify/alipayhk`,
    bizContent: {
      outTradeNo: order.merchantTransId,
      totalAmount: '172.00',
      subject: order.title,
      body: order.detail,
      productCode: 'QUICK_MSECURITY_PAY',
      timeoutExpress: '15m',
      sellerId: appConfig.alipayhk.merchantId,
    },
  };
  const peer = () => {
    sdk.sdkExecute('alipay.trade.app.pay', peerParams);
  };
  const peerStr = sdk.sdkExecute('alipay.trade.app.pay', peerParams);
  const peerSignString = decodeURIComponent(peerStr.replace(/&sign=[^&]*/, '').replace(/&/g, '\n'));

  if (config.mode === 'both-cores') {
    await asyncRate(rawAsync, 300, config.concurrency);
    await asyncRate(build, 300, config.concurrency);
    const raw: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < config.rounds; r++) {
      raw.push(await asyncRate(rawAsync, config.roundMs, config.concurrency));
      ours.push(await asyncRate(build, config.roundMs, config.concurrency));
    }
    const out = {
      threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
      concurrency: config.concurrency,
      rawAsync: median(raw),
      oursConcurrent: median(ours),
    };
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify(out)}\n`);
    return;
  }

  const variants = {
    limit: (ms: number) => Promise.resolve(syncRate(limit, ms)),
    oursSequential: (ms: number) => asyncRate(build, ms, 1),
    oursConcurrent: (ms: number) => asyncRate(build, ms, config.concurrency),
    peer: (ms: number) => Promise.resolve(syncRate(peer, ms)),
  };
  const names = Object.keys(variants) as (keyof typeof variants)[];
  // Warm-up (JIT, key caches), then rounds in a rotating order so drift hits every variant alike.
  for (const name of names) await variants[name](300);
  const samples = { limit: [] as number[], oursSequential: [] as number[], oursConcurrent: [] as number[], peer: [] as number[] };
  for (let r = 0; r < config.rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      samples[name].push(await variants[name](config.roundMs));
    }
  }
  const out = {
    samples,
    signedBytes: signed.length,
    orderStrBytes: Buffer.byteLength(first.orderStr),
    peerSignedBytes: Buffer.byteLength(peerSignString),
    peerOrderStrBytes: Buffer.byteLength(peerStr),
  };
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent side.

async function runChild(config: ChildConfig, cpus: string | null, threadpool: number): Promise<any> {
  const prefix = pinPrefix(cpus);
  const args = [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(config)];
  const [command, ...rest] = prefix.length ? [...prefix, ...args] : args;
  const result = await runCollect(command!, rest, {
    cwd: REPO_ROOT,
    env: { ...process.env, UV_THREADPOOL_SIZE: String(threadpool) },
    timeoutMs: 120_000,
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (result.code !== 0 || !line) throw new Error(`signing child failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(line.slice(RESULT_MARKER.length));
}

/**
 * The machine is shared and its speed drifts by ±30% within seconds, so a ratio is taken within each
 * round (the variants ran back to back) and the median of those is reported.
 */
function pairedRatio(numerators: readonly number[], denominators: readonly number[]): number {
  return median(numerators.map((n, i) => ratio(n, denominators[i]!)));
}

export async function measureSigning(options: { dataDir: string; quick: boolean }): Promise<SigningResult> {
  await prepareDataDir(options.dataDir);
  const rounds = options.quick ? 6 : 20;
  const roundMs = options.quick ? 150 : 300;
  const pinned = pinPrefix('0').length > 0;
  progress(
    `signing: one core (${pinned ? 'taskset -c 0' : 'NOT pinned: taskset missing'}, UV_THREADPOOL_SIZE=1), ${rounds} rounds × 4 variants × ${roundMs} ms`,
  );
  const one = await runChild({ dataDir: options.dataDir, mode: 'one-core', rounds, roundMs, concurrency: 8 }, '0', 1);
  const oneCore = {
    pinned,
    threadpool: 1,
    rounds,
    roundMs,
    samples: one.samples,
    limit: median(one.samples.limit),
    oursSequential: median(one.samples.oursSequential),
    oursConcurrent: median(one.samples.oursConcurrent),
    peer: median(one.samples.peer),
    signedBytes: one.signedBytes,
    orderStrBytes: one.orderStrBytes,
    peerSignedBytes: one.peerSignedBytes,
    peerOrderStrBytes: one.peerOrderStrBytes,
  };
  progress(
    `signing: limit ${oneCore.limit.toFixed(0)}/s, ours ${oneCore.oursConcurrent.toFixed(0)}/s (sequential ${oneCore.oursSequential.toFixed(0)}/s), alipay-sdk ${oneCore.peer.toFixed(0)}/s`,
  );
  progress('signing: both cores (not pinned, UV_THREADPOOL_SIZE=4, 16 in flight)');
  const bothCores = await runChild(
    { dataDir: options.dataDir, mode: 'both-cores', rounds: options.quick ? 2 : 5, roundMs, concurrency: 16 },
    null,
    4,
  );
  progress(`signing: both cores raw ${bothCores.rawAsync.toFixed(0)}/s, ours ${bothCores.oursConcurrent.toFixed(0)}/s`);
  return {
    oneCore,
    bothCores,
    ratios: {
      oursToLimit: pairedRatio(one.samples.oursConcurrent, one.samples.limit),
      oursToPeer: pairedRatio(one.samples.oursConcurrent, one.samples.peer),
      oursSequentialToLimit: pairedRatio(one.samples.oursSequential, one.samples.limit),
    },
    oursToLimitQuartiles: [
      percentile(
        one.samples.oursConcurrent.map((n: number, i: number) => ratio(n, one.samples.limit[i])),
        25,
      ),
      percentile(
        one.samples.oursConcurrent.map((n: number, i: number) => ratio(n, one.samples.limit[i])),
        75,
      ),
    ],
  };
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3]!) as ChildConfig).catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
