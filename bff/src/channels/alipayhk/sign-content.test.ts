import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutSignedParts, MalformedEnvelopeError, rfc3339PerSecond, toEnvelopeText, toRfc3339 } from './sign-content';

const CONTENT = '{"head":{"version":"2.0.0","function":"alipay.intl.acquiring.common.payQuery"},"body":{"merchantTransId":"T1"}}';

describe('AlipayHK sign content', () => {
  it('splices the signed bytes into the envelope unchanged', () => {
    expect(toEnvelopeText('request', CONTENT, 'c2ln')).toBe(`{"request":${CONTENT},"signature":"c2ln"}`);
  });

  it('cuts exactly the signed substring back out, whitespace included inside', () => {
    const spaced = '{"head": {"a": 1},  "body":{"b":"x, \\"signature\\""}}';
    expect(cutSignedParts(`{"request":${spaced},"signature":"c2ln"}`, 'request')).toEqual({ content: spaced, signature: 'c2ln' });
    expect(cutSignedParts(` { "response" : ${CONTENT} , "signature" : "c2ln" } `, 'response')).toEqual({
      content: CONTENT,
      signature: 'c2ln',
    });
  });

  it('URL-decodes a %-encoded signature (one AlipayHK example does that)', () => {
    expect(cutSignedParts(`{"request":${CONTENT},"signature":"ab%2Bc%2F%3D"}`, 'request').signature).toBe('ab+c/=');
  });

  it('refuses envelopes whose shape could smuggle unsigned content', () => {
    const bad = [
      `{"signature":"c2ln","request":${CONTENT}}`,
      `{"request":${CONTENT}}`,
      `{"response":${CONTENT},"signature":"c2ln"}`,
      `{"request":${CONTENT},"signature":"c2ln","request":{"evil":1}}`,
      `{"request":,"signature":"c2ln"}`,
      '',
    ];
    for (const raw of bad) expect(() => cutSignedParts(raw, 'request'), raw).toThrow(MalformedEnvelopeError);
  });

  it('recovers any content it wrapped (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.base64String({ minLength: 4, maxLength: 400 }), (value, signature) => {
        const content = JSON.stringify({ head: { v: value }, body: value });
        fc.pre(signature.length > 0);
        expect(cutSignedParts(toEnvelopeText('request', content, signature), 'request')).toEqual({ content, signature });
      }),
    );
  });

  it('writes reqTime in RFC 3339 with the offset, as the examples do', () => {
    const at = new Date('2018-12-05T06:00:53Z');
    expect(toRfc3339(at, -8 * 60)).toBe('2018-12-04T22:00:53-08:00');
    expect(toRfc3339(at, 8 * 60)).toBe('2018-12-05T14:00:53+08:00');
    expect(toRfc3339(at, 0)).toBe('2018-12-05T06:00:53+00:00');
  });

  it('writes each reading of the clock as toRfc3339 does, within a second and across seconds', () => {
    const reqTime = rfc3339PerSecond();
    const readings = ['2018-12-05T06:00:53.000Z', '2018-12-05T06:00:53.999Z', '2018-12-05T06:00:54.000Z', '2018-12-05T06:00:53.500Z'];
    for (const text of readings) expect(reqTime(new Date(text)), text).toBe(toRfc3339(new Date(text)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(reqTime(new Date(ms))).toBe(toRfc3339(new Date(ms)));
      }),
    );
  });
});
