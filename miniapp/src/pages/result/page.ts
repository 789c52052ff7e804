/** The result page (`?id=ord_…`): the order's outcome as the BFF reports it, and what to do next. */
import { toApiError } from '../../api/errors';
import { ROUTES } from '../../config';
import { messagesFor, type Messages } from '../../i18n';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { localOffsetMinutes } from '../format';
import { createControllerSlot, ignore, type PageInstance } from '../page-kit';
import { toResultView, type ResultData, type ResultModel } from './view';

export interface ResultController {
  load(query: unknown): Promise<void>;
  refresh(): Promise<void>;
  continueShopping(): Promise<void>;
  openOrders(): Promise<void>;
}

function orderIdFrom(query: unknown): string | null {
  const id = typeof query === 'object' && query !== null ? (query as Record<string, unknown>).id : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
}

export function createResultController(page: PageInstance<ResultData>, platform: Platform, options: ServiceOptions = {}): ResultController {
  const { api } = createServices(platform, options);
  let t: Messages = messagesFor('en');
  let orderId: string | null = null;
  let model: ResultModel = { t, status: 'loading' };
  let loading = false;

  const show = (next: ResultModel) => {
    model = next;
    page.setData(toResultView(model));
  };

  const controller: ResultController = {
    async load(query) {
      t = (await loadMessages(platform)).t;
      platform.setTitle(t.titles.result).catch(ignore);
      orderId = orderIdFrom(query);
      if (!orderId) return show({ t, status: 'missing' });
      show({ t, status: 'loading' });
      await controller.refresh();
    },

    async refresh() {
      if (!orderId || loading) return;
      loading = true;
      // Keep showing the order while asking again; a blank page is never a state.
      if (model.status === 'ready') show({ ...model, refreshing: true });
      try {
        const order = await api.getOrder(orderId);
        show({ t, status: 'ready', order, offsetMinutes: localOffsetMinutes(platform.now()), refreshing: false });
      } catch (error) {
        show({ t, status: 'error', error: toApiError(error) });
      } finally {
        loading = false;
      }
    },

    async continueShopping() {
      await platform.reLaunch(ROUTES.checkout).catch(ignore);
    },

    async openOrders() {
      await platform.navigateTo(ROUTES.orders).catch(ignore);
    },
  };
  return controller;
}

type ResultPage = PageInstance<ResultData>;

export function createResultPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<ResultController>();
  return {
    data: toResultView({ t: messagesFor('en'), status: 'loading' }),
    onLoad(this: ResultPage, query?: unknown) {
      return slot.attach(this, createResultController(this, platform, options)).load(query);
    },
    onCheckAgain(this: ResultPage) {
      return slot.of(this)?.refresh();
    },
    onReload(this: ResultPage) {
      return slot.of(this)?.refresh();
    },
    onTryAgain(this: ResultPage) {
      return slot.of(this)?.continueShopping();
    },
    onContinueShopping(this: ResultPage) {
      return slot.of(this)?.continueShopping();
    },
    onOpenOrders(this: ResultPage) {
      return slot.of(this)?.openOrders();
    },
  };
}
