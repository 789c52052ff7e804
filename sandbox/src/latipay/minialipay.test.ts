import { describe, expect, it } from 'vitest';
import { SANDBOX_LATIPAY_WALLET_ID } from './config';
import { useLatipaySandbox } from '../testing/latipay';

const h = useLatipaySandbox();
const { createBody, create, refundBody, latipay } = h;

describe('POST /v2/minialipay', () => {
  it('answers code 0 with gatewaydata in a fixed, non-alphabetical order and records the payment', async () => {
    const body = createBody();
    const { status, json } = await create(body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ code: 0, message: 'SUCCESS' });
    const keysInOrder = Object.keys(json.gatewaydata);
    expect(keysInOrder.slice(0, 4)).toEqual(['service', 'partner', '_input_charset', 'out_trade_no']);
    expect([...keysInOrder].sort()).not.toEqual(keysInOrder);
    expect(json.gatewaydata).toMatchObject({ total_fee: '84.00', currency: 'HKD', secondary_merchant_id: SANDBOX_LATIPAY_WALLET_ID });
    expect(json.paydata.orderId).toBe(json.gatewaydata.out_trade_no);
    expect(latipay().payments).toEqual([
      expect.objectContaining({
        merchantReference: body.merchant_reference,
        orderId: json.paydata.orderId,
        status: 'pending',
        amount: '84.00',
        amountMinor: 8400,
      }),
    ]);
    expect(h.sb.ledger.snapshot().payments).toHaveLength(0); // AlipayHK's records are separate
  });

  it('a retry for the same merchant_reference gets the same payment; a different amount is refused', async () => {
    const body = createBody();
    const first = await create(body);
    const again = await create(body);
    expect(again.json.gatewaydata).toEqual(first.json.gatewaydata);
    const changed = await create(createBody({ merchant_reference: body.merchant_reference, amount: '1.00' }));
    expect(changed.json.code).toBe(207);
    expect(latipay().payments).toHaveLength(1);
  });

  it('refuses with Latipay error codes and records nothing', async () => {
    const wrongKey = createBody({}, 'f'.repeat(64));
    const tampered = { ...createBody(), amount: '1.00' };
    const { signature: _dropped, ...unsigned } = createBody();
    const cases: Array<[Record<string, unknown>, number]> = [
      [wrongKey, 206],
      [tampered, 206],
      [unsigned, 204],
      [createBody({ user_id: 'U999' }), 205],
      [createBody({ wallet_id: 'W999' }), 450],
      [createBody({ payment_method: 'wechat' }), 304],
      [createBody({ amount: '84.001' }), 207],
      [createBody({ amount: '0.00' }), 207],
      [createBody({ version: '1.0' }), 207],
      [createBody({ callback_url: 'javascript:alert(1)' }), 207],
      [createBody({ product_name: '' }), 204],
    ];
    for (const [body, code] of cases) {
      const { status, json } = await create(body);
      expect(status).toBe(200);
      expect(json.code, JSON.stringify(body)).toBe(code);
      expect(typeof json.message).toBe('string');
    }
    expect(latipay().payments).toHaveLength(0);
    expect(latipay().calls.minialipay).toBe(cases.length);
  });

  it('control.latipayFailNext scripts an error reply; control.failNext 5xx and U apply too', async () => {
    h.sb.control.update({ latipayFailNext: { count: 1, code: 301 } });
    expect((await create(createBody())).json.code).toBe(301);
    h.sb.control.update({ failNext: { count: 2, mode: '5xx' } });
    expect((await h.sb.app.inject({ method: 'POST', url: '/v2/minialipay', payload: createBody() })).statusCode).toBe(503);
    expect((await h.sb.app.inject({ method: 'POST', url: '/refund', payload: refundBody('x', '1.00', 'r') })).statusCode).toBe(503);
    h.sb.control.update({ failNext: { count: 1, mode: 'U' } });
    expect((await create(createBody())).json.code).toBe(1);
    expect(latipay().payments).toHaveLength(0);
    expect((await create(createBody())).json.code).toBe(0);
  });

  it('control refuses an undocumented form, and a reset returns to the start-up forms', async () => {
    for (const forms of [{ latipayAmount: 'float' }, { nope: 'x' }, 'number']) {
      expect((await h.sb.app.inject({ method: 'POST', url: '/sandbox/control', payload: { forms } })).statusCode).toBe(400);
    }
    h.sb.control.update({ forms: { latipayAmount: 'string' } });
    h.sb.reset();
    expect(h.sb.control.current.forms.latipayAmount).toBe('number');
  });

  it('control refuses an undocumented latipayFailNext code', async () => {
    const res = await h.sb.app.inject({ method: 'POST', url: '/sandbox/control', payload: { latipayFailNext: { count: 1, code: 999 } } });
    expect(res.statusCode).toBe(400);
  });
});
