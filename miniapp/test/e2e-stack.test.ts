/**
 * The compiled mini program against the real BFF and the real sandbox gateway on loopback: tap Pay,
 * the sandbox wallet answers `my.tradePay`, and the checkout's `data.state` must follow EXPECTED_STATES.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../bff/test/support/stack';
import { loadMiniProgram, type HarnessOptions, type MiniProgram } from './harness/load-miniapp';
import { openCheckout, pay } from './harness/scenarios';
import { EXPECTED_STATES, SANDBOX_OUTCOMES, sandboxAuthCode, sandboxWallet } from './harness/wallets';

let stack: Stack;
const opened: MiniProgram[] = [];
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  for (const mp of opened) mp.close();
  await stack?.close();
});

/** Polls at 1/20 speed (1 s backoff → 50 ms); request timeouts stay real. */
async function load(options: Partial<HarnessOptions>): Promise<MiniProgram> {
  const mp = await loadMiniProgram({ bffUrl: stack.bffUrl, timeScale: 0.05, ...options });
  opened.push(mp);
  return mp;
}

describe('mini program + BFF + sandbox', () => {
  it.each(SANDBOX_OUTCOMES)('outcome %s', async (outcome) => {
    const mp = await load({ tradePay: sandboxWallet(stack.sandboxUrl, outcome) });
    const page = await pay(await openCheckout(mp));
    expect(page.stateHistory).toEqual(EXPECTED_STATES[outcome]);
  }, 30_000);

  it('signs in through the wallet (my.getAuthCode) and finds the paid order on the orders page', async () => {
    const mp = await load({ tradePay: sandboxWallet(stack.sandboxUrl, 'success'), getAuthCode: sandboxAuthCode(stack.sandboxUrl, 'harness_buyer_1') });
    const page = await pay(await openCheckout(mp));
    expect(page.data.state).toBe('succeeded');
    const orders = await mp.openPage('pages/orders/index');
    expect(orders.data.rows).toEqual([expect.objectContaining({ statusText: 'Paid', error: '' })]);
    expect(mp.requests.find((r) => r.url.endsWith('/api/session'))?.status).toBe(200);
  }, 30_000);
});
