/**
 * Wire forms the vendors' documents disagree on (docs/protocols/*.md, "Settled and unsettled"): the sandbox speaks each, one
 * setting per fact, so tests cover every form the BFF must accept. The defaults are the documented
 * (or best-sourced) forms. Set at start-up from the environment, changed at run time through
 * `POST /sandbox/control {"forms":{…}}`; a reset returns to the start-up values.
 */
import { SandboxInputError } from './errors';
import { readObject, rejectUnknownKeys } from './input';

export const WIRE_FORM_CHOICES = {
  /** Latipay query answer `amount`: a JSON number as documented (`120.00`), or a string. */
  latipayAmount: ['number', 'string'],
  /** A repeated Latipay refund: refunded again (no de-duplication is documented), or `562` "has been done". */
  latipayRefundRepeat: ['refund', '562'],
  /** The intents webhook signature header: `Signature` (the twin's merchant code) or `x-signature`. */
  intentsSignatureHeader: ['Signature', 'x-signature'],
  /** The intents webhook's money: `amount`/`currency` or the twin's `order_amount`/`order_currency`. */
  intentsAmount: ['amount', 'order_amount'],
  /** The intents create answer's redirect: `next_action.url` (CBTIS) or `next_action.redirect_url` (AiscPay). */
  intentsRedirect: ['url', 'redirect_url'],
} as const;

export type WireForms = { -readonly [K in keyof typeof WIRE_FORM_CHOICES]: (typeof WIRE_FORM_CHOICES)[K][number] };
type FormName = keyof WireForms;

const NAMES = Object.keys(WIRE_FORM_CHOICES) as FormName[];

/** The environment variable of each form. */
export const WIRE_FORM_ENV: Record<FormName, string> = {
  latipayAmount: 'SANDBOX_LATIPAY_AMOUNT',
  latipayRefundRepeat: 'SANDBOX_LATIPAY_REFUND_REPEAT',
  intentsSignatureHeader: 'SANDBOX_INTENTS_SIGNATURE_HEADER',
  intentsAmount: 'SANDBOX_INTENTS_AMOUNT',
  intentsRedirect: 'SANDBOX_INTENTS_REDIRECT',
};

export function defaultWireForms(): WireForms {
  return Object.fromEntries(NAMES.map((name) => [name, WIRE_FORM_CHOICES[name][0]])) as WireForms;
}

function isChoice<K extends FormName>(name: K, value: unknown): value is WireForms[K] {
  return (WIRE_FORM_CHOICES[name] as readonly unknown[]).includes(value);
}

/** Reads each form's variable; a bad value stops the process with a clear message. */
export function loadWireForms(env: NodeJS.ProcessEnv): WireForms {
  const forms = defaultWireForms();
  for (const name of NAMES) {
    const text = env[WIRE_FORM_ENV[name]];
    if (text === undefined || text === '') continue;
    if (!isChoice(name, text))
      throw new Error(`${WIRE_FORM_ENV[name]} must be one of ${WIRE_FORM_CHOICES[name].join(', ')}, got ${JSON.stringify(text)}`);
    (forms as Record<FormName, string>)[name] = text;
  }
  return forms;
}

/** Validates an untrusted partial update of the forms. */
export function parseWireFormsPatch(input: unknown, path: string): Partial<WireForms> {
  const body = readObject(input, path);
  rejectUnknownKeys(body, NAMES, path);
  const patch: Partial<Record<FormName, string>> = {};
  for (const name of NAMES) {
    if (!Object.hasOwn(body, name)) continue;
    if (!isChoice(name, body[name]))
      throw new SandboxInputError('BAD_REQUEST', `${path}.${name} must be one of ${WIRE_FORM_CHOICES[name].join(', ')}`);
    patch[name] = body[name] as string;
  }
  return patch as Partial<WireForms>;
}
