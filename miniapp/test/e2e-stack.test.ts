/**
 * The compiled mini program against the real BFF and the real sandbox gateway on loopback: tap Pay,
 * the sandbox wallet answers `my.tradePay`, and the checkout's `data.state` must follow EXPECTED_STATES.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideOnConsentPage } from '../../bff/test/support/consent';
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

  it('auto-debit: binds through the web-view page, charges without the wallet screen, unbinds', async () => {
    const mp = await load({ getAuthCode: sandboxAuthCode(stack.sandboxUrl, 'harness_buyer_2') });
    const page = await mp.openPage('pages/autodebit/index');
    await page.waitFor((d) => d.agreementStatus === 'ready');
    expect(page.data).toMatchObject({ canBind: true, showCharge: false });

    await page.tap('onBind');
    const webview = await mp.openUrl(mp.navigations.at(-1)!);
    expect(webview.route).toBe('pages/webview/index');
    // The web-view shows the wallet's consent page; the shopper (the signed-in wallet user) taps Agree; the wallet returns to the BFF.
    const back = await fetch(await decideOnConsentPage(webview.data.src, 'agree', 'harness_buyer_2'));
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('data-outcome="bound"');

    await page.tap('onShow'); // back on the auto-debit page
    await page.waitFor((d) => d.showCharge === true);
    expect(page.data.card.title).toBe('Auto-debit is on');
    await page.tap('onSelect', { sku: 'EGG-TART-6' });
    await page.tap('onCharge');
    await page.waitFor((d) => d.state === 'succeeded');
    expect(page.stateHistory).toEqual(['idle', 'creating', 'succeeded']);
    expect(page.data.card.limitText).toContain('42.00');
    const merchantAgreementId = stack.sandbox.ledger.snapshot().agreements.at(-1)!.merchantAgreementId;
    expect(stack.sandbox.ledger.snapshot().payments.filter((p) => p.merchantAgreementId === merchantAgreementId)).toHaveLength(1);

    await page.tap('onUnbind');
    await page.waitFor((d) => d.showCharge === false);
    expect(page.data.card.message).toBe('Auto-debit was turned off.');
    expect(stack.sandbox.ledger.snapshot().agreements.at(-1)!.status).toBe('REVOKED');
  }, 30_000);
});
