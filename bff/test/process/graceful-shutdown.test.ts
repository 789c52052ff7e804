import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSandbox, type Sandbox } from '@tradepay/sandbox';
import { spawnBff, type BffProcess } from '../support/process';
import { freePort } from '../support/stack';
import { freshPostgresUrl, postgresUrl } from '../support/stores';

let sandbox: Sandbox;
let bff: BffProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tradepay-shutdown-'));
  sandbox = await buildSandbox({ dataDir, retryScale: 0.001 });
  const sandboxUrl = await sandbox.listen();
  bff = await spawnBff(
    {
      DATA_DIR: dataDir,
      SANDBOX_PORT: new URL(sandboxUrl).port,
      ALIPAYHK_TIMEOUT_MS: '1500',
      RECONCILE_INTERVAL_SECONDS: '0',
      ...(postgresUrl ? { DATABASE_URL: await freshPostgresUrl(postgresUrl) } : {}),
    },
    await freePort(),
  );
});

afterAll(async () => {
  if (bff.child.exitCode === null) bff.child.kill('SIGKILL');
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('SIGTERM: stops accepting, finishes the request in flight, exits 0', async () => {
  const { token } = (await (
    await fetch(`${bff.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  ).json()) as { token: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const created = (await (
    await fetch(`${bff.url}/api/orders`, { method: 'POST', headers, body: JSON.stringify({ items: [{ sku: 'EGG-TART-6', quantity: 1 }] }) })
  ).json()) as any;
  // The gateway will hold the next call until the BFF's timeout: a slow request in flight.
  sandbox.control.update({ failNext: { count: 1, mode: 'timeout' } });
  const inFlight = fetch(`${bff.url}/api/orders/${created.order.id}/confirm`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ resultCode: '6004' }),
  });
  await new Promise((r) => setTimeout(r, 300));
  bff.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  await expect(fetch(`${bff.url}/healthz`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(((await answer.json()) as any).order.status).toBe('PENDING');
  expect(await bff.exited).toEqual({ code: 0, signal: null });
  expect(bff.output.join('')).toContain('closing: finishing in-flight requests');
});
