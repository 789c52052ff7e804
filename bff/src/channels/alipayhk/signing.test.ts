import { constants, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/support/fixtures';
import { createRsaSigner, createRsaVerifier, KeyFormatError, parseRsaKey, SignatureVerificationError, signWithNodeRsa } from './signing';

const privatePem = fixture('test-merchant-private.pem');
const publicPem = fixture('test-merchant-public.pem');
// The seed 003 request (head+body) as minified text, and its signatures made by `openssl dgst -sign`.
const content = fixture('seed-003-request.txt');
const known = { RSA2: fixture('seed-003-request.rsa2.sig').trim(), RSA: fixture('seed-003-request.rsa.sig').trim() };

describe('RSA signing (known answers from openssl)', () => {
  const privateKey = parseRsaKey(privatePem, 'private');
  const publicKey = parseRsaKey(publicPem, 'public');

  it.each(['RSA2', 'RSA'] as const)('%s: the async signer reproduces openssl byte for byte', async (algorithm) => {
    const signature = await createRsaSigner(privateKey, algorithm).sign(content);
    expect(signature).toHaveLength(344);
    expect(signature).toBe(known[algorithm]);
  });

  it.each(['RSA2', 'RSA'] as const)('%s: node-rsa with the explicit PKCS#1 scheme gives the same bytes', (algorithm) => {
    expect(signWithNodeRsa(privateKey, algorithm, content)).toBe(known[algorithm]);
  });

  it.each(['RSA2', 'RSA'] as const)('%s: verifies the known signature and rejects a one-byte change', (algorithm) => {
    const verifier = createRsaVerifier(publicKey, algorithm);
    expect(() => verifier.verify(content, known[algorithm])).not.toThrow();
    expect(() => verifier.verify(content.replace('"1000"', '"1001"'), known[algorithm])).toThrow(SignatureVerificationError);
    expect(() => verifier.verify(content, known[algorithm === 'RSA2' ? 'RSA' : 'RSA2'])).toThrow(SignatureVerificationError);
    expect(() => verifier.verify(content, 'not base64!')).toThrow(SignatureVerificationError);
  });

  it.each(['RSA2', 'RSA'] as const)(
    '%s: rejects a signature cut short or a byte longer, and a PSS signature of the same bytes',
    (algorithm) => {
      const verifier = createRsaVerifier(publicKey, algorithm);
      const bytes = Buffer.from(known[algorithm], 'base64');
      expect(() => verifier.verify(content, bytes.subarray(0, 255).toString('base64'))).toThrow(SignatureVerificationError);
      expect(() => verifier.verify(content, Buffer.concat([bytes, Buffer.from([0])]).toString('base64'))).toThrow(
        SignatureVerificationError,
      );
      const pss = sign(algorithm === 'RSA2' ? 'sha256' : 'sha1', Buffer.from(content, 'utf8'), {
        key: privateKey.keyObject,
        padding: constants.RSA_PKCS1_PSS_PADDING,
      });
      expect(() => verifier.verify(content, pss.toString('base64'))).toThrow(SignatureVerificationError);
    },
  );

  it('verifies with the public half when given a private key', () => {
    expect(() => createRsaVerifier(privateKey, 'RSA2').verify(content, known.RSA2)).not.toThrow();
  });

  it('accepts keys as PKCS#1 PEM, PKCS#8 PEM and bare base64 DER', async () => {
    const { privateKey: pk } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forms = [
      pk.export({ type: 'pkcs1', format: 'pem' }) as string,
      pk.export({ type: 'pkcs8', format: 'pem' }) as string,
      (pk.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
      (pk.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64'),
    ];
    const signatures = await Promise.all(forms.map((text) => createRsaSigner(parseRsaKey(text, 'private'), 'RSA2').sign('x')));
    expect(new Set(signatures).size).toBe(1);
    const spki = (createPublicKey(pk).export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
    expect(() => createRsaVerifier(parseRsaKey(spki, 'public'), 'RSA2').verify('x', signatures[0]!)).not.toThrow();
  });

  it('fails clearly on unusable keys', () => {
    expect(() => parseRsaKey('hello world', 'private')).toThrow(KeyFormatError);
    expect(() => parseRsaKey(publicPem, 'private')).toThrow(/expected a private key/);
    const { privateKey: small } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => parseRsaKey(small.export({ type: 'pkcs8', format: 'pem' }) as string, 'private')).toThrow(/at least 2048/);
  });
});
