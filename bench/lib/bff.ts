/**
 * The BFF as a separate process, exactly as an operator starts it (`node --import tsx
 * bff/src/server.ts`), in sandbox mode over a scratch DATA_DIR whose keys the sandbox's own
 * ensureSandboxKeys made. No sandbox process is needed: creating an order only signs (no gateway
 * call), and notifications are delivered by the bench itself.
 */
import { fileURLToPath } from 'node:url';
import { ensureSandboxKeys, type SandboxKeys } from '../../sandbox/src/keys';
import { freePort, pinPrefix, startTracked, stopTracked, treeCpuSeconds, treePeakRss, waitForHttp, type Tracked } from './processes';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function prepareDataDir(dataDir: string): Promise<SandboxKeys> {
  return ensureSandboxKeys(dataDir);
}

/**
 * The caller's environment minus anything that would move the BFF off the measured setup (a
 * DATABASE_URL pointing at PostgreSQL in CI, live gateway settings, secrets, a rate limit).
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      /^(DATABASE_URL|DATABASE_POOL_SIZE|PUBLIC_URL|ADMIN_TOKEN|SESSION_SECRET|RATE_LIMIT|WEB_CONCURRENCY|UV_THREADPOOL_SIZE|NODE_OPTIONS|ALIPAYHK_|LATIPAY_|INTENTS_|CATALOG_FILE|ORDER_TTL)/.test(
        name,
      )
    )
      delete env[name];
  }
  return env;
}

export interface BffOptions {
  dataDir: string;
  /** `taskset -c` list, e.g. "0" for one core; null for every core. */
  cpus?: string | null;
  env?: Record<string, string>;
  /** Extra node flags (diagnostics, e.g. --cpu-prof). */
  nodeArgs?: string[];
  /**
   * Another copy of the BFF's server.ts, to measure a candidate change side by side with the tree's
   * own (default: $BENCH_BFF_SERVER, else bff/src/server.ts).
   */
  server?: string;
}

export interface BffProcess {
  url: string;
  pid: number;
  tracked: Tracked;
  /** Peak RSS of the process tree so far (bytes). */
  peakRss(): number | null;
  /** CPU seconds the process tree has used so far. */
  cpuSeconds(): number | null;
  /** SIGTERM (graceful close), and the peak RSS read just before. */
  stop(): Promise<{ peakRssBytes: number | null }>;
}

export async function startBff(options: BffOptions): Promise<BffProcess> {
  const port = await freePort();
  const sandboxPort = await freePort();
  const prefix = pinPrefix(options.cpus);
  const server = options.server ?? process.env.BENCH_BFF_SERVER ?? 'bff/src/server.ts';
  const args = [process.execPath, ...(options.nodeArgs ?? []), '--import', 'tsx', server];
  const [command, ...rest] = prefix.length ? [...prefix, ...args] : args;
  const tracked = startTracked(command!, rest, {
    cwd: REPO_ROOT,
    env: {
      ...inheritedEnv(),
      DATABASE_URL: `sqlite://${options.dataDir}/tradepay.db`,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      SANDBOX_PORT: String(sandboxPort),
      LOG_LEVEL: 'warn',
      RECONCILE_INTERVAL_SECONDS: '0',
      // One buyer session drives the whole load: lift the per-buyer limit to its maximum (the limiter
      // still runs on every request, so its cost is measured; only its 429s are not).
      RATE_LIMIT_PER_MINUTE: '1000000',
      // The reference routes, alipay-sdk and the signed test notifications use SHA256withRSA: the BFF
      // signs and verifies the same, so every row compares like with like (the product default is RSA).
      ALIPAYHK_SIGN_ALGORITHM: 'RSA2',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, tracked);
  const pid = tracked.child.pid!;
  return {
    url,
    pid,
    tracked,
    peakRss: () => treePeakRss(pid),
    cpuSeconds: () => treeCpuSeconds(pid),
    async stop() {
      const peakRssBytes = treePeakRss(pid);
      await stopTracked(tracked);
      return { peakRssBytes };
    },
  };
}

export interface BuyerSession {
  token: string;
  buyerId: string;
}

/** A guest session (`POST /api/session {}`); the buyer id is the token's subject. */
export async function createSession(url: string): Promise<BuyerSession> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`POST /api/session answered ${response.status}: ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string };
  return { token, buyerId: payload.sub };
}

/** The cart every order benchmark posts: two lines, so the signed title and detail are realistic. */
export const ORDER_BODY = JSON.stringify({
  items: [
    { sku: 'EGG-TART-6', quantity: 2 },
    { sku: 'TEA-OOLONG-100G', quantity: 1 },
  ],
});

export interface CreatedOrder {
  id: string;
  merchantTransId: string;
  amount: { currency: string; value: string };
}

/** POSTs one order through the API. */
export async function createOrder(url: string, token: string): Promise<CreatedOrder> {
  const response = await fetch(`${url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: ORDER_BODY,
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api/orders answered ${response.status}: ${text}`);
  const { order } = JSON.parse(text) as { order: CreatedOrder };
  return { id: order.id, merchantTransId: order.merchantTransId, amount: order.amount };
}
