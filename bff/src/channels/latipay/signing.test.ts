import { describe, expect, it } from 'vitest';
import { requestSignContent, resultSignContent, toOrderStr } from './sign-content';
import { createLatipaySigner, hmacSha256Hex, LatipaySignatureError, signaturesMatch } from './signing';

// docs/protocols/latipay.md#signatures / seed 004: the documented vectors, byte for byte.
const API_KEY = '111222333';
const SEED_REQUEST = {
  user_id: 'U000334333',
  wallet_id: 'W00000001',
  amount: '120.00',
  callback_url: 'https://merchantsite.com/confirm',
  merchant_reference: 'dsi39ej430sks03',
  ip: '122.122.122.1',
  version: '2.0',
  product_name: 'Pinot Noir, Otago',
};
const SEED_MESSAGE =
  'amount=120.00&callback_url=https://merchantsite.com/confirm&ip=122.122.122.1&merchant_reference=dsi39ej430sks03&product_name=Pinot Noir, Otago&user_id=U000334333&version=2.0&wallet_id=W00000001111222333';
const SEED_REQUEST_SIGNATURE = '1f8e75dd34fc5ca7b478772efdb6fa9e1a5c89e8e0412ccde81912fc16e2ed07';
const SEED_CALLBACK = {
  merchant_reference: 'dsi39ej430sks03',
  payment_method: 'alipay',
  status: 'paid',
  currency: 'NZD',
  amount: '120.00',
};
const SEED_CALLBACK_SIGNATURE = '840151e0dc39496e22b410b83058b4ddd633b786936c505ae978fae029a1e0f1';

describe('Latipay request signature (seed 004 vector)', () => {
  it('builds the documented message: sorted k=v, no encoding, api_key appended', () => {
    expect(requestSignContent(SEED_REQUEST, API_KEY)).toBe(SEED_MESSAGE);
  });

  it('reproduces the documented signature', () => {
    expect(createLatipaySigner(API_KEY).signRequest(SEED_REQUEST)).toBe(SEED_REQUEST_SIGNATURE);
    expect(hmacSha256Hex(API_KEY, SEED_MESSAGE)).toBe(SEED_REQUEST_SIGNATURE);
  });

  it('ignores `signature` and null/undefined/empty values, whatever the key order', () => {
    const shuffled = Object.fromEntries(Object.entries(SEED_REQUEST).reverse());
    const noisy = { ...shuffled, signature: 'abc', extra_null: null, extra_undefined: undefined, extra_empty: '' };
    expect(createLatipaySigner(API_KEY).signRequest(noisy)).toBe(SEED_REQUEST_SIGNATURE);
  });

  it('the seed JSON shows payment_method, but its signature was made without it', () => {
    const withMethod = createLatipaySigner(API_KEY).signRequest({ ...SEED_REQUEST, payment_method: 'alipay' });
    expect(withMethod).not.toBe(SEED_REQUEST_SIGNATURE);
  });

  it('a one-character change or another key changes the signature', () => {
    expect(createLatipaySigner(API_KEY).signRequest({ ...SEED_REQUEST, amount: '120.01' })).not.toBe(SEED_REQUEST_SIGNATURE);
    expect(createLatipaySigner('111222334').signRequest(SEED_REQUEST)).not.toBe(SEED_REQUEST_SIGNATURE);
  });
});

describe('Latipay callback / query-answer signature (seed 004 vector)', () => {
  it('concatenates merchant_reference + payment_method + status + currency + amount', () => {
    expect(resultSignContent(SEED_CALLBACK)).toBe('dsi39ej430sks03alipaypaidNZD120.00');
  });

  it('reproduces the documented signature and verifies it', () => {
    const signer = createLatipaySigner(API_KEY);
    expect(signer.signResult(SEED_CALLBACK)).toBe(SEED_CALLBACK_SIGNATURE);
    expect(() => signer.verifyResult(SEED_CALLBACK, SEED_CALLBACK_SIGNATURE)).not.toThrow();
    expect(() => signer.verifyResult(SEED_CALLBACK, SEED_CALLBACK_SIGNATURE.toUpperCase())).not.toThrow();
  });

  it('rejects changed facts, changed or truncated signatures, and non-strings', () => {
    const signer = createLatipaySigner(API_KEY);
    expect(() => signer.verifyResult({ ...SEED_CALLBACK, amount: '12.00' }, SEED_CALLBACK_SIGNATURE)).toThrow(LatipaySignatureError);
    expect(() => signer.verifyResult({ ...SEED_CALLBACK, status: 'failed' }, SEED_CALLBACK_SIGNATURE)).toThrow(LatipaySignatureError);
    const flipped = SEED_CALLBACK_SIGNATURE.slice(0, -1) + (SEED_CALLBACK_SIGNATURE.endsWith('1') ? '2' : '1');
    for (const bad of [flipped, SEED_CALLBACK_SIGNATURE.slice(0, 63), `${SEED_CALLBACK_SIGNATURE}00`, '', undefined, 42, 'z'.repeat(64)]) {
      expect(signaturesMatch(SEED_CALLBACK_SIGNATURE, bad)).toBe(false);
    }
  });

  it('refuses an empty api_key', () => {
    expect(() => createLatipaySigner('')).toThrow(LatipaySignatureError);
  });
});

describe('orderStr from gatewaydata', () => {
  it('joins k=v in the order received, without sorting or encoding', () => {
    const gatewaydata = JSON.parse(
      '{"service":"create_forex_trade_wap","partner":"2088121611339960","_input_charset":"UTF-8","sign_type":"MD5","sign":"e2d8f08e5b468ee40e076f928665f662","notify_url":"https://api-staging.latipay.net/notify/alipay","subject":"ticket","total_fee":"0.01","app_pay":"Y"}',
    );
    expect(toOrderStr(gatewaydata)).toBe(
      'service=create_forex_trade_wap&partner=2088121611339960&_input_charset=UTF-8&sign_type=MD5&sign=e2d8f08e5b468ee40e076f928665f662&notify_url=https://api-staging.latipay.net/notify/alipay&subject=ticket&total_fee=0.01&app_pay=Y',
    );
  });
});
