/**
 * The auto-debit page: bind the AlipayHK wallet (the consent page opens in the web-view page), see the
 * binding's status and daily limit, unbind, and charge a subscription without the wallet screen
 * ("subscribe and pay later"). `data.state` is the charge's UI state; the agreement is reloaded every
 * time the page shows (the buyer comes back from the web-view).
 */
import { toApiError } from '../../api/errors';
import { ROUTES } from '../../config';
import type { ChargeEvent, ChargeOutcome } from '../../flow/charge-flow';
import { messagesFor } from '../../i18n';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { createControllerSlot, datasetValue, ignore, type PageInstance, type TapEvent } from '../page-kit';
import { currentAgreement, isCharging, toAutodebitView, type AutodebitData, type AutodebitModel } from './view';

export interface AutodebitController {
  init(): Promise<void>;
  refresh(): Promise<void>;
  bind(): Promise<void>;
  unbind(): Promise<void>;
  select(sku: string | undefined): void;
  charge(): Promise<void>;
  checkAgain(): Promise<void>;
  newCharge(): void;
  viewOrder(): Promise<void>;
  openOrders(): Promise<void>;
}

function initialModel(): AutodebitModel {
  return {
    t: messagesFor('en'),
    agreement: { status: 'loading' },
    busy: null,
    actionError: null,
    catalog: { status: 'loading' },
    selectedSku: null,
    state: 'idle',
    outcome: null,
  };
}

function orderIdOf(outcome: ChargeOutcome | null): string | undefined {
  if (!outcome) return undefined;
  return outcome.state === 'confirming' ? outcome.orderId : outcome.order?.id;
}

export function createAutodebitController(page: PageInstance<AutodebitData>, platform: Platform, options: ServiceOptions = {}): AutodebitController {
  const services = createServices(platform, options);
  const flow = services.createChargeFlow();
  const model = initialModel();
  let ready: Promise<void> | null = null;
  let generation = 0;

  const render = () => page.setData(toAutodebitView(model));

  function onChargeEvent(event: ChargeEvent): void {
    model.state = event.state;
    model.outcome = null;
    if (event.state === 'confirming') services.recentOrders.add(event.orderId).catch(ignore);
    render();
  }

  async function finish(outcome: ChargeOutcome): Promise<void> {
    model.state = outcome.state;
    model.outcome = outcome;
    const id = orderIdOf(outcome);
    if (id) services.recentOrders.add(id).catch(ignore);
    render();
    // The limit used today, or an agreement the wallet ended: show what the BFF now knows.
    await controller.refresh();
  }

  async function loadCatalog(): Promise<void> {
    try {
      model.catalog = { status: 'ready', products: (await services.api.catalog()).products };
    } catch (error) {
      model.catalog = { status: 'error', error: toApiError(error) };
    }
  }

  const controller: AutodebitController = {
    init() {
      ready =
        ready ??
        (async () => {
          const { t } = await loadMessages(platform);
          model.t = t;
          platform.setTitle(t.titles.autodebit).catch(ignore);
          await loadCatalog();
          render();
        })();
      return ready;
    },

    async refresh() {
      await controller.init();
      const mine = (generation += 1);
      if (model.agreement.status !== 'ready') {
        model.agreement = { status: 'loading' };
        render();
      }
      if (model.catalog.status === 'error') await loadCatalog();
      try {
        const agreement = currentAgreement(await services.api.listAgreements());
        if (mine !== generation) return; // a newer refresh owns the page
        model.agreement = { status: 'ready', agreement };
      } catch (error) {
        if (mine !== generation) return;
        model.agreement = { status: 'error', error: toApiError(error) };
      }
      render();
    },

    async bind() {
      if (model.busy || isCharging(model) || model.agreement.status !== 'ready') return;
      model.busy = 'bind';
      model.actionError = null;
      render();
      try {
        const { agreement, authUrl } = await services.api.createAgreement();
        model.agreement = { status: 'ready', agreement };
        // The wallet's consent page; the buyer comes back here (onShow) when it is done.
        await platform.navigateTo(`${ROUTES.webview}?url=${encodeURIComponent(authUrl)}`).catch(ignore);
      } catch (error) {
        model.actionError = toApiError(error);
      } finally {
        model.busy = null;
        render();
      }
    },

    async unbind() {
      const current = model.agreement.status === 'ready' ? model.agreement.agreement : null;
      if (model.busy || isCharging(model) || current?.status !== 'ACTIVE') return;
      model.busy = 'unbind';
      model.actionError = null;
      render();
      try {
        model.agreement = { status: 'ready', agreement: await services.api.revokeAgreement(current.id) };
        model.state = 'idle';
        model.outcome = null;
      } catch (error) {
        model.actionError = toApiError(error);
      } finally {
        model.busy = null;
        render();
      }
    },

    select(sku) {
      if (!sku || isCharging(model) || model.catalog.status !== 'ready') return;
      if (!model.catalog.products.some((p) => p.sku === sku)) return;
      model.selectedSku = sku;
      render();
    },

    async charge() {
      const data = toAutodebitView(model);
      const current = model.agreement.status === 'ready' ? model.agreement.agreement : null;
      // The button is disabled meanwhile; a tap that still arrives is ignored here and in the flow.
      if (data.chargeDisabled || !current || !model.selectedSku) return;
      const outcome = await flow.charge(current.id, [{ sku: model.selectedSku, quantity: 1 }], onChargeEvent);
      if (outcome) await finish(outcome);
    },

    async checkAgain() {
      const last = model.outcome;
      if (model.state !== 'confirming' || last?.state !== 'confirming') return;
      const outcome = await flow.recheck(last.orderId, onChargeEvent);
      if (outcome) await finish(outcome);
    },

    newCharge() {
      if (flow.busy) return;
      model.state = 'idle';
      model.outcome = null;
      render();
    },

    async viewOrder() {
      const id = orderIdOf(model.outcome);
      if (id) await platform.navigateTo(`${ROUTES.result}?id=${encodeURIComponent(id)}`).catch(ignore);
    },

    async openOrders() {
      await platform.navigateTo(ROUTES.orders).catch(ignore);
    },
  };
  return controller;
}

type AutodebitPage = PageInstance<AutodebitData>;

export function createAutodebitPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<AutodebitController>();
  return {
    data: toAutodebitView(initialModel()),
    onLoad(this: AutodebitPage) {
      return slot.attach(this, createAutodebitController(this, platform, options)).init();
    },
    /** Every time the page shows: after the web-view, the binding has changed. */
    onShow(this: AutodebitPage) {
      return slot.of(this)?.refresh();
    },
    onRetry(this: AutodebitPage) {
      return slot.of(this)?.refresh();
    },
    onBind(this: AutodebitPage) {
      return slot.of(this)?.bind();
    },
    onUnbind(this: AutodebitPage) {
      return slot.of(this)?.unbind();
    },
    onSelect(this: AutodebitPage, event?: TapEvent) {
      slot.of(this)?.select(datasetValue(event, 'sku'));
    },
    onCharge(this: AutodebitPage) {
      return slot.of(this)?.charge();
    },
    onCheckAgain(this: AutodebitPage) {
      return slot.of(this)?.checkAgain();
    },
    onNewCharge(this: AutodebitPage) {
      slot.of(this)?.newCharge();
    },
    onViewOrder(this: AutodebitPage) {
      return slot.of(this)?.viewOrder();
    },
    onOpenOrders(this: AutodebitPage) {
      return slot.of(this)?.openOrders();
    },
  };
}
