/**
 * The checkout page (`/h5/`): catalog → cart with quantities → wallet → Pay. Pay makes (or reuses)
 * a guest session, creates the order with channel "h5" and the wallet, then sends the browser to the
 * aggregator's cashier. Nothing about the payment's outcome is decided here.
 */
import { formatMoney, H5_WALLETS, parseAmount, type H5Wallet, type Product, type UiState } from '@tradepay/shared';
import { ApiError, createOrder, ensureSession, getCatalog, newIdempotencyKey } from './api';
import { byId, el } from './dom';
import { stateKey, type Translate } from './i18n';
import { cartItems, cartTotal, MAX_QUANTITY, setQuantity, type Cart } from './state';

export function startCheckout(t: Translate): void {
  const list = byId<HTMLUListElement>('products');
  const catalogStatus = byId('catalog-status');
  const cartLines = byId<HTMLUListElement>('cart-lines');
  const cartEmpty = byId('cart-empty');
  const total = byId<HTMLOutputElement>('cart-total');
  const form = byId<HTMLFormElement>('pay-form');
  const payButton = byId<HTMLButtonElement>('pay');
  const status = byId('checkout-status');

  let products: Product[] = [];
  let cart: Cart = new Map();
  let state: UiState = 'idle';
  // One key per cart and wallet: a retried Pay (after a network error) reuses the same order.
  let idempotency: { key: string; fingerprint: string } | null = null;

  function setState(next: UiState, message?: string): void {
    state = next;
    status.dataset.state = next;
    status.textContent = message ?? t(stateKey(next));
    const busy = next === 'creating' || next === 'paying';
    payButton.disabled = busy || cart.size === 0;
    payButton.setAttribute('aria-busy', String(busy));
  }

  function quantityControls(product: Product): HTMLElement {
    const quantity = cart.get(product.sku) ?? 0;
    const remove = el('button', {
      className: 'qty-btn remove',
      text: '−',
      attrs: { type: 'button', 'aria-label': t('qty.remove', { title: product.title }) },
    });
    const add = el('button', {
      className: 'qty-btn add',
      text: '+',
      attrs: { type: 'button', 'aria-label': t('qty.add', { title: product.title }) },
    });
    const count = el('output', {
      className: 'qty',
      text: String(quantity),
      attrs: { 'aria-label': `${t('qty.label')}: ${product.title}` },
    });
    remove.disabled = quantity === 0;
    add.disabled = quantity >= MAX_QUANTITY;
    remove.addEventListener('click', () => update(product.sku, (cart.get(product.sku) ?? 0) - 1, 'remove'));
    add.addEventListener('click', () => update(product.sku, (cart.get(product.sku) ?? 0) + 1, 'add'));
    return el('div', { className: 'qty-controls' }, [remove, count, add]);
  }

  function render(): void {
    list.replaceChildren(
      ...products.map((product) => {
        const price = parseAmount(product.price);
        return el('li', { className: 'product', attrs: { 'data-sku': product.sku } }, [
          el('div', { className: 'product-info' }, [
            el('span', { className: 'product-title', text: product.title }),
            el('span', { className: 'price', text: formatMoney(price.minor, price.currency) }),
          ]),
          quantityControls(product),
        ]);
      }),
    );
    const lines = products.filter((p) => (cart.get(p.sku) ?? 0) > 0);
    cartLines.replaceChildren(
      ...lines.map((product) => {
        const price = parseAmount(product.price);
        const quantity = cart.get(product.sku) ?? 0;
        return el('li', { className: 'cart-line' }, [
          el('span', { text: `${quantity} × ${product.title}` }),
          el('span', { className: 'price', text: formatMoney(price.minor * quantity, price.currency) }),
        ]);
      }),
    );
    cartEmpty.hidden = lines.length > 0;
    const sum = cartTotal(cart, products);
    total.textContent = sum ? formatMoney(sum.minor, sum.currency) : '—';
    if (state !== 'creating' && state !== 'paying') payButton.disabled = cart.size === 0;
  }

  function update(sku: string, quantity: number, used: 'add' | 'remove'): void {
    cart = setQuantity(cart, sku, quantity);
    if (state === 'failed') setState('idle');
    render();
    // Keep keyboard focus on the control that was used (or its sibling, if it became disabled).
    const row = list.querySelector(`li[data-sku="${CSS.escape(sku)}"]`);
    const same = row?.querySelector<HTMLButtonElement>(`.qty-btn.${used}`);
    const other = row?.querySelector<HTMLButtonElement>(`.qty-btn.${used === 'add' ? 'remove' : 'add'}`);
    (same && !same.disabled ? same : other)?.focus();
  }

  function selectedWallet(): H5Wallet {
    const value = new FormData(form).get('wallet');
    return H5_WALLETS.find((w) => w === value) ?? 'ALIPAYHK';
  }

  async function pay(): Promise<void> {
    const items = cartItems(cart);
    if (items.length === 0 || state === 'creating' || state === 'paying') return;
    const wallet = selectedWallet();
    const fingerprint = JSON.stringify({ items, wallet });
    if (idempotency?.fingerprint !== fingerprint) idempotency = { key: newIdempotencyKey(), fingerprint };
    setState('creating');
    try {
      const token = await ensureSession();
      const created = await createOrder(token, { items, wallet }, idempotency.key);
      if (created.payment.type !== 'redirect') throw new Error('the shop answered with a payment this page cannot open');
      setState('paying');
      window.location.assign(created.payment.url);
    } catch (error) {
      const message = error instanceof ApiError ? t('error.create') : t('error.network');
      setState('failed', message);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void pay();
  });
  // Back from the wallet through the browser's history: the page may come from the bfcache.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && (state === 'creating' || state === 'paying')) setState('idle');
  });

  setState('idle');
  getCatalog().then(
    (catalog) => {
      products = catalog.products;
      catalogStatus.hidden = true;
      render();
    },
    () => {
      catalogStatus.textContent = t('catalog.error');
    },
  );
}
