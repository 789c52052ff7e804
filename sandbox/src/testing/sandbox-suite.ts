/**
 * The set-up the sandbox's in-process test files share: one sandbox built for the file (fresh keys,
 * retry delays scaled down), closed after it, and reset before each test with a control patch.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { BuildSandboxOptions, Sandbox } from '../app';
import { buildSandbox } from '../app';
import type { ControlPatch } from '../control';
import type { SandboxKeys } from '../keys';
import { generateSandboxKeys } from '../keys';
import type { GatewayAnswer } from './fixtures';
import { callGateway, callGatewayExact, cashierOrderStr, tradePay } from './fixtures';

export interface SandboxSuite {
  /** The file's sandbox (built in `beforeAll`). */
  readonly sb: Sandbox;
  readonly keys: SandboxKeys;
  /** A signed gateway call (./fixtures `callGateway`). */
  call(fn: string, body: Record<string, unknown>, head?: Record<string, unknown>): Promise<GatewayAnswer>;
  /** A signed OAuth call with `authMerchantId` filled in, the body sent exactly as given. */
  oauthCall(fn: string, body: Record<string, unknown>, head?: Record<string, unknown>): Promise<GatewayAnswer>;
  /** The wallet pays a fresh cashier order with `outcome`; answers its acquirementId. */
  paid(merchantTransId: string, value?: string, outcome?: string): Promise<string>;
}

/**
 * Registers the file's hooks. `control` is applied after each reset; the default `dropRate: 1`
 * records notification jobs (as dropped) and sends nothing.
 */
export function useSandbox(options: Partial<BuildSandboxOptions> = {}, control: ControlPatch = { dropRate: 1 }): SandboxSuite {
  const keys = generateSandboxKeys();
  let sandbox: Sandbox | undefined;
  const sb = (): Sandbox => {
    if (!sandbox) throw new Error('the sandbox is built in beforeAll');
    return sandbox;
  };
  beforeAll(async () => {
    sandbox = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001, ...options });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    sb().reset();
    sb().control.update(control);
  });
  return {
    get sb() {
      return sb();
    },
    keys,
    call: (fn, body, head = {}) => callGateway(sb().app, keys.gatewayPublicPem, sb().merchantSigner, fn, body, head),
    async paid(merchantTransId, value = '1000', outcome = 'success') {
      const res = await tradePay(sb().app, cashierOrderStr(sb().merchantSigner, { merchantTransId, value }), outcome);
      expect(res.status).toBe(200);
      const payment = sb().ledger.findPayment({ merchantTransId });
      if (!payment) throw new Error('not recorded');
      return payment.acquirementId;
    },
    oauthCall: (fn, body, head = {}) =>
      callGatewayExact(sb().app, keys.gatewayPublicPem, sb().merchantSigner, fn, { authMerchantId: sb().merchantId, ...body }, head),
  };
}
