/**
 * The doctor's key checks: each AlipayHK key slot read from where the BFF reads it, judged for damage,
 * kind and size, and the slots judged together (one merchant pair, a gateway key that is none of ours).
 */
import { alipayHkKeyText, type AlipayHkKeyName, type Env } from '../config';
import { parseRsaKey } from '../channels/alipayhk/signing';
import { findWhitespaceDamage, inspectKey, type KeyInspection } from './inspect-key';
import { check, type Check, type CheckStatus } from './report';

export const MIN_RSA_BITS = 2048;

const KEY_SLOTS: { name: AlipayHkKeyName; id: string; label: string; kind: 'private' | 'public'; optional: boolean }[] = [
  {
    name: 'ALIPAYHK_MERCHANT_PRIVATE_KEY',
    id: 'alipayhk.merchant-private-key',
    label: 'merchant private key',
    kind: 'private',
    optional: false,
  },
  { name: 'ALIPAYHK_GATEWAY_PUBLIC_KEY', id: 'alipayhk.gateway-public-key', label: 'AlipayHK public key', kind: 'public', optional: false },
  {
    name: 'ALIPAYHK_MERCHANT_PUBLIC_KEY',
    id: 'alipayhk.merchant-public-key',
    label: 'merchant public key',
    kind: 'public',
    optional: true,
  },
];

/**
 * A key of the other kind in a slot: a public key where the private one belongs cannot sign (fail);
 * a private key where a public one belongs still verifies, but a private key does not belong there (warn).
 */
const WRONG_KIND: Record<'private' | 'public', { status: CheckStatus; belongs: string; fix: string }> = {
  private: {
    status: 'fail',
    belongs: 'the private one',
    fix: "put the merchant's private key here: the one whose public half you gave AlipayHK",
  },
  public: {
    status: 'warn',
    belongs: 'a public one',
    fix: 'put only the public key here: private keys belong in ALIPAYHK_MERCHANT_PRIVATE_KEY',
  },
};

/** True when the slot has a value, or (sandbox mode) its default file exists. */
function isKeyConfigured(env: Env, name: AlipayHkKeyName): boolean {
  if (env[name] || env[`${name}_FILE`]) return true;
  try {
    alipayHkKeyText(env, name);
    return true;
  } catch {
    return false;
  }
}

function checkKeySlot(env: Env, slot: (typeof KEY_SLOTS)[number], checks: Check[]): KeyInspection | null {
  if (slot.optional && !isKeyConfigured(env, slot.name)) return null;
  let text: string;
  try {
    text = alipayHkKeyText(env, slot.name);
  } catch (error) {
    checks.push(
      check(slot.id, 'fail', `${slot.label}: ${(error as Error).message}`, `set ${slot.name} (PEM or base64) or ${slot.name}_FILE`),
    );
    return null;
  }
  const damage = findWhitespaceDamage(text);
  if (damage.length > 0) {
    checks.push(
      check(
        `${slot.id}.whitespace`,
        'warn',
        `${slot.label} has ${damage.join(', ')}`,
        `rewrite ${slot.name}${env[slot.name] ? '' : '_FILE'} with LF line ends and no stray blanks (e.g. \`dos2unix\`, or \`openssl rsa\`/\`openssl pkey\` to reprint it)`,
      ),
    );
  }
  const reading = inspectKey(text);
  if (!reading.ok) {
    checks.push(
      check(
        slot.id,
        'fail',
        `${slot.label} (${slot.name}) does not parse: ${reading.problem}`,
        'paste the whole key: a PEM block (PKCS#1 or PKCS#8) or the bare base64 DER',
      ),
    );
    return null;
  }
  const key = reading.key;
  const described = `${key.format} ${key.kind} key, ${key.bits} bits, ${key.fingerprint}`;
  if (key.kind !== slot.kind) {
    const wrong = WRONG_KIND[slot.kind];
    checks.push(
      check(
        slot.id,
        wrong.status,
        `${slot.label} (${slot.name}) is a ${key.kind} key where ${wrong.belongs} belongs (${described})`,
        wrong.fix,
      ),
    );
    // A public key cannot sign: nothing more to judge about this slot.
    if (slot.kind === 'private') return key;
  } else {
    checks.push(check(slot.id, 'ok', `${slot.label}: ${described}`));
  }
  if (key.bits < MIN_RSA_BITS) {
    checks.push(
      check(
        `${slot.id}.size`,
        'fail',
        `${slot.label} has ${key.bits} bits (at least ${MIN_RSA_BITS} are required)`,
        `generate a new ${MIN_RSA_BITS}-bit pair (openssl genrsa 2048) and exchange public keys with AlipayHK again`,
      ),
    );
  } else {
    // The BFF's own parser must agree, so a key the doctor passes is a key the BFF boots with.
    try {
      parseRsaKey(text, slot.kind);
    } catch (error) {
      checks.push(
        check(
          slot.id,
          'fail',
          `${slot.label}: the BFF cannot read it: ${(error as Error).message}`,
          'reprint it as PKCS#8 PEM (openssl pkey)',
        ),
      );
    }
  }
  return key;
}

export function checkKeys(env: Env, checks: Check[]): void {
  const [merchantPrivate, gatewayPublic, merchantPublic] = KEY_SLOTS.map((slot) => checkKeySlot(env, slot, checks));
  if (merchantPrivate && merchantPublic) {
    checks.push(
      merchantPrivate.fingerprint === merchantPublic.fingerprint
        ? check('alipayhk.key-pair', 'ok', `merchant private and public keys are one pair (${merchantPrivate.fingerprint})`)
        : check(
            'alipayhk.key-pair',
            'fail',
            `merchant private key (${merchantPrivate.fingerprint}) and ALIPAYHK_MERCHANT_PUBLIC_KEY (${merchantPublic.fingerprint}) are not one pair`,
            'configure the public half of the merchant private key, and give AlipayHK that one',
          ),
    );
  }
  if (!gatewayPublic) return;
  if (merchantPrivate && gatewayPublic.fingerprint === merchantPrivate.fingerprint) {
    checks.push(
      check(
        'alipayhk.gateway-key-distinct',
        'fail',
        `keys swapped: ALIPAYHK_GATEWAY_PUBLIC_KEY is the merchant's own public key (${gatewayPublic.fingerprint})`,
        'put the public key AlipayHK returned to you in ALIPAYHK_GATEWAY_PUBLIC_KEY; your own public key is the one you gave AlipayHK',
      ),
    );
  } else if (merchantPublic && gatewayPublic.fingerprint === merchantPublic.fingerprint) {
    checks.push(
      check(
        'alipayhk.gateway-key-distinct',
        'fail',
        `ALIPAYHK_GATEWAY_PUBLIC_KEY is the same key as ALIPAYHK_MERCHANT_PUBLIC_KEY (${gatewayPublic.fingerprint})`,
        "ALIPAYHK_GATEWAY_PUBLIC_KEY must be AlipayHK's public key, not one of yours",
      ),
    );
  } else if (merchantPrivate) {
    checks.push(
      check('alipayhk.gateway-key-distinct', 'ok', `AlipayHK public key (${gatewayPublic.fingerprint}) is none of the merchant's keys`),
    );
  }
}
