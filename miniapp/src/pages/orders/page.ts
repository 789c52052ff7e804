/** The orders page: the ids this device stored, each fetched from the BFF for its current status. */
import { toApiError } from '../../api/errors';
import { ROUTES } from '../../config';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { localOffsetMinutes } from '../format';
import { navigate } from '../navigation';
import { createControllerSlot, datasetValue, ignore, type PageInstance, type TapEvent } from '../page-kit';
import { toOrdersView, type OrderEntry, type OrdersData, type OrdersModel } from './view';

export interface OrdersController {
  init(): Promise<void>;
  refresh(): Promise<void>;
  open(id: string | undefined): Promise<void>;
  continueShopping(): Promise<void>;
}

export function createOrdersPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<OrdersController>();
  return {
    data: toOrdersView({ t: loadMessages(platform).t, status: 'loading', entries: [], offsetMinutes: 0 }),
    onLoad(this: PageInstance<OrdersData>) {
      return slot.attach(this, createOrdersController(this, platform, options)).init();
    },
    onOpenOrder(this: object, event?: TapEvent) {
      return slot.of(this)?.open(datasetValue(event, 'id'));
    },
    // onShow: every time the page shows, since statuses change while the buyer is elsewhere.
    ...slot.forward(['continueShopping'], { onShow: 'refresh', onRetry: 'refresh' }),
  };
}

export function createOrdersController(page: PageInstance<OrdersData>, platform: Platform, options: ServiceOptions = {}): OrdersController {
  const { api, recentOrders } = createServices(platform, options);
  const model: OrdersModel = { t: loadMessages(platform).t, status: 'loading', entries: [], offsetMinutes: 0 };
  let ready: Promise<void> | null = null;
  let generation = 0;

  const render = () => page.setData(toOrdersView(model));

  const controller: OrdersController = {
    init() {
      ready = ready ?? platform.setTitle(model.t.titles.orders).catch(ignore);
      return ready;
    },

    async refresh() {
      await controller.init();
      const mine = (generation += 1);
      model.status = 'loading';
      render();
      const ids = await recentOrders.list();
      const entries = await Promise.all(
        ids.map((id): Promise<OrderEntry> =>
          api.getOrder(id).then(
            (order) => ({ id, order }),
            (error: unknown) => ({ id, error: toApiError(error) }),
          ),
        ),
      );
      if (mine !== generation) return; // a newer refresh (onShow again) owns the page
      model.entries = entries;
      model.offsetMinutes = localOffsetMinutes(platform.now());
      model.status = 'ready';
      render();
    },

    async open(id) {
      // Result and My orders lead to each other: replace, so round trips never grow the stack.
      if (id) await navigate(platform, `${ROUTES.result}?id=${encodeURIComponent(id)}`, 'replace');
    },

    async continueShopping() {
      await platform.reLaunch(ROUTES.checkout);
    },
  };
  return controller;
}
