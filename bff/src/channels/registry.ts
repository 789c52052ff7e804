/** Builds every configured channel. Adding a channel touches this file, the config and the sandbox. */
import type { ChannelName } from '@tradepay/shared';
import type { Config } from '../config';
import type { Channel, ChannelRegistry } from '../payments/channel';
import type { BuyerIdentityProvider } from '../auth/identity';
import { createAlipayHkChannel, type AlipayHkChannel } from './alipayhk';
import { createAlipayHkIdentity } from './alipayhk/oauth';
import { createAlipayHkAgreementGateway } from './alipayhk/agreements';
import type { AgreementGateway } from '../payments/agreement-gateway';
import { createLatipayChannel } from './latipay';
import { createIntentsChannel } from './intents';
import type { GatewayCallLog, GatewayCallObserver } from './gateway-transport';

export interface ChannelDeps {
  now?: () => Date;
  fetch?: typeof fetch;
  /** Sees every gateway call of every channel (name, outcome, duration): for metrics. */
  observeGateway?: GatewayCallObserver;
  /** Logs every gateway call with its request id (and forwards the id in sandbox mode). */
  callLog?: GatewayCallLog;
}

export function createChannelRegistry(config: Config, deps: ChannelDeps = {}): ChannelRegistry {
  const channels = new Map<ChannelName, Channel>();
  channels.set('alipayhk', createAlipayHkChannel({ ...config.alipayhk, notifyUrl: `${config.publicUrl}/notify/alipayhk` }, deps));
  if (config.latipay) {
    channels.set('latipay', createLatipayChannel({ ...config.latipay, callbackUrl: `${config.publicUrl}/notify/latipay` }, deps));
  }
  if (config.intents) {
    // Both URLs come from configuration only: the shopper returns to our own origin, never to a URL a client sent.
    channels.set(
      'h5',
      createIntentsChannel(
        { ...config.intents, notifyUrl: `${config.publicUrl}/notify/intents`, returnUrl: `${config.publicUrl}/h5/return` },
        deps,
      ),
    );
  }
  return channels;
}

/** Buyers sign in with the AlipayHK wallet (my.getAuthCode → applyToken). */
export function createBuyerIdentity(config: Config, channels: ChannelRegistry): BuyerIdentityProvider {
  const alipayhk = channels.get('alipayhk') as AlipayHkChannel | undefined;
  if (!alipayhk?.client) throw new Error('buyer sign-in needs the alipayhk channel');
  return createAlipayHkIdentity(alipayhk.client, { merchantId: config.alipayhk.merchantId });
}

/** Auto-debit through AlipayHK agreements (same client, keys and merchant as the in-app channel); null without it. */
export function createAutoDebitGateway(config: Config, channels: ChannelRegistry): AgreementGateway | null {
  const alipayhk = channels.get('alipayhk') as AlipayHkChannel | undefined;
  if (!alipayhk?.client) return null;
  return createAlipayHkAgreementGateway(alipayhk.client, {
    merchantId: config.alipayhk.merchantId,
    notifyUrl: `${config.publicUrl}/notify/alipayhk`,
    sellerName: config.alipayhk.sellerName,
    mcc: config.alipayhk.mcc,
  });
}
