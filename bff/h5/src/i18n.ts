/** The pages' texts in English and Traditional Chinese. Keys are used as `data-i18n` attributes. */
import type { UiState } from '@tradepay/shared';
import type { Locale } from './state';

const en = {
  'shop.name': 'TradePay Shop',
  'checkout.title': 'TradePay · Checkout',
  'return.title': 'TradePay · Payment',
  'products.heading': 'Products',
  'catalog.loading': 'Loading products…',
  'catalog.error': 'The products could not be loaded. Reload the page to try again.',
  'cart.heading': 'Your cart',
  'cart.empty': 'Your cart is empty.',
  'cart.total': 'Total',
  'cart.note': 'The shop confirms the price when you pay.',
  'qty.label': 'Quantity',
  'qty.add': 'Add one {title}',
  'qty.remove': 'Remove one {title}',
  'wallet.legend': 'Pay with',
  'wallet.ALIPAYHK': 'AlipayHK',
  'wallet.ALIPAYCN': 'Alipay (mainland China)',
  'pay.button': 'Pay',
  'return.heading': 'Your payment',
  'return.order': 'Order',
  'return.amount': 'Amount',
  'return.back': 'Back to the shop',
  'return.retry': 'Try again',
  'return.check': 'Check again',
  'return.noOrder': 'No order to show. Start again from the shop.',
  'return.noSession': 'This order cannot be shown in this browser session. If you paid, the shop has your payment.',
  'return.notFound': 'We could not find this order.',
  'error.network': 'The shop could not be reached. Check your connection and try again.',
  'error.create': 'The order could not be created. Please try again.',
  'state.idle': '',
  'state.creating': 'Creating your order…',
  'state.paying': 'Opening your wallet…',
  'state.confirming': 'Confirming your payment…',
  'state.succeeded': 'Paid. Thank you!',
  'state.failed': 'The payment did not go through.',
  'state.cancelled': 'Payment cancelled.',
  'state.stillConfirming': 'Still confirming. This page shows the result as soon as the payment provider tells us.',
} as const;

export type MessageKey = keyof typeof en;

const zhHant: Record<MessageKey, string> = {
  'shop.name': 'TradePay 商店',
  'checkout.title': 'TradePay · 結帳',
  'return.title': 'TradePay · 付款',
  'products.heading': '產品',
  'catalog.loading': '正在載入產品…',
  'catalog.error': '未能載入產品，請重新載入頁面。',
  'cart.heading': '購物車',
  'cart.empty': '購物車是空的。',
  'cart.total': '總額',
  'cart.note': '付款時商店會再次確認價格。',
  'qty.label': '數量',
  'qty.add': '加一件{title}',
  'qty.remove': '減一件{title}',
  'wallet.legend': '付款方式',
  'wallet.ALIPAYHK': '支付寶香港 AlipayHK',
  'wallet.ALIPAYCN': '支付寶（中國內地）',
  'pay.button': '付款',
  'return.heading': '你的付款',
  'return.order': '訂單',
  'return.amount': '金額',
  'return.back': '返回商店',
  'return.retry': '再試一次',
  'return.check': '再次查詢',
  'return.noOrder': '沒有可顯示的訂單，請返回商店重新開始。',
  'return.noSession': '無法在此瀏覽器工作階段顯示此訂單。如你已付款，商店已收到款項。',
  'return.notFound': '找不到此訂單。',
  'error.network': '無法連接商店，請檢查網絡後再試。',
  'error.create': '未能建立訂單，請再試一次。',
  'state.idle': '',
  'state.creating': '正在建立訂單…',
  'state.paying': '正在前往錢包…',
  'state.confirming': '正在確認付款…',
  'state.succeeded': '已付款，多謝惠顧！',
  'state.failed': '付款未成功。',
  'state.cancelled': '付款已取消。',
  'state.stillConfirming': '仍在確認中。收到付款結果後，此頁會立即顯示。',
};

const TABLES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-Hant': zhHant };

export type Translate = (key: MessageKey, params?: Record<string, string>) => string;

export function translator(locale: Locale): Translate {
  const table = TABLES[locale];
  return (key, params = {}) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

export function stateKey(state: UiState): MessageKey {
  return `state.${state}`;
}
