import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/fixtures';
import { orderStrOf, useLatipaySandbox } from '../testing/latipay';

const h = useLatipaySandbox();
const { createBody, create, tradePay, query, refundBody, expectedResultSignature, latipay } = h;

describe('POST /refund', () => {
  async function paidOrder() {
    const { json } = await create(createBody());
    await tradePay(orderStrOf(json.gatewaydata), 'unknown');
    return json.paydata.orderId as string;
  }

  const post = (body: Record<string, unknown>) => h.sb.app.inject({ method: 'POST', url: '/refund', payload: body }).then((r) => r.json());

  it('refunds partially and fully, never more than was paid; `reference` is a note, so a repeat refunds again', async () => {
    const orderId = await paidOrder();
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toMatchObject({ code: 0 });
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toMatchObject({ code: 0 });
    expect(latipay().refunds.map((r) => r.refundAmount)).toEqual(['20.00', '20.00']);
    expect((await post(refundBody(orderId, '44.01', 'RF-2'))).code).toBe(550);
    expect(await post(refundBody(orderId, '44.00', 'RF-2'))).toMatchObject({ code: 0 });
    expect(latipay().payments[0]!.refundedMinor).toBe(8400);
    expect((await post(refundBody(orderId, '0.01', 'RF-3'))).code).toBe(550);
    expect((await post(refundBody('20200101-alipay-0', '1.00', 'RF-4'))).code).toBe(551);
    expect((await post(refundBody(orderId, '1.00', 'RF-5', 'f'.repeat(64)))).code).toBe(206);
  });

  it('with forms.latipayRefundRepeat = 562, a repeat answers "This refund request has been done"', async () => {
    h.sb.control.update({ forms: { latipayRefundRepeat: '562' } });
    const orderId = await paidOrder();
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toMatchObject({ code: 0 });
    expect(await post(refundBody(orderId, '20.00', 'RF-1'))).toEqual({ code: 562, message: 'This refund request has been done' });
    expect(await post(refundBody(orderId, '20.00', 'RF-2'))).toMatchObject({ code: 0 });
    expect(latipay().refunds.map((r) => r.reference)).toEqual(['RF-1', 'RF-2']);
  });

  it('refuses to refund an unpaid payment', async () => {
    const { json } = await create(createBody());
    const res = await h.sb.app.inject({ method: 'POST', url: '/refund', payload: refundBody(json.paydata.orderId, '1.00', 'RF-U') });
    expect(res.json().code).toBe(550);
    expect(latipay().refunds).toHaveLength(0);
  });
});

describe('Latipay closes a payment: canceled / rejected', () => {
  it('closes an open payment, calls back with that status, and the query says so', async () => {
    for (const status of ['canceled', 'rejected'] as const) {
      h.received = [];
      const body = createBody();
      const { json } = await create(body);
      const res = await h.sb.app.inject({
        method: 'POST',
        url: '/sandbox/latipay/close',
        payload: { merchant_reference: body.merchant_reference, status },
      });
      expect(res.statusCode).toBe(200);
      await waitFor(() => h.received.length > 0, 3000);
      const form = new URLSearchParams(h.received[0]!.body);
      const facts = {
        merchant_reference: String(body.merchant_reference),
        payment_method: 'alipay',
        status,
        currency: 'HKD',
        amount: '84.00',
      };
      expect(Object.fromEntries(form)).toMatchObject({ ...facts, signature: expectedResultSignature(facts) });
      expect((await query(String(body.merchant_reference))).status).toBe(status);
      expect(await tradePay(orderStrOf(json.gatewaydata))).toMatchObject({ json: { resultCode: '4000' } });
      const again = await h.sb.app.inject({
        method: 'POST',
        url: '/sandbox/latipay/close',
        payload: { merchant_reference: body.merchant_reference, status },
      });
      expect(again.statusCode).toBe(400);
    }
  });
});
