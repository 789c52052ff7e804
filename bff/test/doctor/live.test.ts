/**
 * `doctor --live` against the real sandbox playing a gateway that differs from the BFF's settings:
 * the doctor must recommend exactly the settings that then make a payment succeed (by notification,
 * and by payQuery after an unknown outcome).
 */
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor';
import type { Check } from '../../src/doctor/checks';
import { eventually, freePort, startStack, type Stack, type StackOptions } from '../support/stack';

interface Report {
  checks: Check[];
  settings: Record<string, string>;
}

/** The environment the stack's BFF was configured from, as an operator would export it. */
function envOf(stack: Stack, settings: Record<string, string>): Record<string, string> {
  return { DATA_DIR: stack.config.dataDir, SANDBOX_PORT: String(stack.config.sandboxPort), ...settings };
}

async function doctorLive(env: Record<string, string>): Promise<{ code: number; report: Report }> {
  const lines: string[] = [];
  const code = await runDoctor(['--live', '--json'], { env, out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, report: JSON.parse(lines.join('\n')) as Report };
}

async function checkout(stack: Stack, token: string) {
  const catalog = await stack.api('/api/catalog', { token });
  const sku = catalog.body.products[0].sku as string;
  const created = await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku, quantity: 1 }] } });
  expect(created.status).toBe(201);
  return created.body as { order: { id: string }; payment: { orderStr: string } };
}

async function statusOf(stack: Stack, token: string, id: string): Promise<string> {
  return (await stack.api(`/api/orders/${id}`, { token })).body.order.status as string;
}

/**
 * A payment by notification, one settled by payQuery after the wallet's unknown outcome, and a
 * refund of the first (so payQuery's and refund's paths, the algorithm and the encoding all count).
 */
