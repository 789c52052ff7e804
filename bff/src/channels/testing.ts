/** Test helpers shared by the channels' tests: the one order every channel test pays for. */
import type { ChannelOrder } from '../payments/channel';

/** HKD 120.50, with a merchantTransId as payments/ids.ts makes them (30 characters). */
export const TEST_ORDER: ChannelOrder = {
  id: 'ord_AAAAAAAAAAAAAAAAAAAAAAAA',
  merchantTransId: 'TP20260301ABCDEFGHJKMNPQRSTVWX',
  amount: 12050,
  currency: 'HKD',
  title: 'Oolong tea, 100 g and 1 more',
  detail: '1 x TEA',
  createdAt: new Date('2026-03-01T10:00:00Z'),
  expiresAt: new Date('2026-03-01T10:15:00Z'),
};
