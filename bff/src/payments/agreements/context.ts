/** What the agreement jobs (binding, tokens, charges) share: options, the clock, and the agreement as the buyer sees it. */
import { toAmount, type AgreementView, type Currency } from '@tradepay/shared';
import type { Catalog } from '../../catalog/catalog';
import type { AgreementRecord, Store } from '../store';
import type { AgreementGateway } from '../agreement-gateway';
import type { OrderService } from '../order-service';
import type { TokenCipher } from '../token-cipher';
import type { RuntimeOptions } from '../service-options';

/** Hong Kong has no daylight saving time: its day is the UTC day shifted by 8 hours. */
export const HONG_KONG_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface AgreementServiceOptions extends Omit<RuntimeOptions, 'random' | 'sleep'> {
  store: Store;
  catalog: Catalog;
  orders: OrderService;
  /** null when auto-debit is off: every call answers AUTO_DEBIT_UNAVAILABLE. */
  gateway: AgreementGateway | null;
  cipher: TokenCipher | null;
  /** Where the wallet sends the shopper back (`…/api/agreements/return`). */
  redirectUrl: string;
  dailyCap: number;
  currency: Currency;
  orderTtlMs: number;
  /** Refresh the access token when it expires within this (default 5 minutes). */
  refreshMarginMs?: number;
  /** GET asks the wallet again when the stored status is older than this (default 60 s). */
  statusMaxAgeMs?: number;
  /** How long one wallet return may hold a PENDING agreement while it exchanges the code (default 60 s). */
  returnLeaseMs?: number;
}

/** The binding ended while we were using it (revoked, or the refresh token ran out). */
export class AgreementEndedError extends Error {}

/** [start, end) of the Hong Kong calendar day that holds `at`, as ISO 8601 UTC. */
export function hongKongDay(at: Date): { dayStart: string; dayEnd: string } {
  const start = Math.floor((at.getTime() + HONG_KONG_OFFSET_MS) / DAY_MS) * DAY_MS - HONG_KONG_OFFSET_MS;
  return { dayStart: new Date(start).toISOString(), dayEnd: new Date(start + DAY_MS).toISOString() };
}

export interface AgreementContext {
  options: AgreementServiceOptions;
  store: Store;
  now: () => Date;
  /** The wallet and the cipher; null when auto-debit is off (the jobs answer `auto-debit-unavailable`). */
  available(): { gateway: AgreementGateway; cipher: TokenCipher } | null;
  /** The same where a job has checked `available()` already: off here is a bug, thrown. */
  enabled(): { gateway: AgreementGateway; cipher: TokenCipher };
  /** The buyer's own agreement; another buyer's is null, like one that does not exist. */
  own(id: string, buyerId: string): Promise<AgreementRecord | null>;
  end(agreement: AgreementRecord, to: 'REVOKED' | 'EXPIRED', code: string | null): Promise<AgreementRecord>;
  view(agreement: AgreementRecord): Promise<AgreementView>;
}

export function createAgreementContext(options: AgreementServiceOptions): AgreementContext {
  const { store } = options;
  const now = options.now ?? (() => new Date());

  function available(): { gateway: AgreementGateway; cipher: TokenCipher } | null {
    return options.gateway && options.cipher ? { gateway: options.gateway, cipher: options.cipher } : null;
  }

  function enabled(): { gateway: AgreementGateway; cipher: TokenCipher } {
    const parts = available();
    if (!parts) throw new Error('auto-debit is not configured');
    return parts;
  }

  async function own(id: string, buyerId: string): Promise<AgreementRecord | null> {
    const agreement = await store.getAgreement(id);
    // Another buyer's agreement is indistinguishable from one that does not exist.
    return agreement && agreement.buyerId === buyerId ? agreement : null;
  }

  async function end(agreement: AgreementRecord, to: 'REVOKED' | 'EXPIRED', code: string | null): Promise<AgreementRecord> {
    const result = await store.transitionAgreement(agreement.id, ['ACTIVE'], to, { at: now().toISOString(), failureCode: code });
    if (result.transitioned) options.log?.warn({ agreementId: agreement.id, status: to, code }, 'agreement ended by the wallet');
    return result.agreement;
  }

  async function view(agreement: AgreementRecord): Promise<AgreementView> {
    const { dayStart, dayEnd } = hongKongDay(now());
    const chargedToday = await store.sumAgreementCharges(agreement.id, dayStart, dayEnd);
    return {
      id: agreement.id,
      merchantAgreementId: agreement.merchantAgreementId,
      status: agreement.status,
      failureCode: agreement.failureCode,
      dailyLimit: toAmount(options.dailyCap, options.currency),
      chargedToday: toAmount(chargedToday, options.currency),
      createdAt: agreement.createdAt,
      updatedAt: agreement.updatedAt,
      activatedAt: agreement.activatedAt,
      endedAt: agreement.endedAt,
    };
  }

  return { options, store, now, available, enabled, own, end, view };
}
