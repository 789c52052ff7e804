/** Wires the BFF client, the buyer session and the payment flow over one Platform. */
import { createApiClient, type ApiClient } from './api/client';
import { createSessionProvider } from './api/session';
import { apiBaseUrl, releaseBuild } from './config';
import { createCheckoutFlow, type CheckoutFlow, type PollingPolicy } from './flow/checkout-flow';
import { createChargeFlow, type ChargeFlow } from './flow/charge-flow';
import { messagesFor, pickLocale, type Locale, type Messages } from './i18n';
import type { Platform } from './platform/types';
import { createRecentOrders, type RecentOrders } from './storage/recent-orders';

export interface Services {
  api: ApiClient;
  recentOrders: RecentOrders;
  createFlow(): CheckoutFlow;
  /** Auto-debit charges ("subscribe and pay later"). */
  createChargeFlow(): ChargeFlow;
}

export interface ServiceOptions {
  baseUrl?: string;
  polling?: Partial<PollingPolicy>;
  /** Default: the build's (`build --release`). */
  release?: boolean;
}

export function createServices(platform: Platform, options: ServiceOptions = {}): Services {
  const baseUrl = (options.baseUrl ?? apiBaseUrl).replace(/\/+$/, '');
  const global = platform.appGlobal();
  const session = createSessionProvider({
    request: platform.request,
    baseUrl,
    getAuthCode: platform.getAuthCode,
    state: global.session ?? (global.session = {}),
    release: options.release ?? releaseBuild,
  });
  const api = createApiClient({ request: platform.request, baseUrl, session });
  return {
    api,
    recentOrders: createRecentOrders(platform.storage),
    createFlow: () =>
      createCheckoutFlow({
        api,
        tradePay: platform.tradePay,
        sleep: platform.sleep,
        now: platform.now,
        random: platform.random,
        polling: options.polling,
      }),
    createChargeFlow: () =>
      createChargeFlow({
        api,
        sleep: platform.sleep,
        now: platform.now,
        random: platform.random,
        polling: options.polling,
      }),
  };
}

/** The texts for the app's language, read synchronously so the first paint is already in it. */
export function loadMessages(platform: Platform): { locale: Locale; t: Messages } {
  let language = '';
  try {
    language = platform.language();
  } catch {
    // English when the runtime cannot tell.
  }
  const locale = pickLocale(language);
  return { locale, t: messagesFor(locale) };
}
