import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../support/stack';

async function ledger(stack: Stack) {
  return (await fetch(`${stack.sandboxUrl}/sandbox/ledger`)).json() as Promise<any>;
}

const tokens = new Map<Stack, string>();
async function api(stack: Stack, path: string, init: { method?: string; body?: unknown } = {}) {
  if (!tokens.has(stack)) tokens.set(stack, await stack.session());
  return stack.api(path, { ...init, token: tokens.get(stack)! });
}

async function checkout(stack: Stack) {
  const catalog = await api(stack, '/api/catalog');
  expect(catalog.status).toBe(200);
  const sku = catalog.body.products[1].sku as string;
  const created = await api(stack, '/api/orders', { method: 'POST', body: { items: [{ sku, quantity: 2 }] } });
  expect(created.status).toBe(201);
  return created.body as {
    order: { id: string; merchantTransId: string; amount: { value: string } };
    payment: { type: string; orderStr: string };
  };
}

async function orderStatus(stack: Stack, id: string) {
  return (await api(stack, `/api/orders/${id}`)).body.order.status as string;
}

describe.each(['RSA2', 'RSA'] as const)('AlipayHK in-app payment over loopback (%s)', (signAlgorithm) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ signAlgorithm });
  });
  afterAll(async () => stack?.close());

  it('catalog → order → orderStr → wallet success → signed notification → SUCCEEDED', async () => {
    const { order, payment } = await checkout(stack);
    expect(payment.type).toBe('tradePay');
    // The sandbox verifies what the BFF signed…
    expect(await stack.tradePay(payment.orderStr, 'success')).toEqual({ resultCode: '9000' });
    // …and the BFF verifies the notification the sandbox signed, then acknowledges with its own signature.
    await eventually(async () => (await orderStatus(stack, order.id)) === 'SUCCEEDED', 'the notification');
    const book = await ledger(stack);
    const paid = book.payments.find((p: any) => p.merchantTransId === order.merchantTransId);
    expect(paid).toMatchObject({ status: 'PAID', orderAmount: { currency: 'HKD', value: order.amount.value } });
    await eventually(
      async () =>
        (await ledger(stack)).notifications.some((n: any) => n.merchantTransId === order.merchantTransId && n.status === 'acknowledged'),
      'the acknowledged delivery',
    );
    expect(await stack.app.store.countTransitions(order.id, 'SUCCEEDED')).toBe(1);
  });

  it('unknown (6004, no notification) → confirm → payQuery → SUCCEEDED', async () => {
    const { order, payment } = await checkout(stack);
    expect(await stack.tradePay(payment.orderStr, 'unknown')).toEqual({ resultCode: '6004' });
    expect(await orderStatus(stack, order.id)).toBe('PENDING');
    const confirmed = await api(stack, `/api/orders/${order.id}/confirm`, { method: 'POST', body: { resultCode: '6004' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.order.status).toBe('SUCCEEDED');
    const book = await ledger(stack);
    expect(book.notifications.filter((n: any) => n.merchantTransId === order.merchantTransId)).toHaveLength(0);
  });

  it('a client 9000 for an unpaid order stays PENDING after the query', async () => {
    const { order } = await checkout(stack);
    const confirmed = await api(stack, `/api/orders/${order.id}/confirm`, { method: 'POST', body: { resultCode: '9000' } });
    expect(confirmed.body.order.status).toBe('PENDING');
  });

  it('fail (4000) → the gateway closed it → FAILED after confirm', async () => {
    const { order, payment } = await checkout(stack);
    expect(await stack.tradePay(payment.orderStr, 'fail')).toEqual({ resultCode: '4000' });
    const confirmed = await api(stack, `/api/orders/${order.id}/confirm`, { method: 'POST', body: { resultCode: 'fail' } });
    expect(confirmed.body.order.status).toBe('FAILED');
  });

  it('keeps I1–I6 over everything above', async () => {
    const report = await stack.invariants();
    expect(report.text).not.toContain('BROKEN');
    expect(report.ok).toBe(true);
  });
});

describe('signatures are checked both ways', () => {
  it('the sandbox refuses an orderStr signed with the other algorithm', async () => {
    const stack = await startStack({ signAlgorithm: 'RSA2', env: { ALIPAYHK_SIGN_ALGORITHM: 'RSA' } });
    try {
      const { order, payment } = await checkout(stack);
      const res = await stack.tradePay(payment.orderStr, 'success');
      expect(res.resultCode).not.toBe('9000');
      expect((await ledger(stack)).payments.filter((p: any) => p.merchantTransId === order.merchantTransId)).toHaveLength(0);
    } finally {
      await stack.close();
    }
  });
});
