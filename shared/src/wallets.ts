/**
 * The wallets the H5 (payment intents) channel can open: AlipayHK, or Alipay for mainland buyers
 * (docs/protocols/intents.md, `payment_method.alipayhk.payment_method`). Apart from api.ts so the H5 page's
 * bundle can import it without the schema library.
 */
export const H5_WALLETS = ['ALIPAYHK', 'ALIPAYCN'] as const;
export type H5Wallet = (typeof H5_WALLETS)[number];
