/**
 * One id through a payment: the mini program sends x-request-id with the create and again with the
 * confirm; the BFF echoes it and logs it on its lines (beside the reqMsgId of its gateway calls), and
 * in sandbox mode forwards it, so the sandbox's lines carry it too. One grep follows the payment.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandboxLogs: true });
});
afterAll(async () => stack?.close());

it('one request id is found in the BFF’s and the sandbox’s log lines of one payment', async () => {
  const requestId = 'mp-test-attempt-0001';
  const token = await stack.session();
  const created = await fetch(`${stack.bffUrl}/api/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-request-id': requestId,
      'idempotency-key': requestId,
    },
    body: JSON.stringify({ items: [{ sku: 'EGG-TART-6', quantity: 1 }] }),
  });
  expect(created.status).toBe(201);
  expect(created.headers.get('x-request-id')).toBe(requestId);
  const { order, payment } = (await created.json()) as { order: { id: string }; payment: { orderStr: string } };
  // 6004: paid, no notification; the confirm asks the gateway (payQuery) inside the same attempt.
  stack.sandbox.control.update({ dropRate: 1 });
  expect((await stack.tradePay(payment.orderStr, 'unknown')).resultCode).toBe('6004');
  const confirmed = await fetch(`${stack.bffUrl}/api/orders/${order.id}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
    body: JSON.stringify({ resultCode: '6004' }),
  });
  expect(confirmed.headers.get('x-request-id')).toBe(requestId);
  const confirmedOrder = ((await confirmed.json()) as { order: { status: string; paidAt: string } }).order;
  expect(confirmedOrder.status).toBe('SUCCEEDED');
  // payQuery's +08:00 paymentTime comes out as UTC (…Z).
  expect(confirmedOrder.paidAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const grep = (lines: string[]) => lines.filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as Record<string, any>);
  const bff = grep(stack.logs);
  const sandbox = grep(stack.sandboxLogs);
  // The BFF: both calls of the attempt, and its payQuery to the gateway logged beside its reqMsgId.
  expect(bff.some((l) => l.req?.url === '/api/orders')).toBe(true);
  expect(bff.some((l) => l.req?.url === `/api/orders/${order.id}/confirm`)).toBe(true);
  const gatewayCall = bff.find((l) => l.msg === 'gateway call' && String(l.gatewayPath).includes('payQuery'));
  expect(gatewayCall?.reqMsgId).toEqual(expect.any(String));
  // The sandbox: the same id on its request lines for that payQuery.
  expect(sandbox.some((l) => l.reqId === requestId && String(l.req?.url).includes('payQuery'))).toBe(true);
  // A caller's id that is not a plain token is replaced, never logged.
  const odd = await fetch(`${stack.bffUrl}/healthz`, { headers: { 'x-request-id': 'a b "c"' } });
  expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
