/**
 * The H5 channel in a real browser: Debian's Chromium driven by playwright-core against the real BFF
 * and the real sandbox on loopback (startStack). Checkout → sandbox cashier → return page, for a
 * payment (learned from the webhook) and a cancellation (learned by the return page's confirm, which
 * makes the BFF query the aggregator: the aggregator sends no webhook for a cancellation).
 *
 * Without /usr/bin/chromium the suite is skipped with a printed reason — unless CI is set, where a
 * missing browser fails (.ci/run installs it). Screenshots go to bff/test/artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../support/stack';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const available = existsSync(CHROMIUM);

if (!available) {
  const reason = `${CHROMIUM} not found: install it with apt-get install -y chromium fonts-noto-cjk (see .ci/run)`;
  if (process.env.CI) {
    describe('H5 checkout in Chromium', () => {
      it('needs Chromium on CI', () => {
        throw new Error(reason);
      });
    });
  } else {
    console.log(`[h5 browser test] skipped: ${reason}`);
  }
}

describe.skipIf(!available)('H5 checkout in Chromium (playwright-core)', () => {
  let stack: Stack;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function phone(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      locale,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    // A CSP violation or a script error shows up here: the pages must run with no inline code at all.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
    });
    problems.length = 0;
    return { context, page };
  }

  async function ledger() {
    return stack.sandbox.ledger.snapshot();
  }

  it('pays: catalog → cart → AlipayHK → sandbox cashier Pay → return page shows "Paid" once the webhook has arrived', async () => {
    const { context, page } = await phone();
    try {
      await page.goto(`${stack.bffUrl}/h5/`);
      await page.getByRole('button', { name: 'Add one Oolong tea, 100 g' }).click();
      await page.getByRole('button', { name: 'Add one Oolong tea, 100 g' }).click();
      await page.getByRole('button', { name: 'Add one Egg tarts, box of 6' }).click();
      await expect.poll(() => page.locator('#cart-total').textContent()).toBe('HK$218.00');
      await page.getByLabel('AlipayHK').check();
      await page.screenshot({ path: `${ARTIFACTS}h5-checkout.png`, fullPage: true });

      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      await page.waitForURL(`${stack.sandboxUrl}/sandbox/intents/cashier/**`);
      await page.screenshot({ path: `${ARTIFACTS}h5-sandbox-cashier.png`, fullPage: true });
      await page.getByRole('button', { name: /^Pay 付款 HKD 218\.00/ }).click();

      await page.waitForURL(`${stack.bffUrl}/h5/return?order=*`);
      const result = page.locator('#result');
      await expect.poll(() => result.getAttribute('data-state'), { timeout: 15_000 }).toBe('succeeded');
      expect(await page.locator('#state-text').textContent()).toContain('Paid');
      await page.screenshot({ path: `${ARTIFACTS}h5-return-paid.png`, fullPage: true });

      // What the page says is what the server holds, and the webhook (not a query) made it so.
      const orderId = new URL(page.url()).searchParams.get('order')!;
      const order = await stack.app.store.getOrder(orderId);
      expect(order).toMatchObject({ status: 'SUCCEEDED', channel: 'h5', amount: 21800 });
      const book = await ledger();
      const intent = book.intents.intents.find((i) => i.merchantOrderId === order!.merchantTransId);
      expect(intent).toMatchObject({
        status: 'SUCCEEDED',
        amount: '218.00',
        wallet: 'ALIPAYHK',
        returnUrl: `${stack.bffUrl}/h5/return?order=${orderId}`,
      });
      await eventually(
        async () =>
          (await ledger()).intents.webhooks.find((w) => w.merchantOrderId === order!.merchantTransId && w.status === 'acknowledged'),
        'the acknowledged webhook',
      );
      expect(
        stack.logs.some(
          (line) =>
            line.includes('notification committed') && line.includes(order!.merchantTransId) && line.includes('"transitioned":true'),
        ),
      ).toBe(true);
      expect(await stack.app.store.countTransitions(orderId, 'SUCCEEDED')).toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('cancels: Alipay CN → sandbox cashier Cancel → return page shows "cancelled" after the BFF queried the aggregator', async () => {
    const { context, page } = await phone();
    try {
      await page.goto(`${stack.bffUrl}/h5/`);
      await page.getByRole('button', { name: 'Add one Card sleeve' }).click();
      await page.getByLabel('Alipay (mainland China)').check();
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      await page.waitForURL(`${stack.sandboxUrl}/sandbox/intents/cashier/**`);
      await page.getByRole('button', { name: 'Cancel 取消' }).click();

      await page.waitForURL(`${stack.bffUrl}/h5/return?order=*`);
      const result = page.locator('#result');
      await expect.poll(() => result.getAttribute('data-state'), { timeout: 15_000 }).toBe('cancelled');
      expect(await page.locator('#state-text').textContent()).toMatch(/cancelled/i);
      await expect.poll(() => page.getByRole('link', { name: 'Try again' }).isVisible()).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}h5-return-cancelled.png`, fullPage: true });

      const orderId = new URL(page.url()).searchParams.get('order')!;
      const order = await stack.app.store.getOrder(orderId);
      expect(order?.status).toBe('CANCELLED');
      const intent = (await ledger()).intents.intents.find((i) => i.merchantOrderId === order!.merchantTransId);
      expect(intent).toMatchObject({ status: 'CANCELLED', cancelledBy: 'shopper', wallet: 'ALIPAYCN' });
      expect((await ledger()).intents.webhooks.filter((w) => w.merchantOrderId === order!.merchantTransId)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('speaks Traditional Chinese to a zh-HK browser', async () => {
    const { context, page } = await phone('zh-HK');
    try {
      await page.goto(`${stack.bffUrl}/h5/`);
      await expect.poll(() => page.locator('#products li').count()).toBeGreaterThan(0);
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant');
      await expect.poll(() => page.getByRole('button', { name: '付款', exact: true }).isVisible()).toBe(true);
      await page.getByRole('button', { name: '加一件Oolong tea, 100 g' }).click();
      await page.screenshot({ path: `${ARTIFACTS}h5-checkout-zh-HK.png`, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
