/**
 * Money lives in integer minor units inside the domain. Decimal strings exist only at a wire
 * boundary (Latipay and the payment-intents aggregator want major units like "120.00").
 */

/** ISO 4217 minor-unit exponents of the currencies the gateways accept. */
export const CURRENCY_EXPONENTS = {
  HKD: 2,
  CNY: 2,
  NZD: 2,
  AUD: 2,
  USD: 2,
  JPY: 0,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** The wire shape of an amount in contract v1 and in AlipayHK: value = minor units as a string. */
export interface Amount {
  currency: Currency;
  value: string;
}

export function isCurrency(code: string): code is Currency {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, code);
}

export function assertMinorUnits(minor: number): number {
  if (!Number.isSafeInteger(minor) || minor < 0) {
    throw new RangeError(`amount must be a non-negative safe integer of minor units, got ${minor}`);
  }
  return minor;
}

export function toAmount(minor: number, currency: Currency): Amount {
  return { currency, value: String(assertMinorUnits(minor)) };
}

/** Parses `{currency, value}` where value is minor units as a decimal integer string. */
export function parseAmount(input: { currency: string; value: string }): { minor: number; currency: Currency } {
  if (!isCurrency(input.currency)) throw new RangeError(`unsupported currency ${input.currency}`);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(input.value)) throw new RangeError(`amount value must be minor units, got ${input.value}`);
  return { minor: assertMinorUnits(Number(input.value)), currency: input.currency };
}

/** 12050 HKD → "120.50"; 500 JPY → "500". */
export function toDecimalString(minor: number, currency: Currency): string {
  assertMinorUnits(minor);
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** "120.5" or "120.50" HKD → 12050. Rejects more fraction digits than the currency has. */
export function fromDecimalString(text: string, currency: Currency): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  const match = /^(0|[1-9][0-9]{0,13})(?:\.([0-9]+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(text)}`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) throw new RangeError(`${currency} has ${exponent} fraction digits, got ${text}`);
  return assertMinorUnits(Number(whole + fraction.padEnd(exponent, '0')));
}

/**
 * Currency symbols as Hong Kong shows them (en-HK / zh-HK `Intl` narrow-free symbols): each one says
 * which dollar or yen it is, so a receipt never confuses HK$ with US$ or CN¥ with JP¥.
 */
export const CURRENCY_SYMBOLS: Record<Currency, string> = {
  HKD: 'HK$',
  CNY: 'CN¥',
  NZD: 'NZ$',
  AUD: 'A$',
  USD: 'US$',
  JPY: 'JP¥',
};

/**
 * For people: 126800 HKD → "HK$1,268.00", 500 JPY → "JP¥500". Thousands grouped with commas; written
 * without `Intl` (absent in some mini program runtimes). The one formatter of the CLI, H5 and mini program.
 */
export function formatMoney(minor: number, currency: Currency): string {
  return withSymbol(toDecimalString(minor, currency), currency);
}

/** "1268.00" → "HK$1,268.00". */
function withSymbol(decimal: string, currency: Currency): string {
  const [whole = '0', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${CURRENCY_SYMBOLS[currency]}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * An amount as a person types it ("10.00", "10.5", "HK$1,268.00") → minor units. A bare integer is
 * refused: "1000" could mean HK$1,000.00 or 1000 cents, so the message shows both written forms.
 * (JPY has no minor unit: "500" is JP¥500.)
 */
export function parseMoneyInput(text: string, currency: Currency): number {
  const symbol = CURRENCY_SYMBOLS[currency];
  let cleaned = text.trim();
  if (cleaned.startsWith(symbol)) cleaned = cleaned.slice(symbol.length);
  // Commas only where they group thousands.
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(cleaned)) cleaned = cleaned.replace(/,/g, '');
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent > 0 && /^(0|[1-9]\d{0,13})$/.test(cleaned)) {
    const major = `${cleaned}.${'0'.repeat(exponent)}`;
    const ofMinor = toDecimalString(Number(cleaned), currency);
    throw new RangeError(
      `${JSON.stringify(text)} has no decimal point: write ${major} for ${withSymbol(major, currency)}, or ${ofMinor} for ${formatMoney(Number(cleaned), currency)}`,
    );
  }
  try {
    return fromDecimalString(cleaned, currency);
  } catch {
    throw new RangeError(`${JSON.stringify(text)} is not an amount of ${currency}: write it like ${toDecimalString(1050, currency)}`);
  }
}
