/**
 * The return page (`/h5/return?order=…`): where the aggregator sends the shopper back. It shows the
 * order's status as the SERVER reports it, polling with backoff; nothing in the URL but the order id
 * is read, so a forged "?status=paid" changes nothing. After the first read it asks the BFF to
 * confirm (the BFF queries the gateway), which is how a cancellation — for which the aggregator sends
 * no webhook — is learned.
 */
import { formatMoney, parseAmount, type OrderView, type UiState } from '@tradepay/shared';
import { ApiError, confirmOrder, currentToken, getOrder } from './api';
import { byId } from './dom';
import { stateKey, type Translate } from './i18n';
import { H5_RETURN_RESULT_CODE, isFinalUiState, pollAction, POLL_DELAYS_MS, uiStateForOrder } from './state';

const ORDER_ID = /^ord_[A-Za-z0-9_-]{16,64}$/;

export function startReturn(t: Translate): void {
  const result = byId('result');
  const text = byId('state-text');
  const summary = byId('summary');
  const orderRef = byId('summary-order');
  const amount = byId('summary-amount');
  const checkAgain = byId<HTMLButtonElement>('check-again');
  const retry = byId<HTMLAnchorElement>('retry');

  function show(state: UiState, message?: string): void {
    result.dataset.state = state;
    text.textContent = message ?? t(stateKey(state));
    retry.hidden = !(state === 'failed' || state === 'cancelled');
  }

  function showOrder(order: OrderView): UiState {
    const money = parseAmount(order.amount);
    orderRef.textContent = order.merchantTransId;
    amount.textContent = formatMoney(money.minor, money.currency);
    summary.hidden = false;
    const state = uiStateForOrder(order.status);
    show(state);
    return state;
  }

  const id = new URLSearchParams(window.location.search).get('order') ?? '';
  const token = currentToken();
  if (!ORDER_ID.test(id)) {
    show('failed', t('return.noOrder'));
    return;
  }
  if (!token) {
    show('confirming', t('return.noSession'));
    return;
  }

  let timer: number | undefined;
  let attempt = 0;

  async function look(): Promise<void> {
    let state: UiState = 'confirming';
    try {
      const { order } =
        pollAction(attempt) === 'read'
          ? await getOrder(token as string, id)
          : await confirmOrder(token as string, id, H5_RETURN_RESULT_CODE);
      state = showOrder(order);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return show('failed', t('return.notFound'));
      if (error instanceof ApiError && error.status === 401) return show('confirming', t('return.noSession'));
      // Network trouble or a 5xx: the outcome is unknown, keep looking.
    }
    if (isFinalUiState(state)) return;
    attempt += 1;
    const delay = POLL_DELAYS_MS[attempt];
    if (delay === undefined) {
      show('confirming', t('state.stillConfirming'));
      checkAgain.hidden = false;
      return;
    }
    timer = window.setTimeout(() => void look(), delay);
  }

  checkAgain.addEventListener('click', () => {
    checkAgain.hidden = true;
    window.clearTimeout(timer);
    attempt = 1;
    show('confirming');
    void look();
  });

  show('confirming');
  void look();
}
