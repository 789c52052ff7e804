import { constants, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import NodeRSA from 'node-rsa';
import { describe, expect, it } from 'vitest';
import { generateSandboxKeys } from '../keys';
import { verifyIndependently } from '../testing/fixtures';
import { parseRsaKey } from './rsa-key';
import { SandboxSignatureError, cutSignedContent, signEnvelope, tamperSignedContent, verifyEnvelope } from './signature';

const keys = generateSandboxKeys();
const payload = {
  head: {
    version: '2.0.0',
    function: 'alipay.intl.acquiring.common.payQuery',
    clientId: 'C1',
    reqTime: '2026-01-02T03:04:05+08:00',
    reqMsgId: 'abc',
    reserve: '{}',
  },
  body: { merchantId: 'M1', merchantTransId: 'T-1', note: '港幣 "quoted" \\ slash' },
};

function expectFailure(fn: () => unknown, reason: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxSignatureError);
    expect((error as SandboxSignatureError).reason).toBe(reason);
    return;
  }
  throw new Error('expected a SandboxSignatureError');
}

describe.each(['RSA2', 'RSA'] as const)('envelope signatures with %s', (algorithm) => {
  const signer = parseRsaKey(keys.merchantPrivatePem, algorithm, 'private');
  const verifier = parseRsaKey(keys.merchantPublicPem, algorithm, 'public');

  it('signs exactly JSON.stringify(payload) and verifies it back', () => {
    const text = signEnvelope('request', payload, signer);
    const content = JSON.stringify(payload);
    expect(text.startsWith(`{"request":${content},"signature":"`)).toBe(true);
    expect(cutSignedContent('request', text).signature).toHaveLength(344);
    expect(verifyEnvelope('request', text, verifier)).toEqual(payload);
    // An independent implementation agrees (PKCS#1 v1.5 with the contract's hash, not PSS).
    expect(verifyIndependently('request', text, keys.merchantPublicPem, algorithm)).toEqual(payload);
  });

  it('refuses a one-byte change of the signed text', () => {
    const text = signEnvelope('request', payload, signer);
    const tampered = tamperSignedContent('request', text);
    expect(tampered).toHaveLength(text.length);
    expect([...tampered].filter((char, i) => char !== text[i])).toHaveLength(1);
    expect(() => JSON.parse(tampered)).not.toThrow();
    expectFailure(() => verifyEnvelope('request', tampered, verifier), 'SIGNATURE_MISMATCH');
  });

  it('accepts a URL-encoded signature', () => {
    const text = signEnvelope('response', payload, signer, { urlEncodeSignature: true });
    expect(cutSignedContent('response', text).signature).not.toContain('%');
    expect(text).toMatch(/"signature":"[^"]*%[0-9A-F]{2}/);
    expect(verifyEnvelope('response', text, verifier)).toEqual(payload);
  });

  it('refuses the same signature over re-serialised JSON (other key order or whitespace)', () => {
    const text = signEnvelope('request', payload, signer);
    const { signature } = cutSignedContent('request', text);
    const reordered = `{"request":${JSON.stringify({ body: payload.body, head: payload.head })},"signature":"${signature}"}`;
    expectFailure(() => verifyEnvelope('request', reordered, verifier), 'SIGNATURE_MISMATCH');
    const pretty = `{"request":${JSON.stringify(payload, null, 2)},"signature":"${signature}"}`;
    expectFailure(() => verifyEnvelope('request', pretty, verifier), 'SIGNATURE_MISMATCH');
  });

  it('refuses a signature made with another key', () => {
    const other = parseRsaKey(keys.gatewayPrivatePem, algorithm, 'private');
    expectFailure(() => verifyEnvelope('request', signEnvelope('request', payload, other), verifier), 'SIGNATURE_MISMATCH');
  });
});

describe('envelope parsing', () => {
  const signer = parseRsaKey(keys.merchantPrivatePem, 'RSA2', 'private');
  const verifier = parseRsaKey(keys.merchantPublicPem, 'RSA2', 'public');

  it('does not verify RSA2 signatures as RSA (the algorithm is configuration, not guessed)', () => {
    const sha1 = parseRsaKey(keys.merchantPublicPem, 'RSA', 'public');
    expectFailure(() => verifyEnvelope('request', signEnvelope('request', payload, signer), sha1), 'SIGNATURE_MISMATCH');
  });

  it('does not accept a PSS signature (node-rsa v2 default) where PKCS#1 v1.5 is expected', () => {
    const content = JSON.stringify(payload);
    const pss = cryptoSign('sha256', Buffer.from(content), {
      key: createPrivateKey(keys.merchantPrivatePem),
      padding: constants.RSA_PKCS1_PSS_PADDING,
    }).toString('base64');
    expectFailure(() => verifyEnvelope('request', `{"request":${content},"signature":"${pss}"}`, verifier), 'SIGNATURE_MISMATCH');
  });

  it('cuts at the real signature even when the payload has a nested "signature" key', () => {
    const nested = { head: payload.head, body: { x: { a: 1, signature: 'not me' } } };
    const text = signEnvelope('request', nested, signer);
    expect(verifyEnvelope('request', text, verifier)).toEqual(nested);
  });

  it('tells malformed bodies from bad signatures', () => {
    expectFailure(() => verifyEnvelope('request', 'not json', verifier), 'MALFORMED_ENVELOPE');
    expectFailure(() => verifyEnvelope('request', '{"response":{},"signature":"AAAA"}', verifier), 'MALFORMED_ENVELOPE');
    expectFailure(() => verifyEnvelope('request', '{"signature":"AAAA","request":{}}', verifier), 'MALFORMED_ENVELOPE');
    expectFailure(() => verifyEnvelope('request', `{"request":${JSON.stringify(payload)}}`, verifier), 'MISSING_SIGNATURE');
    expectFailure(() => verifyEnvelope('request', '{"request":{"a":,"signature":"AAAA"}', verifier), 'MALFORMED_ENVELOPE');
    expectFailure(() => verifyEnvelope('request', '{"request":[1],"signature":"AAAA"}', verifier), 'MALFORMED_ENVELOPE');
    expectFailure(() => verifyEnvelope('request', '{"request":{},"signature":"%E0%A4%A"}', verifier), 'BAD_SIGNATURE_ENCODING');
    expectFailure(() => verifyEnvelope('request', '{"request":{},"signature":"not base64!"}', verifier), 'BAD_SIGNATURE_ENCODING');
    expectFailure(() => verifyEnvelope('request', '{"request":{},"signature":""}', verifier), 'MISSING_SIGNATURE');
    expectFailure(() => verifyEnvelope('request', '{"request":{},"signature":"AAAA"}', verifier), 'SIGNATURE_MISMATCH');
  });

  it('reads keys as PKCS#1 PEM, PKCS#8 PEM and bare base64 DER', () => {
    const pkcs8 = new NodeRSA(keys.merchantPrivatePem).exportKey('pkcs8-private-pem');
    const bare = keys.merchantPublicPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const text = signEnvelope('request', payload, parseRsaKey(pkcs8, 'RSA2', 'private'));
    expect(verifyEnvelope('request', text, parseRsaKey(bare, 'RSA2', 'public'))).toEqual(payload);
    expect(() => parseRsaKey(keys.merchantPublicPem, 'RSA2', 'private', 'k')).toThrow(/private key is required/);
    expect(() => parseRsaKey('garbage!', 'RSA2', 'public', 'k')).toThrow(/cannot read/);
  });
});
