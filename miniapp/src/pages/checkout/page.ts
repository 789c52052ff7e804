/** The checkout page: catalog, quantities, display total, Pay. `data.state` is the UI state. */
import { ROUTES } from '../../config';
import { toApiError } from '../../api/errors';
import type { CheckoutOutcome, FlowEvent } from '../../flow/checkout-flow';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { navigate } from '../navigation';
import { createControllerSlot, datasetValue, ignore, type PageInstance, type TapEvent } from '../page-kit';
import { MAX_QUANTITY, cartItems, isEditable, parseCheckoutQuery, toCheckoutView, type CheckoutData, type CheckoutModel } from './view';

export interface CheckoutController {
  load(query: unknown): Promise<void>;
  loadCatalog(): Promise<void>;
  pay(): Promise<void>;
  checkAgain(): Promise<void>;
  changeQuantity(sku: string | undefined, delta: number): void;
  viewOrder(): Promise<void>;
  newOrder(): void;
  openOrders(): Promise<void>;
  openAutodebit(): Promise<void>;
}

function orderIdOf(outcome: CheckoutOutcome | null): string | undefined {
  if (!outcome) return undefined;
  return outcome.state === 'confirming' ? outcome.orderId : outcome.order?.id;
}

export function createCheckoutController(
  page: PageInstance<CheckoutData>,
  platform: Platform,
  options: ServiceOptions = {},
): CheckoutController {
  const services = createServices(platform, options);
  const flow = services.createFlow();
  const model: CheckoutModel = {
    t: loadMessages(platform).t,
    catalog: { status: 'loading' },
    quantities: {},
    state: 'idle',
    outcome: null,
    unavailableSku: null,
  };
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

  const controller: CheckoutController = {
    async load(query) {
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

    changeQuantity(sku, delta) {
      if (!sku || !isEditable(model.state) || model.catalog.status !== 'ready') return;
      if (!model.catalog.products.some((p) => p.sku === sku)) return;
      const next = Math.min(Math.max((model.quantities[sku] ?? 0) + delta, 0), MAX_QUANTITY);
      model.quantities = { ...model.quantities, [sku]: next };
      model.unavailableSku = null;
      render();
    },

    async viewOrder() {
      const id = orderIdOf(model.outcome);
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

type CheckoutPage = PageInstance<CheckoutData>;

export function createCheckoutPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<CheckoutController>();
  // In the app's language from the first paint (the runtime reads `data` before onLoad).
  const initial = toCheckoutView({
    t: loadMessages(platform).t,
    catalog: { status: 'loading' },
    quantities: {},
    state: 'idle',
    outcome: null,
    unavailableSku: null,
  });
  return {
    data: initial,
    onLoad(this: CheckoutPage, query?: unknown) {
      return slot.attach(this, createCheckoutController(this, platform, options)).load(query);
    },
    onPay(this: CheckoutPage) {
      return slot.of(this)?.pay();
    },
    onIncrease(this: CheckoutPage, event?: TapEvent) {
      slot.of(this)?.changeQuantity(datasetValue(event, 'sku'), 1);
    },
    onDecrease(this: CheckoutPage, event?: TapEvent) {
      slot.of(this)?.changeQuantity(datasetValue(event, 'sku'), -1);
    },
    onRetryCatalog(this: CheckoutPage) {
      return slot.of(this)?.loadCatalog();
    },
    onCheckAgain(this: CheckoutPage) {
      return slot.of(this)?.checkAgain();
    },
    onViewOrder(this: CheckoutPage) {
      return slot.of(this)?.viewOrder();
    },
    onNewOrder(this: CheckoutPage) {
      slot.of(this)?.newOrder();
    },
    onOpenOrders(this: CheckoutPage) {
      return slot.of(this)?.openOrders();
    },
    onOpenAutodebit(this: CheckoutPage) {
      return slot.of(this)?.openAutodebit();
    },
  };
}
