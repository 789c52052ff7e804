/**
 * What a key text holds, told in the words a merchant meets: PKCS#1 or PKCS#8 PEM, or bare base64
 * DER; private or public; its bits; and the whitespace damage copy-pasting does. Node's crypto reads
 * the key (it reads 1024-bit keys too, which the BFF refuses: the doctor must be able to name them).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { toKeyFingerprint } from '../channels/alipayhk/diagnose';

export type KeyFormat = 'PKCS#1 PEM' | 'PKCS#8 PEM' | 'bare base64 (PKCS#1 DER)' | 'bare base64 (PKCS#8 DER)';

export interface KeyInspection {
  format: KeyFormat;
  kind: 'private' | 'public';
  bits: number;
  /** The public half (of a private key too), for comparing keys. */
  publicKey: KeyObject;
  fingerprint: string;
}

export type KeyReading = { ok: true; key: KeyInspection } | { ok: false; problem: string };

const PEM_LABELS: Record<string, { format: KeyFormat; kind: 'private' | 'public' } | 'encrypted'> = {
  'RSA PRIVATE KEY': { format: 'PKCS#1 PEM', kind: 'private' },
  'PRIVATE KEY': { format: 'PKCS#8 PEM', kind: 'private' },
  'RSA PUBLIC KEY': { format: 'PKCS#1 PEM', kind: 'public' },
  'PUBLIC KEY': { format: 'PKCS#8 PEM', kind: 'public' },
  'ENCRYPTED PRIVATE KEY': 'encrypted',
};

function describe(key: KeyObject, format: KeyFormat, kind: 'private' | 'public'): KeyReading {
  if (key.asymmetricKeyType !== 'rsa')
    return { ok: false, problem: `${format} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key, not RSA` };
  const publicKey = kind === 'private' ? createPublicKey(key) : key;
  return {
    ok: true,
    key: { format, kind, bits: key.asymmetricKeyDetails?.modulusLength ?? 0, publicKey, fingerprint: toKeyFingerprint(publicKey) },
  };
}

export function inspectKey(text: string): KeyReading {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  const pem = /-----BEGIN ([A-Z ]+)-----/.exec(trimmed);
  if (pem) {
    const label = PEM_LABELS[pem[1] ?? ''];
    if (!label) return { ok: false, problem: `PEM labelled "${pem[1]}" is not an RSA key` };
    if (label === 'encrypted')
      return { ok: false, problem: 'the PEM is an encrypted PKCS#8 key: export it without a passphrase (openssl pkcs8 -topk8 -nocrypt)' };
    try {
      const key = label.kind === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed);
      return describe(key, label.format, label.kind);
    } catch (error) {
      return { ok: false, problem: `not a readable ${label.format} ${label.kind} key (${(error as Error).message})` };
    }
  }
  const compact = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return { ok: false, problem: 'neither PEM nor base64' };
  const der = Buffer.from(compact, 'base64');
  const attempts = [
    { kind: 'private', type: 'pkcs8', format: 'bare base64 (PKCS#8 DER)' },
    { kind: 'private', type: 'pkcs1', format: 'bare base64 (PKCS#1 DER)' },
    { kind: 'public', type: 'spki', format: 'bare base64 (PKCS#8 DER)' },
    { kind: 'public', type: 'pkcs1', format: 'bare base64 (PKCS#1 DER)' },
  ] as const;
  for (const attempt of attempts) {
    try {
      const key =
        attempt.kind === 'private'
          ? createPrivateKey({ key: der, format: 'der', type: attempt.type })
          : createPublicKey({ key: der, format: 'der', type: attempt.type });
      return describe(key, attempt.format, attempt.kind);
    } catch {
      // try the next DER layout
    }
  }
  return { ok: false, problem: 'base64 that is neither a PKCS#1 nor a PKCS#8 RSA key' };
}

/** Whitespace a copy-paste leaves: CRLF line ends, trailing blanks, tabs, a BOM, blank lines inside. */
export function findWhitespaceDamage(text: string): string[] {
  const found: string[] = [];
  if (text.includes('\r')) found.push('CRLF line endings');
  if (text.startsWith('\uFEFF')) found.push('a byte-order mark');
  const lines = text.replace(/\r/g, '').replace(/\n+$/, '').split('\n');
  if (lines.some((line) => /[ \t]+$/.test(line) || /^[ \t]+/.test(line))) found.push('spaces or tabs at line ends');
  if (lines.slice(1, -1).some((line) => line.trim() === '')) found.push('blank lines inside the key');
  if (!text.includes('-----BEGIN') && lines.length === 1 && /\s/.test(text.trim())) found.push('spaces inside the base64');
  return found;
}
