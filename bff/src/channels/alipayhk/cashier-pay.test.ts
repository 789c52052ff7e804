/**
 * The orderStr byte for byte: the text cashier.wap.pay signs (docs/protocols/alipayhk.md#what-is-signed),
 * with and without a returnUrl, and the envelope around it in either signature encoding.
 */
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/support/fixtures';
import { TEST_ORDER } from '../testing';
import { createAlipayHkChannel, type AlipayHkChannelConfig } from '.';
import { ALIPAYHK_PATHS } from './functions';
import { cutSignedParts, toRfc3339 } from './sign-content';
import { createRsaVerifier, parseRsaKey, type SignatureEncoding } from './signing';

const merchantPrivate = parseRsaKey(fixture('test-merchant-private.pem'), 'private');
const merchantPublic = parseRsaKey(fixture('test-merchant-public.pem'), 'public');
const NOW = new Date('2026-03-01T10:00:07.250Z');

function channel(extra: Partial<AlipayHkChannelConfig> = {}) {
  return createAlipayHkChannel(
    {
      gatewayUrl: 'https://alipayhk.test',
      clientId: '2160000000000001',
      merchantId: '216620000000000001',
      signAlgorithm: 'RSA2',
      signatureEncoding: 'base64',
      paths: ALIPAYHK_PATHS,
      merchantPrivateKey: merchantPrivate,
      gatewayPublicKey: merchantPublic,
      notifyUrl: 'https://shop.test/notify/alipayhk',
      sellerName: 'Tea shop',
      mcc: '5812',
      timeoutMs: 200,
      ...extra,
    },
    { now: () => NOW },
  );
}

/** The signed text, with the request's own (random) reqMsgId. */
function expectedContent(reqMsgId: string, returnUrl?: string): string {
  return (
    `{"head":{"version":"2.0.0","function":"alipay.intl.acquiring.cashier.wap.pay","clientId":"2160000000000001",` +
    `"reqTime":"${toRfc3339(NOW)}","reqMsgId":"${reqMsgId}","reserve":"{}"},` +
    `"body":{"merchantId":"216620000000000001","productCode":"AGREEMENT_OR_CASHIER_PAY","merchantTransId":"TP20260301ABCDEFGHJKMNPQRSTVWX",` +
    `"order":{"orderAmount":{"currency":"HKD","value":"12050"},"orderTitle":"Oolong tea, 100 g and 1 more","orderDetail":"1 x TEA",` +
    `"seller":{"sellerId":"216620000000000001","sellerName":"Tea shop","mcc":"5812"}},"notifyUrl":"https://shop.test/notify/alipayhk",` +
    (returnUrl ? `"returnUrl":"${returnUrl}",` : '') +
    `"extendInfo":"{\\"productScene\\":\\"Prepay\\"}"}}`
  );
}

async function orderStr(extra: Partial<AlipayHkChannelConfig> = {}): Promise<string> {
  const action = await channel(extra).createPayment(TEST_ORDER, { clientIp: '127.0.0.1' });
  if (action.type !== 'tradePay') throw new Error(`expected tradePay, got ${action.type}`);
  return action.orderStr;
}

describe('AlipayHK orderStr', () => {
  it('signs exactly these bytes, without a returnUrl', async () => {
    const text = await orderStr();
    const { content, signature } = cutSignedParts(text, 'request');
    const { reqMsgId } = (JSON.parse(content) as { head: { reqMsgId: string } }).head;
    expect(reqMsgId).toMatch(/^[0-9a-f]{32}$/);
    expect(content).toBe(expectedContent(reqMsgId));
    expect(text).toBe(`{"request":${content},"signature":"${signature}"}`);
    expect(() => createRsaVerifier(merchantPublic, 'RSA2').verify(content, signature)).not.toThrow();
  });

  it('puts a configured returnUrl after notifyUrl, and writes a url-encoded signature when told', async () => {
    for (const signatureEncoding of ['base64', 'url'] as SignatureEncoding[]) {
      const text = await orderStr({ returnUrl: 'https://shop.test/return', signatureEncoding });
      const { content, signature } = cutSignedParts(text, 'request');
      const { reqMsgId } = (JSON.parse(content) as { head: { reqMsgId: string } }).head;
      expect(content).toBe(expectedContent(reqMsgId, 'https://shop.test/return'));
      const wire = signatureEncoding === 'url' ? encodeURIComponent(signature) : signature;
      expect(text).toBe(`{"request":${content},"signature":"${wire}"}`);
      expect(() => createRsaVerifier(merchantPublic, 'RSA2').verify(content, signature)).not.toThrow();
    }
  });
});
