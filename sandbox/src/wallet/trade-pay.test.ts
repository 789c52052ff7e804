import { describe, expect, it } from 'vitest';
import { parseRsaKey } from '../alipayhk/rsa-key';
import { tamperSignedContent } from '../alipayhk/signature';
import { cashierOrderStr, tradePay, waitFor } from '../testing/fixtures';
import { useSandbox } from '../testing/sandbox-suite';

// Notifications go to a closed port here; delivery itself is covered in notifier.test.ts.
const suite = useSandbox({}, { notifyDelayMs: 60_000 });
const { keys } = suite;

function payment(merchantTransId: string) {
  return suite.sb.ledger.snapshot().payments.find((p) => p.merchantTransId === merchantTransId);
}
function notificationsOf(merchantTransId: string) {
  return suite.sb.ledger.snapshot().notifications.filter((n) => n.merchantTransId === merchantTransId);
}

describe('POST /sandbox/wallet/tradePay', () => {
  it('success: 9000, PAID now, one notification scheduled', async () => {
    const orderStr = cashierOrderStr(suite.sb.merchantSigner, {
      merchantTransId: 'W-success',
      value: '2500',
      extendInfo: '{"productScene":"Prepay"}',
    });
    const res = await tradePay(suite.sb.app, orderStr, 'success');
    expect(res).toEqual({ status: 200, json: { resultCode: '9000' } });
    const p = payment('W-success');
    expect(p).toMatchObject({
      status: 'PAID',
      outcome: 'success',
      orderAmount: { currency: 'HKD', value: '2500' },
      extendInfo: '{"productScene":"Prepay"}',
    });
    expect(p?.acquirementId).toMatch(/^\d{28}$/);
    expect(p?.paidAt).not.toBeNull();
    expect(notificationsOf('W-success')).toHaveLength(1);
    expect(suite.sb.ledger.snapshot().calls['alipay.intl.acquiring.cashier.wap.pay']).toBe(1);
  });

  it('outcome defaults to success', async () => {
    expect((await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-default' }))).json).toEqual({
      resultCode: '9000',
    });
    expect(payment('W-default')?.status).toBe('PAID');
  });

  it('fail: 4000, FAILED, no notification, and the merchantTransId stays closed', async () => {
    const orderStr = cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-fail' });
    expect((await tradePay(suite.sb.app, orderStr, 'fail')).json).toEqual({ resultCode: '4000' });
    expect(payment('W-fail')).toMatchObject({ status: 'FAILED', closeReason: 'FAILED', paidAt: null });
    expect(notificationsOf('W-fail')).toHaveLength(0);
    expect((await tradePay(suite.sb.app, orderStr, 'success')).json.resultCode).toBe('4000');
    expect(payment('W-fail')?.status).toBe('FAILED');
  });

  it('cancel: 6001, unpaid, and payable again under the same acquirementId', async () => {
    const orderStr = cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-cancel' });
    expect((await tradePay(suite.sb.app, orderStr, 'cancel')).json).toEqual({ resultCode: '6001' });
    const before = payment('W-cancel');
    expect(before).toMatchObject({ status: 'WAIT_BUYER_PAY', paidAt: null });
    expect(notificationsOf('W-cancel')).toHaveLength(0);
    expect((await tradePay(suite.sb.app, orderStr, 'success')).json).toEqual({ resultCode: '9000' });
    expect(payment('W-cancel')).toMatchObject({ status: 'PAID', acquirementId: before?.acquirementId });
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(1);
  });

  it('cancel then a different amount for the same merchantTransId is refused', async () => {
    await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-changed', value: '100' }), 'cancel');
    const res = await tradePay(
      suite.sb.app,
      cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-changed', value: '200' }),
      'success',
    );
    expect(res.json.resultCode).toBe('4000');
    expect(payment('W-changed')).toMatchObject({ status: 'WAIT_BUYER_PAY', orderAmount: { value: '100' } });
  });

  it('processing: 8000, settles to PAID after processingDelayMs × retryScale, then notifies', async () => {
    suite.sb.control.update({ processingDelayMs: 50_000 }); // × 0.001 = 50 ms
    expect(
      (await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-proc' }), 'processing')).json,
    ).toEqual({ resultCode: '8000' });
    expect(payment('W-proc')?.status).toBe('PROCESSING');
    expect(notificationsOf('W-proc')).toHaveLength(0);
    await waitFor(() => payment('W-proc')?.status === 'PAID', 2000);
    expect(notificationsOf('W-proc')).toHaveLength(1);
  });

  it('unknown: 6004, PAID, and no notification ever', async () => {
    expect(
      (await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-unknown' }), 'unknown')).json,
    ).toEqual({ resultCode: '6004' });
    expect(payment('W-unknown')?.status).toBe('PAID');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(notificationsOf('W-unknown')).toHaveLength(0);
  });

  it('network: 6002, PAID, first notification only after lateNotifyDelayMs × retryScale', async () => {
    suite.sb.control.update({ notifyDelayMs: 0, lateNotifyDelayMs: 5_000_000 }); // × 0.001 = 5 s
    const before = Date.now();
    expect((await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-net' }), 'network')).json).toEqual({
      resultCode: '6002',
    });
    expect(payment('W-net')?.status).toBe('PAID');
    const [job] = notificationsOf('W-net');
    expect(job?.status).toBe('scheduled');
    expect(Date.parse(job?.nextAttemptAt ?? '') - before).toBeGreaterThanOrEqual(4_990);
  });

  it('a paid merchantTransId answers 5000 and nothing changes', async () => {
    const orderStr = cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-dup' });
    await tradePay(suite.sb.app, orderStr);
    expect((await tradePay(suite.sb.app, orderStr)).json.resultCode).toBe('5000');
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(1);
    expect(notificationsOf('W-dup')).toHaveLength(1);
  });

  it('refuses a bad signature with HTTP 400 and 4000, recording nothing', async () => {
    const tampered = tamperSignedContent('request', cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'W-bad' }));
    const res = await tradePay(suite.sb.app, tampered);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ resultCode: '4000', error: 'INVALID_SIGNATURE' });
    expect(res.json.message).toMatch(/signature/);

    const stranger = parseRsaKey(keys.gatewayPrivatePem, 'RSA2', 'private');
    const res2 = await tradePay(suite.sb.app, cashierOrderStr(stranger, { merchantTransId: 'W-bad' }));
    expect(res2.status).toBe(400);
    expect(res2.json.error).toBe('INVALID_SIGNATURE');
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(0);
  });

  it('refuses wrong clientId, merchantId, function and malformed orders', async () => {
    const signer = suite.sb.merchantSigner;
    const cases = [
      cashierOrderStr(signer, { head: { clientId: 'SOMEONEELSE' } }),
      cashierOrderStr(signer, { body: { merchantId: '2160400000009999' } }),
      cashierOrderStr(signer, { head: { function: 'alipay.intl.acquiring.common.payQuery' } }),
      cashierOrderStr(signer, { value: '10.00' }),
      cashierOrderStr(signer, { value: '0' }),
      cashierOrderStr(signer, { currency: 'XXX' }),
      cashierOrderStr(signer, { notifyUrl: 'javascript:alert(1)' }),
      cashierOrderStr(signer, { body: { merchantTransId: 'x'.repeat(65) } }),
      cashierOrderStr(signer, { body: { order: 'nope' } }),
    ];
    for (const orderStr of cases) {
      const res = await tradePay(suite.sb.app, orderStr);
      expect(res.status, orderStr).toBe(400);
      expect(res.json).toMatchObject({ resultCode: '4000', error: 'INVALID_ORDER' });
    }
    expect(suite.sb.ledger.snapshot().payments).toHaveLength(0);
  });

  it('answers 4xx to malformed requests', async () => {
    const bad: Array<{ payload: string; contentType?: string }> = [
      { payload: '{"orderStr":' },
      { payload: '[]' },
      { payload: '{"orderStr":"x","extra":1}' },
      { payload: '{"orderStr":42}' },
      { payload: '{"orderStr":"{}","outcome":"maybe"}' },
      { payload: '{"orderStr":"not an envelope"}' },
      { payload: '{"__proto__":{"polluted":1},"orderStr":"x"}' },
      { payload: 'orderStr=x', contentType: 'text/plain' },
    ];
    for (const { payload, contentType } of bad) {
      const res = await suite.sb.app.inject({
        method: 'POST',
        url: '/sandbox/wallet/tradePay',
        headers: { 'content-type': contentType ?? 'application/json' },
        payload,
      });
      expect(res.statusCode, payload).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, payload).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
