/** The checkout page: catalog, quantities, display total, Pay. `data.state` is the UI state. */
import { ROUTES } from '../../config';
import { toApiError } from '../../api/errors';
import type { CheckoutOutcome, FlowEvent } from '../../flow/checkout-flow';
import { messagesFor } from '../../i18n';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
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

export function createCheckoutController(page: PageInstance<CheckoutData>, platform: Platform, options: ServiceOptions = {}): CheckoutController {
  const services = createServices(platform, options);
  const flow = services.createFlow();
  const model: CheckoutModel = {
    t: messagesFor('en'),
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

  function finish(outcome: CheckoutOutcome): void {
    model.state = outcome.state;
    model.outcome = outcome;
    render();
    if (outcome.state === 'succeeded') {
      platform.navigateTo(`${ROUTES.result}?id=${encodeURIComponent(outcome.order.id)}`).catch(ignore);
    }
  }

  const controller: CheckoutController = {
    async load(query) {
      const { t } = await loadMessages(platform);
      model.t = t;
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
      if (outcome) finish(outcome);
    },

    async checkAgain() {
      const last = model.outcome;
      if (model.state !== 'confirming' || last?.state !== 'confirming') return;
      const outcome = await flow.recheck(last.orderId, last.resultCode, onFlowEvent);
      if (outcome) finish(outcome);
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
      if (id) await platform.navigateTo(`${ROUTES.result}?id=${encodeURIComponent(id)}`).catch(ignore);
    },

    newOrder() {
      // Allowed after success and after "still confirming" (the panel warns not to pay twice), never mid-flow.
      if (flow.busy) return;
      model.state = 'idle';
      model.outcome = null;
      model.quantities = {};
      render();
    },

    async openOrders() {
      await platform.navigateTo(ROUTES.orders).catch(ignore);
    },

    async openAutodebit() {
      await platform.navigateTo(ROUTES.autodebit).catch(ignore);
    },
  };
  return controller;
}

type CheckoutPage = PageInstance<CheckoutData>;

export function createCheckoutPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<CheckoutController>();
  const initial = toCheckoutView({
    t: messagesFor('en'),
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
