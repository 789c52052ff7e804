/**
 * The auto-debit page: bind the AlipayHK wallet (`my.signContract` where the app has it; else, in the
 * IDE and the sandbox, the consent page in the web-view page: a released mini program cannot show the
 * wallet's domain in a web-view, miniapp-platform.md §4), see the
 * binding's status and daily limit, unbind, and charge a subscription without the wallet screen
 * ("subscribe and pay later"). `data.state` is the charge's UI state; the agreement is reloaded every
 * time the page shows (the buyer comes back from the web-view).
 */
import { toApiError } from '../../api/errors';
import { ROUTES } from '../../config';
import type { ChargeEvent, ChargeOutcome } from '../../flow/charge-flow';
import type { Platform } from '../../platform/types';
import { createServices, loadMessages, type ServiceOptions } from '../../services';
import { navigate } from '../navigation';
import { createControllerSlot, datasetValue, ignore, outcomeOrderId, type PageInstance, type TapEvent } from '../page-kit';
import { currentAgreement, isCharging, toAutodebitView, type AutodebitData, type AutodebitModel } from './view';

/** What the page's taps reach: one per page instance, made in `onLoad`. */
export type AutodebitController = ReturnType<typeof createAutodebitController>;

function initialModel(platform: Platform): AutodebitModel {
  return {
    t: loadMessages(platform).t,
    agreement: { status: 'loading' },
    busy: null,
    actionError: null,
    bindNote: null,
    catalog: { status: 'loading' },
    selectedSku: null,
    state: 'idle',
    outcome: null,
  };
}

export function createAutodebitPage(platform: Platform, options: ServiceOptions = {}) {
  const slot = createControllerSlot<AutodebitController>();
  return {
    data: toAutodebitView(initialModel(platform)),
    onLoad(this: PageInstance<AutodebitData>) {
      return slot.attach(this, createAutodebitController(this, platform, options)).init();
    },
    onSelect(this: object, event?: TapEvent) {
      slot.of(this)?.select(datasetValue(event, 'sku'));
    },
    ...slot.forward(
      ['bind', 'unbind', 'charge', 'checkAgain', 'newCharge', 'viewOrder', 'openOrders'],
      // onShow: every time the page shows, since after the web-view the binding has changed.
      { onShow: 'refresh', onRetry: 'refresh' },
    ),
  };
}

export function createAutodebitController(page: PageInstance<AutodebitData>, platform: Platform, options: ServiceOptions = {}) {
  const services = createServices(platform, options);
  const flow = services.createChargeFlow();
  const model = initialModel(platform);
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
    const id = outcomeOrderId(outcome);
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

  const controller = {
    init() {
      ready =
        ready ??
        (async () => {
          platform.setTitle(model.t.titles.autodebit).catch(ignore);
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
      model.bindNote = null;
      render();
      let askAgain = false;
      try {
        const { agreement, authUrl } = await services.api.createAgreement();
        model.agreement = { status: 'ready', agreement };
        if (platform.signContract) {
          // Inside the app: {authCode, authState} come back here and go to the BFF's exchange.
          const signed = await platform.signContract(authUrl);
          if (signed.kind === 'signed') {
            const bound = await services.api.signContract(agreement.id, { authCode: signed.authCode, authState: signed.authState });
            model.agreement = { status: 'ready', agreement: bound };
          } else {
            // 6001 cancelled, 6002 network; 7001 (or anything else) is unknown: ask the BFF, never call it a cancel.
            model.bindNote = signed.error === '6001' ? 'cancelled' : signed.error === '6002' ? 'network' : 'checking';
            askAgain = model.bindNote === 'checking';
          }
        } else {
          // The IDE and the sandbox: the consent page in the web-view; the buyer comes back here (onShow).
          await navigate(platform, `${ROUTES.webview}?url=${encodeURIComponent(authUrl)}`);
        }
      } catch (error) {
        model.actionError = toApiError(error);
      } finally {
        model.busy = null;
        render();
      }
      if (askAgain) await controller.refresh();
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

    select(sku: string | undefined): void {
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
      const id = outcomeOrderId(model.outcome);
      if (id) await navigate(platform, `${ROUTES.result}?id=${encodeURIComponent(id)}`);
    },

    async openOrders() {
      await navigate(platform, ROUTES.orders);
    },
  };
  return controller;
}
