/** Builds every configured channel. Adding a channel touches this file, the config and the sandbox. */
import type { ChannelName } from '@tradepay/shared';
import type { Config } from '../config';
import type { Channel, ChannelRegistry } from '../payments/channel';
import { createAlipayHkChannel } from './alipayhk';

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
  return channels;
}
