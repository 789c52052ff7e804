/**
 * Pure mappers from the auto-debit model to the data its axml renders: the agreement card (bind,
 * status, daily limit, unbind), the products to subscribe to, and the charge's state panel. No
 * runtime, no I/O: every agreement status and every charge outcome is tested here.
 */
import { formatMoney, type AgreementView, type Product } from '@tradepay/shared';
import type { ApiError } from '../../api/errors';
import type { ChargeFailReason, ChargeOutcome } from '../../flow/charge-flow';
import { fill, type Messages } from '../../i18n';
import type { CatalogState } from '../checkout/view';
import { amountText, describeApiError, describeApiErrorCode, productTitle } from '../format';
import { panel, runningPanel, type PanelTone, type StatusPanel } from '../status-panel';

export type AgreementState =
  { status: 'loading' } | { status: 'ready'; agreement: AgreementView | null } | { status: 'error'; error: ApiError };

/** The charge's UI state: the checkout's states that a payment without a wallet screen can be in. */
export type ChargeState = 'idle' | 'creating' | 'confirming' | 'succeeded' | 'failed';

export interface AutodebitModel {
  t: Messages;
  agreement: AgreementState;
  /** A bind or unbind request in flight. */
  busy: 'bind' | 'unbind' | null;
  /** The last bind or unbind failed. */
  actionError: ApiError | null;
  /** How the last `my.signContract` ended when it bound nothing. */
  bindNote: 'cancelled' | 'network' | 'checking' | null;
  catalog: CatalogState;
  selectedSku: string | null;
  state: ChargeState;
  /** How the last charge ended (or stopped polling); null while one runs or before the first. */
  outcome: ChargeOutcome | null;
}

export interface AgreementCard {
  tone: PanelTone;
  title: string;
  message: string;
  /** "Daily limit HK$600.00 · charged today HK$84.00"; empty unless ACTIVE. */
  limitText: string;
}

export interface SubscriptionRow {
  sku: string;
  title: string;
  priceText: string;
  selected: boolean;
  /** Screen readers: what choosing this row does (the row is a `role="radio"` with `aria-checked`). */
  label: string;
}

export interface AutodebitData {
  state: ChargeState;
  texts: {
    intro: string;
    loading: string;
    retry: string;
    subscribeTitle: string;
    choose: string;
    checkAgain: string;
    viewOrder: string;
    newCharge: string;
    myOrders: string;
    continueShopping: string;
  };
  agreementStatus: AgreementState['status'];
  agreementError: string;
  card: AgreementCard;
  bindLabel: string;
  canBind: boolean;
  bindLoading: boolean;
  unbindLabel: string;
  canUnbind: boolean;
  unbindLoading: boolean;
  actionError: string;
  /** Small print: the code behind actionError. */
  actionErrorCode: string;
  /** After `my.signContract` bound nothing: cancelled, unreachable, or being checked. */
  bindNote: string;
  /** Charging is offered only on an ACTIVE agreement. */
  showCharge: boolean;
  products: SubscriptionRow[];
  chargeLabel: string;
  chargeDisabled: boolean;
  chargeLoading: boolean;
  panel: StatusPanel;
}

/** Which of the buyer's agreements the page is about: the active one, else a pending one, else the newest. */
export function currentAgreement(list: readonly AgreementView[]): AgreementView | null {
  return list.find((a) => a.status === 'ACTIVE') ?? list.find((a) => a.status === 'PENDING') ?? list[0] ?? null;
}

/** A charge is running: no second charge, no bind or unbind meanwhile. */
export function isCharging(model: Pick<AutodebitModel, 'state' | 'outcome'>): boolean {
  return model.state === 'creating' || (model.state === 'confirming' && model.outcome?.state !== 'confirming');
}

export function toAgreementCard(agreement: AgreementView | null, t: Messages): AgreementCard {
  const card = (tone: PanelTone, title: string, message: string, limitText = ''): AgreementCard => ({ tone, title, message, limitText });
  if (!agreement) return card('muted', t.autodebit.noneTitle, t.autodebit.none);
  switch (agreement.status) {
    case 'ACTIVE':
      return card(
        'success',
        t.autodebit.activeTitle,
        t.autodebit.active,
        fill(t.autodebit.limit, { limit: amountText(agreement.dailyLimit), used: amountText(agreement.chargedToday) }),
      );
    case 'PENDING':
      return card('warning', t.autodebit.pendingTitle, t.autodebit.pending);
    case 'DECLINED':
      return card('muted', t.autodebit.noneTitle, t.autodebit.declined);
    case 'FAILED':
      return card('error', t.autodebit.noneTitle, fill(t.autodebit.failed, { code: agreement.failureCode ?? '?' }));
    case 'REVOKED':
      return card('muted', t.autodebit.noneTitle, t.autodebit.revoked);
    case 'EXPIRED':
      return card('warning', t.autodebit.noneTitle, t.autodebit.expired);
  }
}

