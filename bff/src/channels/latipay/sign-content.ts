/**
 * What Latipay signs (docs/protocols/latipay.md#signatures, both rules reproduced by test vectors):
 *
 * - requests: drop `signature` and null/undefined/empty values, sort the keys, join `k=v` with `&`
 *   (no URL encoding), then append the api_key itself;
 * - callbacks and query answers: the plain concatenation
 *   `merchant_reference + payment_method + status + currency + amount`.
 *
 * The texts are built here and nowhere else; `signing.ts` only turns a text into an HMAC.
 */

export type SignableValue = string | number | null | undefined;

/** The pre-sign text of a request: sorted `k=v&…` of the non-empty fields, then the api_key. */
export function requestSignContent(fields: Readonly<Record<string, SignableValue>>, apiKey: string): string {
  return (
    Object.keys(fields)
      .filter((key) => key !== 'signature')
      .filter((key) => {
        const value = fields[key];
        return value !== null && value !== undefined && value !== '';
      })
      // Plain code-unit order, like JavaScript's default sort in Latipay's own example.
      .sort()
      .map((key) => `${key}=${String(fields[key])}`)
      .join('&') + apiKey
  );
}

export interface ResultFacts {
  merchant_reference: string;
  payment_method: string;
  status: string;
  currency: string;
  amount: string;
}

/** The pre-sign text of a callback or a query answer. */
export function resultSignContent(facts: ResultFacts): string {
  return facts.merchant_reference + facts.payment_method + facts.status + facts.currency + facts.amount;
}

/**
 * The orderStr for `my.tradePay`: the `gatewaydata` entries joined `k=v&…` in the order received,
 * neither sorted nor encoded (seed 004). JSON.parse keeps text order for non-numeric keys, which is
 * what gatewaydata carries (Alipay parameter names).
 */
export function toOrderStr(gatewaydata: Readonly<Record<string, unknown>>): string {
  return Object.entries(gatewaydata)
    .map(([key, value]) => `${key}=${value === null || value === undefined ? '' : String(value)}`)
    .join('&');
}
