import { afterAll, beforeAll, expect, it } from 'vitest';
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
  const code = await runAdmin(argv, { env: { BFF_URL: stack.bffUrl, ADMIN_TOKEN: stack.config.adminToken! }, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

it('lists pending orders and refunds a paid one, partly then fully', async () => {
  const token = await stack.session();
  const pending = (await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 1 }] } })).body.order;
  const paid = (await stack.api('/api/orders', { method: 'POST', token, body: { items: [{ sku: 'EGG-TART-6', quantity: 2 }] } })).body;
  await stack.tradePay(paid.payment.orderStr, 'success');
  await eventually(async () => (await stack.app.store.getOrder(paid.order.id))?.status === 'SUCCEEDED', 'payment');

  const list = await admin('orders', '--status', 'PENDING');
  expect(list.code).toBe(0);
  expect(list.out).toContain(pending.id);
  expect(list.out).not.toContain(paid.order.id);

  const part = await admin('refund', paid.order.id, '100');
  expect(part.code).toBe(0);
  expect(part.out).toMatch(/SUCCEEDED HKD 100/);
  expect(part.out).toContain('PARTIALLY_REFUNDED');
  const rest = await admin('refund', paid.order.id);
  expect(rest.out).toContain('is now REFUNDED');
});

it('explains bad input and refusals', async () => {
  expect((await admin('refund', 'ord_AAAAAAAAAAAAAAAAAAAAAAAA', '1.5')).code).toBe(2);
  const missing = await admin('refund', 'ord_AAAAAAAAAAAAAAAAAAAAAAAA', '100');
  expect(missing.code).toBe(1);
  expect(missing.err).toContain('ORDER_NOT_FOUND');
  const denied = await runAdmin(['orders'], { env: { BFF_URL: stack.bffUrl, ADMIN_TOKEN: 'wrong-token-0123456789' }, out: () => undefined, err: () => undefined });
  expect(denied).toBe(1);
});
