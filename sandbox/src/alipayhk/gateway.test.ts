import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../app';
import { callGateway, cashierOrderStr, gatewayRequest, tradePay, verifyIndependently } from '../testing/fixtures';
import { ALIPAYHK_FUNCTIONS, toGatewayPath } from './functions';
import { parseRsaKey } from './rsa-key';
import { tamperSignedContent } from './signature';
import { useSandbox } from '../testing/sandbox-suite';

const suite = useSandbox({ signAlgorithm: 'RSA2' });
const { keys, call, paid } = suite;

const { payQuery, payCancel, refund } = ALIPAYHK_FUNCTIONS;

describe('gateway wiring', () => {
  it('maps functions to paths in one table', () => {
    expect(toGatewayPath(payQuery)).toBe('/api/alipay/intl/acquiring/common/payQuery.htm');
    expect(toGatewayPath(payCancel)).toBe('/api/alipay/intl/acquiring/common/payCancel.htm');
    expect(toGatewayPath(refund)).toBe('/api/alipay/intl/acquiring/common/refund.htm');
  });

  it('answers a signed response envelope that echoes the head', async () => {
    const acquirementId = await paid('G-head');
    const res = await call(payQuery, { acquirementId }, { reqMsgId: 'echo-me-123' });
    expect(res.status).toBe(200);
    expect(res.raw.startsWith('{"response":{"head":')).toBe(true);
    expect(res.response.head).toMatchObject({
      version: '2.0.0',
      function: payQuery,
      clientId: 'TPSANDBOXCLIENT01',
      reqMsgId: 'echo-me-123',
      reserve: '{}',
    });
    expect(res.response.head.respTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    const inject = await suite.sb.app.inject({
      method: 'POST',
      url: toGatewayPath(payQuery),
      headers: { 'content-type': 'application/json' },
      payload: gatewayRequest(suite.sb.merchantSigner, payQuery, { acquirementId }),
    });
    expect(inject.headers['content-type']).toBe('application/json; charset=UTF-8');
  });

  it('refuses a bad signature with a signed F / INVALID_SIGNATURE and no effect', async () => {
    const acquirementId = await paid('G-badsig');
    const raw = tamperSignedContent(
      'request',
      gatewayRequest(suite.sb.merchantSigner, refund, {
        acquirementId,
        merchantRefundId: 'R-bad',
        refundAmount: { currency: 'HKD', value: '100' },
      }),
    );
    const res = await suite.sb.app.inject({
      method: 'POST',
      url: toGatewayPath(refund),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: raw,
    });
    expect(res.statusCode).toBe(200);
    const response = verifyIndependently('response', res.body, keys.gatewayPublicPem);
    expect(response.body.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'INVALID_SIGNATURE' });
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(0);
  });

  it('checks clientId, merchantId, function and version', async () => {
    const acquirementId = await paid('G-ids');
    expect((await call(payQuery, { acquirementId }, { clientId: 'OTHER' })).response.body.resultInfo.resultCode).toBe('INVALID_CLIENT_ID');
    expect((await call(payQuery, { acquirementId, merchantId: '2160400000000002' })).response.body.resultInfo.resultCode).toBe(
      'MERCHANT_NOT_MATCH',
    );
    const wrongFn = await suite.sb.app.inject({
      method: 'POST',
      url: toGatewayPath(payQuery),
      headers: { 'content-type': 'application/json' },
      payload: gatewayRequest(suite.sb.merchantSigner, refund, { acquirementId }),
    });
    expect(verifyIndependently('response', wrongFn.body, keys.gatewayPublicPem).body.resultInfo.resultCode).toBe('FUNCTION_NOT_MATCH');
    expect((await call(payQuery, { acquirementId }, { version: '1.0' })).response.body.resultInfo.resultCode).toBe('PARAM_ILLEGAL');
    expect((await call(payQuery, {})).response.body.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'PARAM_ILLEGAL' });
  });

  it('answers 4xx, not a crash, to malformed bodies and content types', async () => {
    const cases = [
      { payload: 'not json', type: 'application/json' },
      { payload: '', type: 'application/json' },
      { payload: '{"request":{"head":', type: 'application/json' },
      { payload: '[1,2]', type: 'application/json' },
      { payload: gatewayRequest(suite.sb.merchantSigner, payQuery, { merchantTransId: 'x' }), type: 'text/plain' },
    ];
    for (const { payload, type } of cases) {
      const res = await suite.sb.app.inject({ method: 'POST', url: toGatewayPath(payQuery), headers: { 'content-type': type }, payload });
      expect(res.statusCode, payload).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, payload).toBeLessThan(500);
    }
  });

  it('counts calls per function', async () => {
    await call(payQuery, { merchantTransId: 'nope' });
    await call(payQuery, { merchantTransId: 'nope' });
    await call(payCancel, { merchantTransId: 'nope' });
    expect(suite.sb.ledger.snapshot().calls).toMatchObject({ [payQuery]: 2, [payCancel]: 1 });
  });
});