async function payBothWaysAndRefund(stack: Stack): Promise<void> {
  const token = await stack.session();
  const first = await checkout(stack, token);
  expect(await stack.tradePay(first.payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
  await eventually(async () => (await statusOf(stack, token, first.order.id)) === 'SUCCEEDED', 'the notification');
  const second = await checkout(stack, token);
  expect(await stack.tradePay(second.payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
  const confirmed = await stack.api(`/api/orders/${second.order.id}/confirm`, { method: 'POST', token, body: { resultCode: '6004' } });
  expect(confirmed.body.order.status).toBe('SUCCEEDED');
  const refund = await stack.api(`/admin/orders/${first.order.id}/refunds`, {
    method: 'POST',
    body: {},
    headers: { authorization: `Bearer ${stack.config.adminToken}`, 'idempotency-key': `doctor-${first.order.id}` },
  });
  expect(refund.status, JSON.stringify(refund.body)).toBe(201);
  expect(refund.body.refund.status).toBe('SUCCEEDED');
}

interface Variant {
  name: string;
  /** How the sandbox gateway speaks. */
  sandbox: Pick<StackOptions, 'signAlgorithm' | 'signatureEncoding' | 'sandbox'>;
  /** The BFF's (wrong) settings. */
  bff: Record<string, string>;
  expected: Record<string, string>;
  /** The wrong settings certainly fail the wallet's check of the orderStr (an algorithm mismatch does). */
  walletRefusesWrong: boolean;
}

const LOWER = {
  'alipay.intl.acquiring.common.payQuery': '/api/alipay/intl/acquiring/common/payquery.htm',
  'alipay.intl.acquiring.common.payCancel': '/api/alipay/intl/acquiring/common/paycancel.htm',
};
const GREFUND = { 'alipay.intl.acquiring.common.refund': '/api/alipay/intl/acquiring/common/grefund.htm' };

const VARIANTS: Variant[] = [
  {
    name: 'gateway RSA, BFF RSA2',
    sandbox: { signAlgorithm: 'RSA' },
    bff: { ALIPAYHK_SIGN_ALGORITHM: 'RSA2' },
    expected: { ALIPAYHK_SIGN_ALGORITHM: 'RSA' },
    walletRefusesWrong: true,
  },
  {
    name: 'gateway RSA2, BFF RSA',
    sandbox: { signAlgorithm: 'RSA2' },
    bff: { ALIPAYHK_SIGN_ALGORITHM: 'RSA' },
    expected: { ALIPAYHK_SIGN_ALGORITHM: 'RSA2' },
    walletRefusesWrong: true,
  },
  {
    name: 'gateway url-encoded signatures, BFF base64',
    sandbox: { signAlgorithm: 'RSA', signatureEncoding: 'url' },
    bff: { ALIPAYHK_SIGN_ALGORITHM: 'RSA', ALIPAYHK_SIGNATURE_ENCODING: 'base64' },
    expected: { ALIPAYHK_SIGNATURE_ENCODING: 'url' },
    walletRefusesWrong: false,
  },
  {
    name: 'gateway lower-case paths, BFF camelCase',
    sandbox: { signAlgorithm: 'RSA', sandbox: { pathCase: 'lower' } },
    bff: { ALIPAYHK_SIGN_ALGORITHM: 'RSA' },
    expected: { ALIPAYHK_PATHS: JSON.stringify(LOWER) },
    walletRefusesWrong: false,
  },
  {
    name: 'gateway grefund.htm, BFF refund.htm',
    sandbox: { signAlgorithm: 'RSA', sandbox: { refundPath: 'grefund' } },
    bff: { ALIPAYHK_SIGN_ALGORITHM: 'RSA' },
    expected: { ALIPAYHK_PATHS: JSON.stringify(GREFUND) },
    walletRefusesWrong: false,
  },
  {
    name: 'gateway RSA, url, lower-case paths; BFF RSA2, base64, camelCase',
    sandbox: { signAlgorithm: 'RSA', signatureEncoding: 'url', sandbox: { pathCase: 'lower' } },
    bff: { ALIPAYHK_SIGN_ALGORITHM: 'RSA2', ALIPAYHK_SIGNATURE_ENCODING: 'base64' },
    expected: { ALIPAYHK_SIGN_ALGORITHM: 'RSA', ALIPAYHK_SIGNATURE_ENCODING: 'url', ALIPAYHK_PATHS: JSON.stringify(LOWER) },
    walletRefusesWrong: true,
  },
];

describe.each(VARIANTS)('doctor --live: $name', ({ sandbox, bff, expected, walletRefusesWrong }) => {
  it('recommends exactly the settings that then make a payment succeed', async () => {
    const wrong = await startStack({ ...sandbox, env: bff });
    let report: Report;
    try {
      const run = await doctorLive(envOf(wrong, bff));
      report = run.report;
      expect(run.code).toBe(1);
      expect(report.checks.find((c) => c.id === 'alipayhk.live.recommendation')).toMatchObject({ status: 'warn' });
      expect(report.settings).toEqual(expected);
      if (walletRefusesWrong) {
        // As configured, the BFF cannot take a payment: the sandbox wallet refuses its orderStr.
        const token = await wrong.session();
        const { payment } = await checkout(wrong, token);
        expect((await wrong.tradePay(payment.orderStr, 'success')).resultCode).not.toBe('9000');
      }
    } finally {
      await wrong.close();
    }
    const fixedEnv = { ...bff, ...report.settings };
    const fixed = await startStack({ ...sandbox, env: fixedEnv });
    try {
      await payBothWaysAndRefund(fixed);
      const again = await doctorLive(envOf(fixed, fixedEnv));
      expect(again.report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
      expect(again.code).toBe(0);
      expect(again.report.settings).toEqual({});
    } finally {
      await fixed.close();
    }
  });
});

describe('doctor --live: a gateway that takes what we send as it is', () => {
  it('url-encoded signatures to a base64 gateway (it percent-decodes): nothing to change', async () => {
    const stack = await startStack({ signAlgorithm: 'RSA', signatureEncoding: 'base64', env: { ALIPAYHK_SIGNATURE_ENCODING: 'url' } });
    try {
      const { code, report } = await doctorLive(envOf(stack, { ALIPAYHK_SIGN_ALGORITHM: 'RSA', ALIPAYHK_SIGNATURE_ENCODING: 'url' }));
      expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
      expect(report.settings).toEqual({});
      expect(code).toBe(0);
    } finally {
      await stack.close();
    }
  });
});

describe('doctor --live: reachability and the other channels', () => {
  it('reports Latipay and the aggregator probes against the sandbox (both sides on the product default, RSA)', async () => {
    const stack = await startStack({ signAlgorithm: 'RSA' });
    try {
      const { code, report } = await doctorLive(envOf(stack, {}));
      expect(code).toBe(0);
      expect(report.checks.find((c) => c.id === 'alipayhk.live.signature')?.message).toMatch(
        /our signature accepted \(ORDER_NOT_EXIST\); the answer verifies with ALIPAYHK_GATEWAY_PUBLIC_KEY under RSA;/,
      );
      expect(report.checks.find((c) => c.id === 'latipay.live')?.message).toMatch(/signature accepted \(201/);
      expect(report.checks.find((c) => c.id === 'intents.live')?.message).toMatch(/token issued/);
      expect(report.checks.find((c) => c.id === 'alipayhk.live.clock')?.status).toBe('ok');
      // A gateway whose clock is an hour ahead of ours: warned, not failed.
      await fetch(`${stack.sandboxUrl}/sandbox/control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clockOffsetMs: 3_600_000 }),
      });
      const skewed = await doctorLive(envOf(stack, {}));
      expect(skewed.report.checks.find((c) => c.id === 'alipayhk.live.clock')).toMatchObject({
        status: 'warn',
        message: expect.stringMatching(/differs from ours by 3\d{3} s/),
      });
      expect(skewed.code).toBe(0);
    } finally {
      await stack.close();
    }
  });

  it('a gateway that does not answer is reported unreachable, and nothing is recommended', async () => {
    const stack = await startStack();
    try {
      const deadPort = await freePort();
      const { code, report } = await doctorLive({ ...envOf(stack, {}), SANDBOX_PORT: String(deadPort) });
      expect(code).toBe(1);
      expect(report.checks.find((c) => c.id === 'alipayhk.live.reachable')).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/connection refused/),
      });
      expect(report.settings).toEqual({});
    } finally {
      await stack.close();
    }
  });
});
