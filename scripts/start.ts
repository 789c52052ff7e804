/**
 * `pnpm start`: builds the mini program, starts the sandbox gateway when no real gateway is
 * configured (sandbox mode), then the BFF; prints where everything is, last; stops all on Ctrl-C
 * (exit 0). Each part runs as its own process, exactly as it would in production. Quiet by default:
 * the BFF logs at info in pino-pretty's form (LOG_FORMAT=json for JSON), the sandbox at warn
 * (SANDBOX_LOG_LEVEL=info to see its requests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const env = { ...process.env };
const port = Number(env.PORT || 3000);
const host = env.HOST || '127.0.0.1';
const sandboxPort = Number(env.SANDBOX_PORT || 3100);
const sandboxMode = !env.ALIPAYHK_GATEWAY_URL;
env.DATA_DIR = resolve(env.DATA_DIR || resolve(root, '.data'));
if (sandboxMode) {
  // The BFF and the local gateway must sign alike: one value each (either side's variable; defaults are equal).
  for (const [bff, sandbox] of [
    ['ALIPAYHK_SIGN_ALGORITHM', 'SANDBOX_SIGN_ALGORITHM'],
    ['ALIPAYHK_SIGNATURE_ENCODING', 'SANDBOX_SIGNATURE_ENCODING'],
  ] as const) {
    const value = env[bff] || env[sandbox];
    if (value) env[bff] = env[sandbox] = value;
  }
}
env.LOG_FORMAT ||= 'pretty';
env.SANDBOX_LOG_LEVEL ||= 'warn';
const children: ChildProcess[] = [];

function run(name: string, script: string, extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // Ctrl-C reaches the children too, and one may exit before our own SIGINT handler runs.
    if (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM') return stop(0);
    // The child said why (e.g. a busy port and the variable to change); add only which part stopped.
    console.error(`[start] ${name} stopped (exit ${signal ?? code}); stopping the rest`);
    stop(1);
  });
  children.push(child);
  return child;
}

async function waitFor(url: string, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up at ${url} within ${timeoutMs / 1000}s`);
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 2000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function main(): Promise<void> {
  if (existsSync(resolve(root, 'miniapp/scripts/build.ts'))) {
    console.log('[start] building the mini program into miniapp/dist …');
    // The bundle talks to this BFF unless told otherwise.
    const buildEnv = { ...env, API_BASE_URL: env.API_BASE_URL || `http://${host}:${port}` };
    // Its output is shown only when it fails.
    const build = spawn(process.execPath, ['--import', 'tsx', 'miniapp/scripts/build.ts'], {
      cwd: root,
      env: buildEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: Buffer[] = [];
    build.stdout!.on('data', (d: Buffer) => output.push(d));
    build.stderr!.on('data', (d: Buffer) => output.push(d));
    const code: number = await new Promise((r) => build.on('exit', (c) => r(c ?? 1)));
    if (code !== 0) {
      process.stderr.write(Buffer.concat(output));
      throw new Error('mini program build failed');
    }
  }
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  if (sandboxMode) {
    // The cancel notify URL AlipayHK would have registered offline: our notification route.
    const cancelNotifyUrl = `${(env.PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, '')}/notify/alipayhk`;
    run('sandbox', 'sandbox/src/server.ts', {
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_CANCEL_NOTIFY_URL: env.SANDBOX_CANCEL_NOTIFY_URL || cancelNotifyUrl,
    });
    await waitFor(`${sandboxUrl}/sandbox/ledger`, 'the sandbox');
  }
  run('bff', 'bff/src/server.ts');
  const bffUrl = `http://${host}:${port}`;
  await waitFor(`${bffUrl}/healthz`, 'the BFF');
  console.log(
    [
      '',
      'TradePay is running',
      `  BFF       ${bffUrl}`,
      `  API docs  ${bffUrl}/docs`,
      `  H5 page   ${bffUrl}/h5/   (mobile-browser checkout)`,
      sandboxMode ? `  sandbox   ${sandboxUrl}   (ledger: ${sandboxUrl}/sandbox/ledger)` : `  gateway   ${env.ALIPAYHK_GATEWAY_URL}`,
      existsSync(resolve(root, 'miniapp/dist/app.json'))
        ? `  mini program: open ${resolve(root, 'miniapp/dist')} in the Alipay Mini Program Studio`
        : '',
      `  data      ${env.DATA_DIR}`,
      'Press Ctrl-C to stop.',
      '',
    ]
      .filter((line) => line !== '')
      .join('\n'),
  );
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  stop(1);
});
