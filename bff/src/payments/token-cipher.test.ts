import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, TokenCipherError } from './token-cipher';

describe('token cipher (AES-256-GCM)', () => {
  const cipher = createTokenCipher(createSecretKey(randomBytes(32)));
  const token = 'SBATeyJ2ZXJ5LWxvbmctb3BhcXVlLWFjY2Vzcy10b2tlbiJ9';

  it('opens what it sealed, with the same context; each seal is different (fresh IV) and never holds the token', () => {
    const a = cipher.seal(token, 'agr_1:access');
    const b = cipher.seal(token, 'agr_1:access');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toContain(token);
    expect(cipher.open(a, 'agr_1:access')).toBe(token);
    expect(cipher.open(b, 'agr_1:access')).toBe(token);
    expect(cipher.open(cipher.seal('', 'x'), 'x')).toBe('');
  });

  it('refuses another context (another agreement, or the other column)', () => {
    const sealed = cipher.seal(token, 'agr_1:access');
    expect(() => cipher.open(sealed, 'agr_2:access')).toThrow(TokenCipherError);
    expect(() => cipher.open(sealed, 'agr_1:refresh')).toThrow(TokenCipherError);
  });

  it('refuses another key, a changed byte, and anything that is not a v1 seal', () => {
    const sealed = cipher.seal(token, 'ctx');
    expect(() => createTokenCipher(createSecretKey(randomBytes(32))).open(sealed, 'ctx')).toThrow(/wrong AGREEMENT_TOKEN_KEY/);
    const [v, iv, data, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => cipher.open([v, iv, flipped.toString('base64url'), tag].join('.'), 'ctx')).toThrow(TokenCipherError);
    expect(() => cipher.open([v, iv, data, tag.slice(2)].join('.'), 'ctx')).toThrow(TokenCipherError);
    expect(() => cipher.open(token, 'ctx')).toThrow(/not a sealed token/);
    expect(() => cipher.open(`v2.${iv}.${data}.${tag}`, 'ctx')).toThrow(TokenCipherError);
  });

  it('needs a 32-byte key', () => {
    expect(() => createTokenCipher(createSecretKey(randomBytes(16)))).toThrow(/32-byte/);
  });
});
