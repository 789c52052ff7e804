import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/support/fixtures';
import { createRsaSigner, createRsaVerifier, parseRsaKey, type SignAlgorithm } from './signing';
import { createThreadedRsaSigner, stopSigningThreads } from './signing-thread';

const merchant = parseRsaKey(fixture('test-merchant-private.pem'), 'private');
const merchantPublic = parseRsaKey(fixture('test-merchant-public.pem'), 'public');
const other = parseRsaKey(
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  'private',
);
const CONTENTS = ['{"head":{},"body":{}}', '{"orderTitle":"港式蛋撻 6 件 and 1 more"}', 'x'.repeat(5000), '"\\u0000\\ud83d\\ude00"'];

afterAll(() => stopSigningThreads());

describe('the signing thread', () => {
  it('signs the bytes createRsaSigner signs, for each algorithm and key, many in one batch', async () => {
    for (const algorithm of ['RSA2', 'RSA'] as SignAlgorithm[]) {
      const threaded = [createThreadedRsaSigner(merchant, algorithm), createThreadedRsaSigner(other, algorithm)];
      const pool = [createRsaSigner(merchant, algorithm), createRsaSigner(other, algorithm)];
      // All asked in one turn: one batch, both keys interleaved.
      const asked = CONTENTS.flatMap((content) => threaded.map((signer) => signer.sign(content)));
      const expected = await Promise.all(CONTENTS.flatMap((content) => pool.map((signer) => signer.sign(content))));
      expect(await Promise.all(asked)).toEqual(expected);
      const first = await threaded[0]!.sign(CONTENTS[1]!);
      expect(() => createRsaVerifier(merchantPublic, algorithm).verify(CONTENTS[1]!, first)).not.toThrow();
    }
  });

  it('refuses a public key, as createRsaSigner does', () => {
    expect(() => createThreadedRsaSigner(merchantPublic, 'RSA2')).toThrow(/private key/);
  });

  it('rejects what waits on a thread that stops, and signs again on a new one', async () => {
    const signer = createThreadedRsaSigner(merchant, 'RSA2');
    await stopSigningThreads();
    const waiting = signer.sign(CONTENTS[0]!);
    // The batch goes out after this turn; the thread is stopped while it is still starting.
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = stopSigningThreads();
    // Asked while the old thread is still going away: it goes to a new thread, and the old one's end does not touch it.
    const next = signer.sign(CONTENTS[0]!);
    await stopped;
    await expect(waiting).rejects.toThrow(/signing thread is gone/);
    expect(await next).toBe(await createRsaSigner(merchant, 'RSA2').sign(CONTENTS[0]!));
  });
});
