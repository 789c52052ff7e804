/** The result page (`?id=ord_…`): the order's outcome as the BFF reports it, and what to do next. */
import type { OrderView } from '@tradepay/shared';
import { toApiError } from '../../api/errors';
import { ROUTES } from '../../config';
import type { Messages } from '../../i18n';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { localOffsetMinutes } from '../format';
import { navigate } from '../navigation';
import { createControllerSlot, ignore, type PageInstance } from '../page-kit';
import { toResultView, type ResultData, type ResultModel } from './view';

export interface ResultController {
  load(query: unknown): Promise<void>;
  /** Reads the order as the BFF has it. */
  refresh(): Promise<void>;
  /** "Check again": asks the BFF to confirm (it queries the gateway), not only to read. */
  checkAgain(): Promise<void>;
  continueShopping(): Promise<void>;
  openOrders(): Promise<void>;
}

function orderIdFrom(query: unknown): string | null {
  const id = typeof query === 'object' && query !== null ? (query as Record<string, unknown>).id : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
}

export function createResultPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<ResultController>();
  return {
    data: toResultView({ t: loadMessages(platform).t, status: 'loading' }),
    onLoad(this: PageInstance<ResultData>, query?: unknown) {
      return slot.attach(this, createResultController(this, platform, options)).load(query);
    },
    ...slot.forward(['checkAgain', 'continueShopping', 'openOrders'], { onReload: 'refresh', onTryAgain: 'continueShopping' }),
  };
}

export function createResultController(page: PageInstance<ResultData>, platform: Platform, options: ServiceOptions = {}): ResultController {
  const { api } = createServices(platform, options);
  const t: Messages = loadMessages(platform).t;
  let orderId: string | null = null;
  let model: ResultModel = { t, status: 'loading' };
  let loading = false;

  const show = (next: ResultModel) => {
    model = next;
    page.setData(toResultView(model));
  };

  const controller: ResultController = {
    async load(query) {
      platform.setTitle(t.titles.result).catch(ignore);
      orderId = orderIdFrom(query);
      if (!orderId) return show({ t, status: 'missing' });
      show({ t, status: 'loading' });
      await controller.refresh();
    },

    refresh: () => fetchOrder((id) => api.getOrder(id)),

    // No resultCode here: "fail" (no code) lets the BFF query whenever the order is still open.
    checkAgain: () => fetchOrder((id) => api.confirmOrder(id, 'fail')),

    async continueShopping() {
      await platform.reLaunch(ROUTES.checkout);
    },

    async openOrders() {
      await navigate(platform, ROUTES.orders, 'replace');
    },
  };

  async function fetchOrder(read: (id: string) => Promise<OrderView>): Promise<void> {
    if (!orderId || loading) return;
    loading = true;
    // Keep showing the order while asking again; a blank page is never a state.
    if (model.status === 'ready') show({ ...model, refreshing: true });
    try {
      const order = await read(orderId);
      show({ t, status: 'ready', order, offsetMinutes: localOffsetMinutes(platform.now()), refreshing: false });
    } catch (error) {
      show({ t, status: 'error', error: toApiError(error) });
    } finally {
      loading = false;
    }
  }
  return controller;
}
