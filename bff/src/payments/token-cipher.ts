/**
 * Wallet tokens at rest: AES-256-GCM with a key from configuration (AGREEMENT_TOKEN_KEY). Each
 * sealed value is `v1.<iv>.<ciphertext>.<tag>` (base64url), with a fresh 96-bit IV and the row and
 * field as associated data, so a sealed token copied to another agreement (or from the refresh to the
 * access column) does not open. A wrong key or a changed byte fails loudly, never returns garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipherError extends Error {
  override readonly name = 'TokenCipherError';
}

export interface TokenCipher {
  /** `context` names what the value belongs to (e.g. `agr_…:access`); the same context opens it. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export function createTokenCipher(key: KeyObject): TokenCipher {
  if (key.type !== 'secret' || key.symmetricKeySize !== 32) throw new TokenCipherError('the token key must be a 32-byte secret key');
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) throw new TokenCipherError('not a sealed token (v1)');
      const [, ivText, dataText, tagText] = parts as [string, string, string, string];
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new TokenCipherError('sealed token has a bad IV or tag');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new TokenCipherError('sealed token does not open with this key and context (wrong AGREEMENT_TOKEN_KEY, or tampered)');
      }
    },
  };
}
