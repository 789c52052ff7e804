/** The checkout page: catalog, quantities, display total, Pay. `data.state` is the UI state. */
import { ROUTES } from '../../config';
import { toApiError } from '../../api/errors';
import type { CheckoutOutcome, FlowEvent } from '../../flow/checkout-flow';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { navigate } from '../navigation';
import { createControllerSlot, datasetValue, ignore, outcomeOrderId, type PageInstance, type TapEvent } from '../page-kit';
import { MAX_QUANTITY, cartItems, isEditable, parseCheckoutQuery, toCheckoutView, type CheckoutData, type CheckoutModel } from './view';

/** What the page's taps reach: one per page instance, made in `onLoad`. */
export type CheckoutController = ReturnType<typeof createCheckoutController>;

function initialModel(platform: Platform): CheckoutModel {
  return {
    t: loadMessages(platform).t,
    catalog: { status: 'loading' },
    quantities: {},
    state: 'idle',
    outcome: null,
    unavailableSku: null,
  };
}

export function createCheckoutPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<CheckoutController>();
  return {
    // In the app's language from the first paint (the runtime reads `data` before onLoad).
    data: toCheckoutView(initialModel(platform)),
    onLoad(this: PageInstance<CheckoutData>, query?: unknown) {
      return slot.attach(this, createCheckoutController(this, platform, options)).load(query);
    },
    onIncrease(this: object, event?: TapEvent) {
      slot.of(this)?.changeQuantity(datasetValue(event, 'sku'), 1);
    },
    onDecrease(this: object, event?: TapEvent) {
      slot.of(this)?.changeQuantity(datasetValue(event, 'sku'), -1);
    },
    ...slot.forward(['pay', 'checkAgain', 'viewOrder', 'newOrder', 'openOrders', 'openAutodebit'], { onRetryCatalog: 'loadCatalog' }),
  };
}

export function createCheckoutController(page: PageInstance<CheckoutData>, platform: Platform, options: ServiceOptions = {}) {
  const services = createServices(platform, options);
  const flow = services.createFlow();
  const model = initialModel(platform);
  let deepLink: ReturnType<typeof parseCheckoutQuery> = null;

  const render = () => page.setData(toCheckoutView(model));

  function onFlowEvent(event: FlowEvent): void {
    model.state = event.state;
    model.outcome = null;
    if (event.state === 'paying') services.recentOrders.add(event.order.id).catch(ignore);
    render();
  }

  function finish(outcome: CheckoutOutcome): Promise<void> {
    model.state = outcome.state;
    model.outcome = outcome;
    render();
    if (outcome.state === 'succeeded')
      return navigate(platform, `${ROUTES.result}?id=${encodeURIComponent(outcome.order.id)}`).then(ignore);
    return Promise.resolve();
  }

  const controller = {
    async load(query: unknown): Promise<void> {
      const { t } = model;
      platform.setTitle(t.titles.checkout).catch(ignore);
      deepLink = parseCheckoutQuery(query);
      await controller.loadCatalog();
    },

    async loadCatalog() {
      model.catalog = { status: 'loading' };
      render();
      try {
        const { products } = await services.api.catalog();
        model.catalog = { status: 'ready', products };
        if (deepLink) {
          const { sku, quantity } = deepLink;
          if (products.some((p) => p.sku === sku)) model.quantities = { ...model.quantities, [sku]: quantity };
          else model.unavailableSku = sku;
          deepLink = null;
        }
      } catch (error) {
        model.catalog = { status: 'error', error: toApiError(error) };
      }
      render();
    },

    async pay() {
      // The button is disabled meanwhile; a second tap that still arrives is ignored here and in the flow.
      if (!isEditable(model.state) || model.catalog.status !== 'ready') return;
      const items = cartItems(model.catalog.products, model.quantities);
      if (items.length === 0) return;
      const outcome = await flow.pay(items, onFlowEvent);
      if (outcome) await finish(outcome);
    },

    async checkAgain() {
      const last = model.outcome;
      if (model.state !== 'confirming' || last?.state !== 'confirming') return;
      const outcome = await flow.recheck(last.orderId, last.resultCode, onFlowEvent);
      if (outcome) await finish(outcome);
    },

    changeQuantity(sku: string | undefined, delta: number): void {
      if (!sku || !isEditable(model.state) || model.catalog.status !== 'ready') return;
      if (!model.catalog.products.some((p) => p.sku === sku)) return;
      const next = Math.min(Math.max((model.quantities[sku] ?? 0) + delta, 0), MAX_QUANTITY);
      model.quantities = { ...model.quantities, [sku]: next };
      model.unavailableSku = null;
      render();
    },

    async viewOrder() {
      const id = outcomeOrderId(model.outcome);
      if (id) await navigate(platform, `${ROUTES.result}?id=${encodeURIComponent(id)}`);
    },

    newOrder() {
      // Allowed after success only: "still confirming" offers no new order beside "don't pay again".
      if (flow.busy || model.state !== 'succeeded') return;
      model.state = 'idle';
      model.outcome = null;
      model.quantities = {};
      render();
    },

    async openOrders() {
      await navigate(platform, ROUTES.orders);
    },

    async openAutodebit() {
      await navigate(platform, ROUTES.autodebit);
    },
  };
  return controller;
}
