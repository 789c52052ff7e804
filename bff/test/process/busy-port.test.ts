/** A busy port stops the BFF and the sandbox with the variable to change, and no stack trace. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSandboxKeys } from '@tradepay/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let busy: Server;
let port: number;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tradepay-busy-'));
  // The BFF in sandbox mode reads the keys the sandbox makes.
  await ensureSandboxKeys(dataDir);
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

it('the BFF names PORT', async () => {
  const { code, output } = await run('bff/src/server.ts', { PORT: String(port), HOST: '127.0.0.1', RECONCILE_INTERVAL_SECONDS: '0' });
  expect(code).toBe(98);
  expect(output).toContain(`port ${port} on 127.0.0.1 is already in use: set PORT to a free port`);
  expect(output).not.toMatch(/\n\s+at /);
});

it('the sandbox names SANDBOX_PORT', async () => {
  const { code, output } = await run('sandbox/src/server.ts', { SANDBOX_PORT: String(port) });
  expect(code).toBe(98);
  expect(output).toContain(`port ${port} is already in use: set SANDBOX_PORT to a free port`);
  expect(output).not.toMatch(/\n\s+at /);
});
