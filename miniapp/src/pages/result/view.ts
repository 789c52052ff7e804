/** Pure mapper: an order (as the BFF reports it) → what the result page shows and offers next. */
import type { OrderView } from '@tradepay/shared';
import type { ApiError } from '../../api/errors';
import type { Messages } from '../../i18n';
import { amountText, describeApiError, formatDateTime, statusTone } from '../format';
import type { PanelTone } from '../status-panel';

export type ResultModel =
  | { t: Messages; status: 'loading' }
  | { t: Messages; status: 'missing' }
  | { t: Messages; status: 'error'; error: ApiError }
  | { t: Messages; status: 'ready'; order: OrderView; offsetMinutes: number; refreshing: boolean };

/** antd-mini Result's `type` (3.4.3 `es/Result/index.sjs`). */
export type ResultType = 'success' | 'error' | 'info' | 'warning' | 'wait';

export function toResultType(tone: PanelTone): ResultType {
  return tone === 'success'
    ? 'success'
    : tone === 'error'
      ? 'error'
      : tone === 'warning'
        ? 'warning'
        : tone === 'progress'
          ? 'wait'
          : 'info';
}

export interface ResultData {
  loading: boolean;
  tone: PanelTone;
  resultType: ResultType;
  title: string;
  message: string;
  hasOrder: boolean;
  orderId: string;
  statusText: string;
  amountText: string;
  refundedText: string;
  createdText: string;
  paidText: string;
  actions: {
    /** PENDING: ask the BFF again. */
    checkAgain: boolean;
    /** The order could not be loaded: load again. */
    reload: boolean;
    /** FAILED / CANCELLED: back to the checkout for a new order. */
    tryAgain: boolean;
    continueShopping: boolean;
    myOrders: boolean;
  };
  refreshing: boolean;
  texts: {
    order: string;
    amount: string;
    refunded: string;
    created: string;
    paidAt: string;
    checkAgain: string;
    retry: string;
    continueShopping: string;
    myOrders: string;
  };
}

const NO_ACTIONS: ResultData['actions'] = { checkAgain: false, reload: false, tryAgain: false, continueShopping: false, myOrders: false };

function texts(t: Messages): ResultData['texts'] {
  return {
    order: t.order.order,
    amount: t.order.amount,
    refunded: t.order.refunded,
    created: t.order.created,
    paidAt: t.order.paidAt,
    checkAgain: t.actions.checkAgain,
    retry: t.actions.retry,
    continueShopping: t.actions.continueShopping,
    myOrders: t.actions.myOrders,
  };
}

function headline(order: OrderView, t: Messages): { title: string; message: string; actions: ResultData['actions'] } {
  const r = t.result;
  switch (order.status) {
    case 'PENDING':
      return { title: r.pendingTitle, message: r.pending, actions: { ...NO_ACTIONS, checkAgain: true, myOrders: true } };
    case 'SUCCEEDED':
      return { title: r.succeededTitle, message: r.succeeded, actions: { ...NO_ACTIONS, continueShopping: true, myOrders: true } };
    case 'FAILED':
      return { title: r.failedTitle, message: r.failed, actions: { ...NO_ACTIONS, tryAgain: true, myOrders: true } };
    case 'CANCELLED':
      return { title: r.cancelledTitle, message: r.cancelled, actions: { ...NO_ACTIONS, tryAgain: true, myOrders: true } };
    case 'PARTIALLY_REFUNDED':
      return {
        title: r.partiallyRefundedTitle,
        message: r.partiallyRefunded,
        actions: { ...NO_ACTIONS, continueShopping: true, myOrders: true },
      };
    case 'REFUNDED':
      return { title: r.refundedTitle, message: r.refunded, actions: { ...NO_ACTIONS, continueShopping: true, myOrders: true } };
  }
}

export function toResultView(model: ResultModel): ResultData {
  const { t } = model;
  const empty = {
    hasOrder: false,
    orderId: '',
    statusText: '',
    amountText: '',
    refundedText: '',
    createdText: '',
    paidText: '',
    refreshing: false,
    texts: texts(t),
  };
  switch (model.status) {
    case 'loading':
      return { ...empty, loading: true, tone: 'progress', resultType: 'wait', title: t.result.loading, message: '', actions: NO_ACTIONS };
    case 'missing':
      return {
        ...empty,
        loading: false,
        tone: 'error',
        resultType: 'error',
        title: t.result.missingId,
        message: '',
        actions: { ...NO_ACTIONS, continueShopping: true, myOrders: true },
      };
    case 'error':
      return {
        ...empty,
        loading: false,
        tone: 'error',
        resultType: 'error',
        title: t.result.loadError,
        message: describeApiError(model.error, t),
        actions: { ...NO_ACTIONS, reload: true, myOrders: true },
      };
    case 'ready': {
      const { order, offsetMinutes } = model;
      const { title, message, actions } = headline(order, t);
      return {
        loading: false,
        tone: statusTone(order.status),
        resultType: toResultType(statusTone(order.status)),
        title,
        message,
        hasOrder: true,
        orderId: order.id,
        statusText: t.orderStatus[order.status],
        amountText: amountText(order.amount),
        refundedText: order.refundedAmount && order.refundedAmount.value !== '0' ? amountText(order.refundedAmount) : '',
        createdText: formatDateTime(order.createdAt, offsetMinutes),
        paidText: formatDateTime(order.paidAt, offsetMinutes),
        actions,
        refreshing: model.refreshing,
        texts: texts(t),
      };
    }
  }
}
