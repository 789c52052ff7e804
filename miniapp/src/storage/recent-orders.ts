/** The ids of the orders placed on this device, newest first (`my.setStorageSync`). */
import type { Platform } from '../platform/types';

export const RECENT_ORDERS_KEY = 'tradepay.recentOrders';
export const RECENT_ORDERS_LIMIT = 20;

export interface RecentOrders {
  list(): Promise<string[]>;
  add(orderId: string): Promise<void>;
}

function parseIds(stored: unknown): string[] {
  return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string' && id !== '') : [];
}

export function createRecentOrders(storage: Platform['storage']): RecentOrders {
  return {
    async list() {
      return parseIds(await storage.get(RECENT_ORDERS_KEY));
    },
    async add(orderId) {
      const ids = parseIds(await storage.get(RECENT_ORDERS_KEY)).filter((id) => id !== orderId);
      await storage.set(RECENT_ORDERS_KEY, [orderId, ...ids].slice(0, RECENT_ORDERS_LIMIT));
    },
  };
}
