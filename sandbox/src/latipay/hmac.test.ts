import { describe, expect, it } from 'vitest';
import { latipayRequestMessage, latipaySignaturesEqual, signLatipayRequest, signLatipayResult, verifyLatipayRequest } from './hmac';

// docs/protocols/latipay.md#signatures / seed 004, checked here against the sandbox's own implementation.
const API_KEY = '111222333';
const REQUEST = {
  user_id: 'U000334333',
  wallet_id: 'W00000001',
  amount: '120.00',
  callback_url: 'https://merchantsite.com/confirm',
  merchant_reference: 'dsi39ej430sks03',
  ip: '122.122.122.1',
  version: '2.0',
  product_name: 'Pinot Noir, Otago',
};

describe('sandbox Latipay HMAC (independent of the BFF)', () => {
  it('request vector: message and signature', () => {
    expect(latipayRequestMessage(REQUEST, API_KEY)).toBe(
      'amount=120.00&callback_url=https://merchantsite.com/confirm&ip=122.122.122.1&merchant_reference=dsi39ej430sks03&product_name=Pinot Noir, Otago&user_id=U000334333&version=2.0&wallet_id=W00000001111222333',
    );
    expect(signLatipayRequest(REQUEST, API_KEY)).toBe('1f8e75dd34fc5ca7b478772efdb6fa9e1a5c89e8e0412ccde81912fc16e2ed07');
  });

  it('callback vector', () => {
    expect(
      signLatipayResult(
        { merchant_reference: 'dsi39ej430sks03', payment_method: 'alipay', status: 'paid', currency: 'NZD', amount: '120.00' },
        API_KEY,
      ),
    ).toBe('840151e0dc39496e22b410b83058b4ddd633b786936c505ae978fae029a1e0f1');
  });

  it('verifies a signed request and refuses a changed one', () => {
    const signed = { ...REQUEST, signature: signLatipayRequest(REQUEST, API_KEY) };
    expect(verifyLatipayRequest(signed, API_KEY)).toBe(true);
    expect(verifyLatipayRequest({ ...signed, amount: '1.20' }, API_KEY)).toBe(false);
    expect(verifyLatipayRequest({ ...signed, payment_method: 'alipay' }, API_KEY)).toBe(false);
    expect(verifyLatipayRequest({ ...signed, signature: undefined }, API_KEY)).toBe(false);
    expect(verifyLatipayRequest(signed, 'another-key')).toBe(false);
  });

  it('compares signatures strictly', () => {
    const sig = signLatipayRequest(REQUEST, API_KEY);
    expect(latipaySignaturesEqual(sig, sig.toUpperCase())).toBe(true);
    expect(latipaySignaturesEqual(sig, sig.slice(1))).toBe(false);
    expect(latipaySignaturesEqual(sig, 42)).toBe(false);
    expect(latipaySignaturesEqual(sig, 'g'.repeat(64))).toBe(false);
  });
});
