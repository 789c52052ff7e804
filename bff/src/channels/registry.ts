/** Builds every configured channel. Adding a channel touches this file, the config and the sandbox. */
import type { ChannelName } from '@tradepay/shared';
import type { Config } from '../config';
import type { Channel, ChannelRegistry } from '../payments/channel';
import type { BuyerIdentityProvider } from '../auth/identity';
import { createAlipayHkChannel, type AlipayHkChannel } from './alipayhk';
import { createAlipayHkIdentity } from './alipayhk/oauth';
import { createLatipayChannel } from './latipay';

export interface ChannelDeps {
  now?: () => Date;
  fetch?: typeof fetch;
}

export function createChannelRegistry(config: Config, deps: ChannelDeps = {}): ChannelRegistry {
  const channels = new Map<ChannelName, Channel>();
  channels.set(
    'alipayhk',
    createAlipayHkChannel({ ...config.alipayhk, notifyUrl: `${config.publicUrl}/notify/alipayhk` }, deps),
  );
  if (config.latipay) {
    channels.set('latipay', createLatipayChannel({ ...config.latipay, callbackUrl: `${config.publicUrl}/notify/latipay` }, deps));
  }
  return channels;
}

/** Buyers sign in with the AlipayHK wallet (my.getAuthCode → applyToken). */
export function createBuyerIdentity(config: Config, channels: ChannelRegistry): BuyerIdentityProvider {
  const alipayhk = channels.get('alipayhk') as AlipayHkChannel | undefined;
  if (!alipayhk?.client) throw new Error('buyer sign-in needs the alipayhk channel');
  return createAlipayHkIdentity(alipayhk.client, { merchantId: config.alipayhk.merchantId });
}
