import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatMoney } from '@tradepay/shared';
import { runAdmin } from '../../src/cli/admin';
import { eventually, startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, {
    env: { BFF_URL: stack.bffUrl, ADMIN_TOKEN: stack.config.adminToken! },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

it('lists pending orders and refunds a paid one, partly then fully', async () => {
  const token = await stack.session();
  const pending = (await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 1 }] } })).body
    .order;
  const paid = (await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 2 }] } })).body;
  await stack.tradePay(paid.payment.orderStr, 'success');
  await eventually(async () => (await stack.app.store.getOrder(paid.order.id))?.status === 'SUCCEEDED', 'payment');

  const list = await admin('orders', '--status', 'PENDING');
  expect(list.code).toBe(0);
  expect(list.out).toContain(pending.id);
  expect(list.out).not.toContain(paid.order.id);

  // Amounts print for people: symbol, decimals (the order is 2 × EGG-TART-6).
  const total = Number(paid.order.amount.value);
  expect(list.out).toContain(formatMoney(Number(pending.amount.value), 'HKD'));
  expect(list.out).toMatch(/HK\$\d+\.\d\d/);

  // A bare integer is ambiguous (dollars or cents?): refused, both forms shown, nothing refunded.
  const bare = await admin('refund', paid.order.id, '1');
  expect(bare.code).toBe(2);
  expect(bare.err).toContain('write 1.00 for HK$1.00, or 0.01 for HK$0.01');
  expect((await stack.app.store.listRefunds(paid.order.id)).length).toBe(0);

  const part = await admin('refund', paid.order.id, '1.5');
  expect(part.code).toBe(0);
  expect(part.out).toMatch(/SUCCEEDED HK\$1\.50 /);
  expect(part.out).toContain('PARTIALLY_REFUNDED');
  expect(part.out).toContain(`refunded HK$1.50 of ${formatMoney(total, 'HKD')}`);
  expect((await stack.app.store.listRefunds(paid.order.id))[0]?.amount).toBe(150);
  const rest = await admin('refund', paid.order.id);
  expect(rest.out).toContain('is now REFUNDED');
  const one = await admin('order', paid.order.id);
  expect(one.out).toContain(`REFUNDED ${formatMoney(total, 'HKD')}`);
  expect(one.out).toContain('refund ');
  expect(one.out).toContain('SUCCEEDED HK$1.50');
});

it('explains bad input and refusals', async () => {
  const missing = await admin('refund', 'ord_AAAAAAAAAAAAAAAAAAAAAAAA', '1.00');
  expect(missing.code).toBe(1);
  expect(missing.err).toContain('ORDER_NOT_FOUND');
  const denied = await runAdmin(['orders'], {
    env: { BFF_URL: stack.bffUrl, ADMIN_TOKEN: 'wrong-token-0123456789' },
    out: () => undefined,
    err: () => undefined,
  });
  expect(denied).toBe(1);
});
