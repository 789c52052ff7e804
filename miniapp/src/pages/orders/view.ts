/** Pure mapper: this device's recent orders, each with the status the BFF reports. */
import type { OrderView } from '@tradepay/shared';
import type { ApiError } from '../../api/errors';
import type { Messages } from '../../i18n';
import type { PanelTone } from '../status-panel';
import { amountText, formatDateTime, statusTone } from '../format';

export type OrderEntry = { id: string; order: OrderView } | { id: string; error: ApiError };

export interface OrdersModel {
  t: Messages;
  status: 'loading' | 'ready';
  entries: OrderEntry[];
  offsetMinutes: number;
}

export interface OrderRow {
  id: string;
  statusText: string;
  tone: PanelTone;
  /** antd-mini Tag's `color` for the status. */
  tagColor: 'primary' | 'success' | 'warning' | 'danger';
  amountText: string;
  createdText: string;
  /** Set when this order could not be loaded; the row still shows its id. */
  error: string;
  /** Screen readers: the row as one button ("Order ord_…, Paid"). */
  label: string;
}

export interface OrdersData {
  loading: boolean;
  empty: boolean;
  rows: OrderRow[];
  /** At least one row failed to load: offer to load the list again. */
  canRetry: boolean;
  texts: { title: string; loading: string; empty: string; retry: string; continueShopping: string };
}

function toTagColor(tone: PanelTone): OrderRow['tagColor'] {
  return tone === 'success' ? 'success' : tone === 'warning' ? 'warning' : tone === 'error' ? 'danger' : 'primary';
}

function toRow(entry: OrderEntry, model: OrdersModel): OrderRow {
  const { t } = model;
  if ('error' in entry) {
    const notFound = entry.error.kind === 'http' && entry.error.status === 404;
    const error = notFound ? t.orders.notFound : t.orders.loadError;
    return {
      id: entry.id,
      statusText: '',
      tone: 'error',
      tagColor: 'danger',
      amountText: '',
      createdText: '',
      error,
      label: `${t.order.order} ${entry.id}, ${error}`,
    };
  }
  const { order } = entry;
  return {
    id: order.id,
    statusText: t.orderStatus[order.status],
    tone: statusTone(order.status),
    tagColor: toTagColor(statusTone(order.status)),
    amountText: amountText(order.amount),
    createdText: formatDateTime(order.createdAt, model.offsetMinutes),
    error: '',
    label: `${t.order.order} ${order.id}, ${t.orderStatus[order.status]}, ${amountText(order.amount)}`,
  };
}

export function toOrdersView(model: OrdersModel): OrdersData {
  const { t } = model;
  const rows = model.status === 'ready' ? model.entries.map((entry) => toRow(entry, model)) : [];
  return {
    loading: model.status === 'loading',
    empty: model.status === 'ready' && rows.length === 0,
    rows,
    canRetry: model.entries.some((entry) => 'error' in entry && !(entry.error.kind === 'http' && entry.error.status === 404)),
    texts: {
      title: t.titles.orders,
      loading: t.orders.loading,
      empty: t.orders.empty,
      retry: t.actions.retry,
      continueShopping: t.actions.continueShopping,
    },
  };
}