describe('payQuery', () => {
  it('reports SUCCESS with amount and paymentTime, by acquirementId or merchantTransId', async () => {
    const acquirementId = await paid('Q-paid', '4200');
    for (const ref of [{ acquirementId }, { merchantTransId: 'Q-paid' }]) {
      const { body } = (await call(payQuery, ref)).response;
      expect(body.resultInfo).toEqual({ resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' });
      expect(body).toMatchObject({
        acquirementId,
        merchantTransId: 'Q-paid',
        acquirementStatus: 'SUCCESS',
        orderAmount: { currency: 'HKD', value: '4200' },
      });
      expect(body.paymentTime).toMatch(/\+08:00$/);
    }
  });

  it('reports an unknown transaction as F / ORDER_NOT_EXIST', async () => {
    const { body } = (await call(payQuery, { merchantTransId: 'Q-none' })).response;
    expect(body.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'ORDER_NOT_EXIST' });
    expect(body.acquirementStatus).toBeUndefined();
  });

  it('reports processing and cancelled-by-buyer as WAIT_BUYER_PAY, failed as CLOSED', async () => {
    suite.sb.control.update({ processingDelayMs: 3_600_000 });
    await paid('Q-proc', '1000', 'processing');
    await paid('Q-left', '1000', 'cancel');
    await paid('Q-fail', '1000', 'fail');
    const status = async (merchantTransId: string) => (await call(payQuery, { merchantTransId })).response.body;
    expect(await status('Q-proc')).toMatchObject({ acquirementStatus: 'WAIT_BUYER_PAY' });
    expect((await status('Q-proc')).paymentTime).toBeUndefined();
    expect(await status('Q-left')).toMatchObject({ acquirementStatus: 'WAIT_BUYER_PAY' });
    expect(await status('Q-fail')).toMatchObject({ acquirementStatus: 'CLOSED' });
  });

  it('finds an unknown-outcome (6004) payment that was never notified', async () => {
    await paid('Q-6004', '1000', 'unknown');
    expect((await call(payQuery, { merchantTransId: 'Q-6004' })).response.body.acquirementStatus).toBe('SUCCESS');
  });
});

describe('payCancel', () => {
  it('closes an unpaid transaction and refuses paying it afterwards', async () => {
    await paid('C-unpaid', '1000', 'cancel');
    const { body } = (await call(payCancel, { merchantTransId: 'C-unpaid' })).response;
    expect(body.resultInfo.resultCode).toBe('SUCCESS');
    expect((await call(payQuery, { merchantTransId: 'C-unpaid' })).response.body.acquirementStatus).toBe('CLOSED');
    const res = await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'C-unpaid' }));
    expect(res.json.resultCode).toBe('4000');
  });

  it('refunds a paid transaction fully and closes it', async () => {
    const acquirementId = await paid('C-paid', '3000');
    expect((await call(payCancel, { acquirementId })).response.body).toMatchObject({
      resultInfo: { resultCode: 'SUCCESS' },
      acquirementId,
      merchantTransId: 'C-paid',
    });
    expect(suite.sb.ledger.snapshot().refunds).toMatchObject([
      { acquirementId, refundAmount: { currency: 'HKD', value: '3000' }, source: 'payCancel', merchantRefundId: null },
    ]);
    expect((await call(payQuery, { acquirementId })).response.body.acquirementStatus).toBe('CLOSED');
    // Cancelling again changes nothing.
    expect((await call(payCancel, { acquirementId })).response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(1);
  });

  it('stops a processing payment from settling', async () => {
    suite.sb.control.update({ processingDelayMs: 30_000 }); // 30 ms
    await paid('C-proc', '1000', 'processing');
    await call(payCancel, { merchantTransId: 'C-proc' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(suite.sb.ledger.findPayment({ merchantTransId: 'C-proc' })?.status).toBe('CLOSED');
  });

  it('answers SUCCESS for a transaction never created, and refuses a later tradePay with it', async () => {
    expect((await call(payCancel, { merchantTransId: 'C-never' })).response.body.resultInfo.resultCode).toBe('SUCCESS');
    expect(suite.sb.ledger.findPayment({ merchantTransId: 'C-never' })).toMatchObject({
      status: 'CLOSED',
      closeReason: 'NEVER_CREATED',
      orderAmount: null,
    });
    const res = await tradePay(suite.sb.app, cashierOrderStr(suite.sb.merchantSigner, { merchantTransId: 'C-never' }));
    expect(res.json.resultCode).toBe('4000');
    expect(suite.sb.ledger.findPayment({ merchantTransId: 'C-never' })?.status).toBe('CLOSED');
  });

  it('refuses after the Beijing day of the payment (plus 15 minutes) with CANCEL_WINDOW_EXCEED', async () => {
    const acquirementId = await paid('C-late');
    suite.sb.control.update({ clockOffsetMs: 86_400_000 + 16 * 60_000 });
    const { body } = (await call(payCancel, { acquirementId })).response;
    expect(body.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'CANCEL_WINDOW_EXCEED' });
    expect(suite.sb.ledger.findPayment({ acquirementId })?.status).toBe('PAID');
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(0);
  });
});