function failureMessage(outcome: Extract<ChargeOutcome, { state: 'failed' }>, t: Messages): string {
  if (outcome.reason === 'request-error') return describeApiError(outcome.error, t);
  const refusals: Record<Exclude<ChargeFailReason, 'request-error'>, string> = {
    declined: t.autodebit.chargeDeclined,
    inactive: t.autodebit.inactive,
    'over-limit': t.autodebit.overLimit,
    'order-failed': t.autodebit.orderFailed,
  };
  return refusals[outcome.reason];
}

/** The panel under the products: what the charge is doing, and what the buyer can do next. */
export function toChargePanel(state: ChargeState, outcome: ChargeOutcome | null, t: Messages): StatusPanel {
  switch (state) {
    case 'succeeded':
      if (outcome?.state !== 'succeeded') return panel('success', t.autodebit.succeededTitle, '');
      return panel(
        'success',
        t.autodebit.succeededTitle,
        fill(t.autodebit.succeeded, { amount: amountText(outcome.order.amount), id: outcome.order.id }),
        { viewOrder: true },
      );
    case 'failed':
      if (outcome?.state !== 'failed') return panel('error', t.autodebit.failedTitle, t.autodebit.orderFailed);
      return panel('error', t.autodebit.failedTitle, failureMessage(outcome, t), { viewOrder: outcome.order !== undefined });
    default:
      return runningPanel(state, outcome, t.autodebit, t);
  }
}

export function toAutodebitView(model: AutodebitModel): AutodebitData {
  const { t } = model;
  const agreement = model.agreement.status === 'ready' ? model.agreement.agreement : null;
  const ready = model.agreement.status === 'ready';
  const active = agreement?.status === 'ACTIVE';
  const charging = isCharging(model);
  const products = model.catalog.status === 'ready' ? model.catalog.products : [];
  const selected: Product | undefined = products.find((p) => p.sku === model.selectedSku);
  return {
    state: model.state,
    texts: {
      intro: t.autodebit.intro,
      loading: t.autodebit.loading,
      retry: t.actions.retry,
      subscribeTitle: t.autodebit.subscribeTitle,
      choose: t.autodebit.choose,
      checkAgain: t.actions.checkAgain,
      viewOrder: t.actions.viewOrder,
      newCharge: t.actions.newOrder,
      myOrders: t.actions.myOrders,
      continueShopping: t.actions.continueShopping,
    },
    agreementStatus: model.agreement.status,
    agreementError: model.agreement.status === 'error' ? `${t.autodebit.loadError} ${describeApiError(model.agreement.error, t)}` : '',
    card: toAgreementCard(agreement, t),
    bindLabel: model.busy === 'bind' ? t.autodebit.working : agreement?.status === 'PENDING' ? t.autodebit.bindAgain : t.autodebit.bind,
    canBind: ready && !active && model.busy === null && !charging,
    bindLoading: model.busy === 'bind',
    unbindLabel: model.busy === 'unbind' ? t.autodebit.working : t.autodebit.unbind,
    canUnbind: active && model.busy === null && !charging,
    unbindLoading: model.busy === 'unbind',
    actionError: model.actionError ? describeApiError(model.actionError, t) : '',
    actionErrorCode: model.actionError ? describeApiErrorCode(model.actionError, t) : '',
    bindNote:
      model.bindNote === 'cancelled'
        ? t.autodebit.bindCancelled
        : model.bindNote === 'network'
          ? t.autodebit.bindNetwork
          : model.bindNote === 'checking'
            ? t.autodebit.bindChecking
            : '',
    showCharge: active,
    products: products.map((p) => {
      const title = productTitle(p, t);
      return {
        sku: p.sku,
        title,
        priceText: formatMoney(Number(p.price.value), p.price.currency),
        selected: p.sku === model.selectedSku,
        label: fill(t.a11y.select, { title }),
      };
    }),
    chargeLabel: selected
      ? fill(t.autodebit.charge, { amount: formatMoney(Number(selected.price.value), selected.price.currency) })
      : t.autodebit.chargeNone,
    // While "still confirming", a second charge waits until the buyer has seen the warning (New charge).
    chargeDisabled: !active || !selected || charging || model.state === 'confirming' || model.busy !== null,
    chargeLoading: charging,
    panel: toChargePanel(model.state, model.outcome, t),
  };
}
