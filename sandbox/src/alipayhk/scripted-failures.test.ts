/** The scripted failures of `control.failNext` as the AlipayHK gateway answers them (../scripted-failure). */
import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../app';
import { gatewayRequest } from '../testing/fixtures';
import { useSandbox } from '../testing/sandbox-suite';
import { ALIPAYHK_FUNCTIONS, toGatewayPath } from './functions';

const suite = useSandbox({ signAlgorithm: 'RSA2' });
const { keys, call, paid } = suite;
const { payQuery, refund } = ALIPAYHK_FUNCTIONS;

describe('scripted failures (control.failNext)', () => {
  it('U: a signed UNKNOWN_EXCEPTION with no effect, then normal again', async () => {
    const acquirementId = await paid('F-u', '1000');
    suite.sb.control.update({ failNext: { count: 1, mode: 'U' } });
    const request = { acquirementId, merchantRefundId: 'RF-u', refundAmount: { currency: 'HKD', value: '100' } };
    const failed = await call(refund, request);
    expect(failed.status).toBe(200);
    expect(failed.response.body.resultInfo).toMatchObject({ resultStatus: 'U', resultCode: 'UNKNOWN_EXCEPTION' });
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(0);
    const retried = await call(refund, request);
    expect(retried.response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(1);
    expect(suite.sb.control.current.failNext.count).toBe(0);
  });

  it('5xx: HTTP 503 for the next N calls, then normal', async () => {
    const acquirementId = await paid('F-5xx');
    suite.sb.control.update({ failNext: { count: 2, mode: '5xx' } });
    const payload = gatewayRequest(suite.sb.merchantSigner, payQuery, { acquirementId });
    for (let i = 0; i < 2; i += 1) {
      const res = await suite.sb.app.inject({
        method: 'POST',
        url: toGatewayPath(payQuery),
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(503);
    }
    expect((await call(payQuery, { acquirementId })).response.body.acquirementStatus).toBe('SUCCESS');
    expect(suite.sb.ledger.snapshot().calls[payQuery]).toBe(3);
  });

  it('timeout: never answers until the client gives up, and does not block close', async () => {
    const other = await buildSandbox({ dataDir: 'unused', keys, retryScale: 0.001, signAlgorithm: 'RSA2' });
    const url = await other.listen();
    other.control.update({ failNext: { count: 1, mode: 'timeout' } });
    const payload = gatewayRequest(other.merchantSigner, payQuery, { merchantTransId: 'x' });
    const started = Date.now();
    await expect(
      fetch(url + toGatewayPath(payQuery), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const next = await fetch(url + toGatewayPath(payQuery), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    expect(next.status).toBe(200);
    // A held call must not keep close() waiting for 30 s.
    other.control.update({ failNext: { count: 1, mode: 'timeout' } });
    const held = fetch(url + toGatewayPath(payQuery), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = Date.now();
    await other.close();
    expect(Date.now() - closing).toBeLessThan(2000);
    expect(await held).toBeInstanceOf(Error);
  });
});