describe('refund', () => {
  const amount = (value: string) => ({ currency: 'HKD', value });

  it('allows partial refunds while the sum ≤ paid, and refuses the excess', async () => {
    const acquirementId = await paid('R-partial', '1000');
    const first = (await call(refund, { acquirementId, merchantRefundId: 'R1', refundAmount: amount('300'), refundReason: 'size' }))
      .response.body;
    expect(first).toMatchObject({ resultInfo: { resultCode: 'SUCCESS' }, merchantRefundId: 'R1', refundAmount: amount('300') });
    expect(first.refundId).toMatch(/^\d{28}$/);
    expect(first.refundTime).toMatch(/\+08:00$/);
    expect(
      (await call(refund, { acquirementId, merchantRefundId: 'R2', refundAmount: amount('700') })).response.body.resultInfo.resultCode,
    ).toBe('SUCCESS');
    const over = (await call(refund, { acquirementId, merchantRefundId: 'R3', refundAmount: amount('1') })).response.body;
    expect(over.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'REFUND_AMOUNT_EXCEED' });
    expect(suite.sb.ledger.snapshot().refunds.map((r) => r.refundAmount.value)).toEqual(['300', '700']);
    expect(suite.sb.ledger.findPayment({ acquirementId })?.refundedMinor).toBe(1000);
  });

  it('refuses a single refund above the paid amount', async () => {
    const acquirementId = await paid('R-over', '500');
    const { body } = (await call(refund, { acquirementId, merchantRefundId: 'R-over-1', refundAmount: amount('501') })).response;
    expect(body.resultInfo.resultCode).toBe('REFUND_AMOUNT_EXCEED');
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(0);
  });

  it('is idempotent per merchantRefundId: same id → same refund, no second effect', async () => {
    const acquirementId = await paid('R-idem', '1000');
    const request = { acquirementId, merchantRefundId: 'R-same', refundAmount: amount('400') };
    const a = (await call(refund, request)).response.body;
    const b = (await call(refund, request)).response.body;
    expect(b.resultInfo.resultCode).toBe('SUCCESS');
    expect(b.refundId).toBe(a.refundId);
    expect(b.refundTime).toBe(a.refundTime);
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(1);
    expect(suite.sb.ledger.findPayment({ acquirementId })?.refundedMinor).toBe(400);
    const changed = (await call(refund, { ...request, refundAmount: amount('500') })).response.body;
    expect(changed.resultInfo).toMatchObject({ resultStatus: 'F', resultCode: 'REPEAT_REQ_INCONSISTENT' });
  });

  it('refuses unpaid, unknown and mismatched refunds', async () => {
    const unpaid = await paid('R-unpaid', '1000', 'cancel');
    expect(
      (await call(refund, { acquirementId: unpaid, merchantRefundId: 'R-u', refundAmount: amount('1') })).response.body.resultInfo
        .resultCode,
    ).toBe('ORDER_STATUS_INVALID');
    expect(
      (await call(refund, { acquirementId: '2026000000', merchantRefundId: 'R-n', refundAmount: amount('1') })).response.body.resultInfo
        .resultCode,
    ).toBe('ORDER_NOT_EXIST');
    const acquirementId = await paid('R-cur', '1000');
    expect(
      (await call(refund, { acquirementId, merchantRefundId: 'R-c', refundAmount: { currency: 'CNY', value: '1' } })).response.body
        .resultInfo.resultCode,
    ).toBe('CURRENCY_NOT_MATCH');
    expect(
      (await call(refund, { acquirementId, merchantRefundId: 'R-z', refundAmount: amount('0') })).response.body.resultInfo.resultCode,
    ).toBe('PARAM_ILLEGAL');
    expect(
      (await call(refund, { acquirementId, merchantRefundId: 'R-d', refundAmount: amount('1.50') })).response.body.resultInfo.resultCode,
    ).toBe('PARAM_ILLEGAL');
    expect(suite.sb.ledger.snapshot().refunds).toHaveLength(0);
  });
});

