/** What the order jobs (creation, checks, notifications) share: options, the clock, and the channel of an order. */
import type { ChannelName } from '@tradepay/shared';
import type { Catalog } from '../catalog/catalog';
import type { Store } from './store';
import { ChannelNotConfiguredError, type Channel, type ChannelRegistry } from './channel';
import { sleep as realSleep, type BackoffPolicy } from './backoff';
import type { RuntimeOptions } from './service-options';

export interface OrderServiceOptions extends RuntimeOptions {
  store: Store;
  catalog: Catalog;
  channels: ChannelRegistry;
  defaultChannel: ChannelName;
  orderTtlMs: number;
  /** When the reconciler first looks at a new order (the buyer is usually still paying). */
  firstCheckDelayMs?: number;
  /** Schedule of gateway queries for one order: confirm retries and reconciler checks. */
  queryBackoff?: BackoffPolicy;
  /** In-request query retries when the gateway's answer is unknown. */
  confirmAttempts?: number;
  /** Confirm asks the gateway at most this often per order; in between it answers from the store. */
  minQueryIntervalMs?: number;
}

export interface OrderContext {
  options: OrderServiceOptions;
  store: Store;
  now: () => Date;
  random: () => number;
  pause: (ms: number) => Promise<void>;
  /** The channel of a stored order; one configured out since is a configuration fault (thrown). */
  channelFor(name: ChannelName): Channel;
}

export function createOrderContext(options: OrderServiceOptions): OrderContext {
  const { channels } = options;
  return {
    options,
    store: options.store,
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    pause: options.sleep ?? realSleep,
    channelFor(name) {
      const channel = channels.get(name);
      if (!channel) throw new ChannelNotConfiguredError(name);
      return channel;
    },
  };
}
