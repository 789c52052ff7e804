import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/fixtures';
import { orderStrOf, useLatipaySandbox } from '../testing/latipay';
import { LATIPAY_MAX_CALLBACK_ATTEMPTS } from './config';

const h = useLatipaySandbox();
const { createBody, create, tradePay, query, queryRaw, expectedResultSignature, latipay } = h;

describe('the wallet pays a Latipay orderStr; callbacks and query', () => {
  it('success: 9000, paid, a signed form-encoded callback acknowledged by "sent", and a signed query answer', async () => {
    const body = createBody();
    const { json } = await create(body);
    expect(await tradePay(orderStrOf(json.gatewaydata), 'success')).toEqual({ status: 200, json: { resultCode: '9000' } });
    await waitFor(() => latipay().callbacks[0]?.status === 'acknowledged', 3000);
    expect(h.received).toHaveLength(1);
    expect(h.received[0]!.contentType).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(h.received[0]!.body);
    const facts = {
      merchant_reference: String(body.merchant_reference),
      payment_method: 'alipay',
      status: 'paid',
      currency: 'HKD',
      amount: '84.00',
    };
    expect(Object.fromEntries(form)).toMatchObject({ ...facts, order_id: json.paydata.orderId });
    // Every field once, in the documented order.
    expect([...form.keys()].join(' ')).toBe('merchant_reference order_id currency amount payment_method status pay_time signature');
    expect(form.get('pay_time')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(form.get('signature')).toBe(expectedResultSignature(facts));

    // The documented form: `"amount":84.00`, a JSON number with its digits, signed as text.
    const raw = await queryRaw(String(body.merchant_reference));
    expect(raw).toContain('"amount":84.00,');
    const answer = JSON.parse(raw);
    expect(answer).toMatchObject({ ...facts, amount: 84, order_id: json.paydata.orderId });
    expect(answer.signature).toBe(expectedResultSignature(facts));
    h.sb.control.update({ forms: { latipayAmount: 'string' } });
    expect(await query(String(body.merchant_reference))).toMatchObject({ ...facts, signature: expectedResultSignature(facts) });
    expect(latipay().payments[0]).toMatchObject({ status: 'paid', outcome: 'success' });
  });

  it('re-sends until the answer is HTTP 200 with exactly "sent"', async () => {
    const replies = [
      { status: 200, body: 'ok' },
      { status: 500, body: 'sent' },
      { status: 200, body: 'sent\n' },
      { status: 200, body: 'sent' },
    ];
    h.answer = () => replies.shift() ?? { status: 200, body: 'sent' };
    const { json } = await create(createBody());
    await tradePay(orderStrOf(json.gatewaydata));
    await waitFor(() => latipay().callbacks[0]?.status === 'acknowledged', 5000);
    const deliveries = latipay().callbacks[0]!.deliveries;
    expect(deliveries.map((d) => d.acknowledged)).toEqual([false, false, false, true]);
    expect(deliveries[1]).toMatchObject({ httpStatus: 500, error: 'HTTP 500' });
  });

  it(`gives up after ${LATIPAY_MAX_CALLBACK_ATTEMPTS} deliveries`, async () => {
    h.sb.control.update({ retryScale: 0.00001 });
    h.answer = () => ({ status: 503, body: 'busy' });
    const { json } = await create(createBody());
    await tradePay(orderStrOf(json.gatewaydata));
    await waitFor(() => latipay().callbacks[0]?.status === 'exhausted', 10_000);
    expect(latipay().callbacks[0]!.deliveries).toHaveLength(LATIPAY_MAX_CALLBACK_ATTEMPTS);
  });

  it('fail, cancel, processing, unknown and network behave as for AlipayHK', async () => {
    h.sb.control.update({ processingDelayMs: 50_000, lateNotifyDelayMs: 200_000 }); // × 0.001 → 50 ms, 200 ms
    const pay = async (outcome: string) => {
      const body = createBody();
      const { json } = await create(body);
      return {
        ref: String(body.merchant_reference),
        result: await tradePay(orderStrOf(json.gatewaydata), outcome),
        orderStr: orderStrOf(json.gatewaydata),
      };
    };
    const fail = await pay('fail');
    expect(fail.result.json).toEqual({ resultCode: '4000' });
    expect((await query(fail.ref)).status).toBe('failed');
    expect((await tradePay(fail.orderStr, 'success')).json.resultCode).toBe('4000');

    const cancel = await pay('cancel');
    expect(cancel.result.json).toEqual({ resultCode: '6001' });
    expect((await query(cancel.ref)).status).toBe('pending');
    expect((await tradePay(cancel.orderStr, 'success')).json.resultCode).toBe('9000');
    expect((await tradePay(cancel.orderStr, 'success')).json.resultCode).toBe('5000');

    const processing = await pay('processing');
    expect(processing.result.json).toEqual({ resultCode: '8000' });
    expect((await query(processing.ref)).status).toBe('pending');
    await waitFor(() => latipay().payments.find((p) => p.merchantReference === processing.ref)?.status === 'paid', 3000);

    const unknown = await pay('unknown');
    expect(unknown.result.json).toEqual({ resultCode: '6004' });
    expect((await query(unknown.ref)).status).toBe('paid');

    const network = await pay('network');
    expect(network.result.json).toEqual({ resultCode: '6002' });
    const job = latipay().callbacks.find((c) => c.merchantReference === network.ref);
    expect(job?.deliveries).toHaveLength(0);
    await waitFor(() => latipay().callbacks.find((c) => c.merchantReference === network.ref)?.status === 'acknowledged', 3000);

    await waitFor(() => latipay().callbacks.find((c) => c.merchantReference === processing.ref)?.status === 'acknowledged', 3000);
    expect(latipay().callbacks.filter((c) => c.merchantReference === unknown.ref || c.merchantReference === fail.ref)).toHaveLength(0);
  });

  it('refuses an edited or unknown orderStr with HTTP 400 and 4000', async () => {
    const { json } = await create(createBody());
    const orderStr = orderStrOf(json.gatewaydata);
    const cheaper = orderStr.replace('total_fee=84.00', 'total_fee=0.01');
    expect(cheaper).not.toBe(orderStr);
    const edited = await tradePay(cheaper);
    expect(edited.status).toBe(400);
    expect(edited.json).toMatchObject({ resultCode: '4000', error: 'INVALID_SIGNATURE' });
    const unknown = await tradePay(orderStr.replace(/out_trade_no=[^&]*/, 'out_trade_no=20200101-alipay-0'));
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('INVALID_ORDER');
    expect((await tradePay('a=1&a=2')).status).toBe(400);
    expect(latipay().payments[0]!.status).toBe('pending');
  });

  it('query: 201 for an unknown reference, 206 for a bad signature', async () => {
    expect((await query('NOPE')).code).toBe(201);
    const { json } = await create(createBody({ merchant_reference: 'Q-1' }));
    expect(json.code).toBe(0);
    expect((await query('Q-1', false)).code).toBe(206);
    expect((await query('Q-1')).status).toBe('pending');
  });
});