describe('control, ledger and reset endpoints', () => {
  it('updates control partially and returns all of it', async () => {
    const res = await suite.sb.app.inject({
      method: 'POST',
      url: '/sandbox/control',
      payload: { duplicates: 2, failNext: { count: 1, mode: '5xx' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      duplicates: 2,
      dropRate: 1,
      retryScale: 0.001,
      failNext: { count: 1, mode: '5xx' },
      processingDelayMs: 1000,
      lateNotifyDelayMs: 5000,
    });
  });

  it('refuses unknown fields and bad values with 400', async () => {
    for (const payload of [
      { nope: 1 },
      { dropRate: 2 },
      { duplicates: 1.5 },
      { failNext: { count: 1, mode: 'explode' } },
      { failNext: { mode: 'U' } },
      { retryScale: '1' },
      [],
      { failNext: { count: 1, extra: true } },
    ]) {
      const res = await suite.sb.app.inject({ method: 'POST', url: '/sandbox/control', payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(suite.sb.control.current.duplicates).toBe(0);
  });

  it('serves the ledger and resets it', async () => {
    await paid('L-1');
    const ledger = (await suite.sb.app.inject({ method: 'GET', url: '/sandbox/ledger' })).json();
    expect(ledger.payments).toHaveLength(1);
    expect(Object.keys(ledger)).toEqual(
      expect.arrayContaining(['payments', 'refunds', 'notifications', 'calls', 'agreements', 'authCodes']),
    );
    const reset = await suite.sb.app.inject({ method: 'POST', url: '/sandbox/reset' });
    expect(reset.statusCode).toBe(200);
    // AlipayHK's sections (other channels add theirs beside them).
    expect((await suite.sb.app.inject({ method: 'GET', url: '/sandbox/ledger' })).json()).toMatchObject({
      payments: [],
      refunds: [],
      notifications: [],
      calls: {},
      agreements: [],
      authCodes: { issued: 0, redeemed: 0, expired: 0, invalid: 0 },
    });
    expect(suite.sb.control.current.dropRate).toBe(0);
  });
});

describe('RSA (SHA1withRSA) configuration', () => {
  it('verifies SHA1 requests, signs SHA1 replies, and refuses SHA256 ones', async () => {
    const rsa = await buildSandbox({ dataDir: 'unused', keys, signAlgorithm: 'RSA' });
    try {
      expect(rsa.merchantSigner.algorithm).toBe('RSA');
      const ok = await callGateway(rsa.app, keys.gatewayPublicPem, rsa.merchantSigner, payQuery, { merchantTransId: 'none' });
      expect(ok.response.body.resultInfo.resultCode).toBe('ORDER_NOT_EXIST');
      const sha256 = parseRsaKey(keys.merchantPrivatePem, 'RSA2', 'private');
      const res = await rsa.app.inject({
        method: 'POST',
        url: toGatewayPath(payQuery),
        headers: { 'content-type': 'application/json' },
        payload: gatewayRequest(sha256, payQuery, { merchantTransId: 'none' }),
      });
      expect(verifyIndependently('response', res.body, keys.gatewayPublicPem, 'RSA').body.resultInfo.resultCode).toBe('INVALID_SIGNATURE');
    } finally {
      await rsa.close();
    }
  });
});
