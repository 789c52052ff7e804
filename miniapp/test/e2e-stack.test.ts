/**
 * The compiled mini program against the real BFF and the real sandbox gateway on loopback, on the
 * faithful `my` double under each documented HTTP-error shape: tap Pay, the sandbox wallet answers
 * `my.tradePay`, and the checkout's `data.state` must follow EXPECTED_STATES; bind auto-debit through
 * `my.signContract` and through the web-view page, charge, unbind; sign in again after a 401.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decideOnConsentPage } from '../../bff/test/support/consent';
import { startStack, type Stack } from '../../bff/test/support/stack';
import { HTTP_ERROR_SHAPES, loadMiniProgram, type HarnessOptions, type HttpErrorShape, type MiniProgram } from './harness/load-miniapp';
import { openCheckout, pay } from './harness/scenarios';
import { EXPECTED_STATES, SANDBOX_OUTCOMES, sandboxAuthCode, sandboxSignContract, sandboxWallet } from './harness/wallets';

let stack: Stack;
const opened: MiniProgram[] = [];
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  for (const mp of opened) mp.close();
  await stack?.close();
});
afterEach(() => {
  for (const mp of opened) expect(mp.violations).toEqual([]);
});

let shape: HttpErrorShape = 'fail-status';
let buyers = 0;
/** A wallet buyer of its own per test (agreements are per buyer). */
const nextBuyer = () => `harness_buyer_${shape.replace(/-/g, '_')}_${(buyers += 1)}`;

/** Polls at 1/20 speed (1 s backoff → 50 ms); request timeouts stay real. */
async function load(options: Partial<HarnessOptions>): Promise<MiniProgram> {
  const mp = await loadMiniProgram({ bffUrl: stack.bffUrl, timeScale: 0.05, httpErrorShape: shape, ...options });
  opened.push(mp);
  return mp;
}

describe.each(HTTP_ERROR_SHAPES)('mini program + BFF + sandbox, HTTP errors as %s', (httpErrorShape) => {
  beforeEach(() => {
    shape = httpErrorShape;
  });

  it.each(SANDBOX_OUTCOMES)(
    'outcome %s',
    async (outcome) => {
      const mp = await load({ tradePay: sandboxWallet(stack.sandboxUrl, outcome) });
      const page = await pay(await openCheckout(mp));
      expect(page.stateHistory).toEqual(EXPECTED_STATES[outcome]);
    },
    30_000,
  );

  it('signs in through the wallet (my.getAuthCode) and finds the paid order on the orders page', async () => {
    const mp = await load({
      tradePay: sandboxWallet(stack.sandboxUrl, 'success'),
      getAuthCode: sandboxAuthCode(stack.sandboxUrl, nextBuyer()),
    });
    const page = await pay(await openCheckout(mp));
    expect(page.data.state).toBe('succeeded');
    const orders = await mp.openPage('pages/orders/index');
    expect(orders.data.rows).toEqual([expect.objectContaining({ statusText: 'Paid', error: '' })]);
    expect(mp.requests.find((r) => r.url.endsWith('/api/session'))?.status).toBe(200);
  }, 30_000);

  it('signs in again once when the BFF refuses the session (401; under fail-19 an error without a status)', async () => {
    const mp = await load({
      tradePay: sandboxWallet(stack.sandboxUrl, 'success'),
      getAuthCode: sandboxAuthCode(stack.sandboxUrl, nextBuyer()),
    });
    expect((await pay(await openCheckout(mp))).data.state).toBe('succeeded');
    // The session the app holds is no longer accepted (expired, or the secret rotated).
    (mp.app.globalData as { session: { token: string } }).session.token = 'not-a-valid-session';
    await mp.reLaunch('/pages/checkout/index');
    const again = mp.top();
    await again.waitFor((d) => d.catalogStatus === 'ready');
    await again.tap('onIncrease', { sku: again.data.products[0].sku });
    await pay(again);
    expect(again.data.state).toBe('succeeded');
    expect(mp.requests.filter((r) => r.url.endsWith('/api/session')).map((r) => r.status)).toEqual([200, 200]);
    expect(mp.requests.filter((r) => r.url.endsWith('/api/orders') && r.status === 401)).toHaveLength(1);
  }, 30_000);

  it('auto-debit: binds through the web-view page (IDE, sandbox), charges without the wallet screen, unbinds', async () => {
    const customerId = nextBuyer();
    const mp = await load({ getAuthCode: sandboxAuthCode(stack.sandboxUrl, customerId) });
    const page = await mp.openPage('pages/autodebit/index');
    await page.waitFor((d) => d.agreementStatus === 'ready');
    expect(page.data).toMatchObject({ canBind: true, showCharge: false });

    await page.tap('onBind');
    await mp.idle();
    const webview = mp.top();
    expect(webview.route).toBe('pages/webview/index');
    // The web-view shows the wallet's consent page; the shopper (the signed-in wallet user) taps Agree; the wallet returns to the BFF.
    const back = await fetch(await decideOnConsentPage(webview.data.src, 'agree', customerId));
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('data-outcome="bound"');

    await mp.back(); // the back button: the auto-debit page shows again (onShow) and reloads the binding
    await mp.idle();
    expect(mp.top()).toBe(page);
    await page.waitFor((d) => d.showCharge === true);
    await chargeAndUnbind(page);
  }, 30_000);

  it('auto-debit: binds inside the app with my.signContract (no web-view), charges, unbinds', async () => {
    const { mp, page } = await bindInApp();
    expect(mp.signStrs).toHaveLength(1);
    expect(mp.navigations).toEqual([]);
    await page.waitFor((d) => d.showCharge === true);
    expect(stack.sandbox.ledger.snapshot().agreements.at(-1)!.status).toBe('ACTIVE');
    await chargeAndUnbind(page);
  }, 30_000);

  it('auto-debit: a declined my.signContract (6001) binds nothing and says so', async () => {
    const { page } = await bindInApp('decline');
    expect(page.data).toMatchObject({ showCharge: false, bindNote: 'You cancelled the authorisation. Nothing was set up.' });
  }, 30_000);
});

/** A new buyer's app with `my.signContract` (the sandbox wallet agrees unless told to decline): its auto-debit page, Bind tapped. */
async function bindInApp(decision?: 'decline') {
  const customerId = nextBuyer();
  const mp = await load({
    getAuthCode: sandboxAuthCode(stack.sandboxUrl, customerId),
    signContract: sandboxSignContract(stack.sandboxUrl, { customerId, decision }),
  });
  const page = await mp.openPage('pages/autodebit/index');
  await page.waitFor((d) => d.agreementStatus === 'ready');
  await page.tap('onBind');
  return { mp, page };
}

async function chargeAndUnbind(page: Awaited<ReturnType<MiniProgram['openPage']>>): Promise<void> {
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
}
