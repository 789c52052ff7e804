/** What the agreement jobs (binding, tokens, charges) share: options, the clock, and the agreement as the buyer sees it. */
import { toAmount, type AgreementView, type Currency } from '@tradepay/shared';
import type { Catalog } from '../../catalog/catalog';
import { AppError } from '../../errors';
import type { AgreementRecord, Store } from '../store';
import type { AgreementGateway } from '../agreement-gateway';
import type { OrderService } from '../order-service';
import type { TokenCipher } from '../token-cipher';

/** Hong Kong has no daylight saving time: its day is the UTC day shifted by 8 hours. */
export const HONG_KONG_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface AgreementServiceOptions {
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
  now?: () => Date;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
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
  enabled(): { gateway: AgreementGateway; cipher: TokenCipher };
  own(id: string, buyerId: string): Promise<AgreementRecord>;
  end(agreement: AgreementRecord, to: 'REVOKED' | 'EXPIRED', code: string | null): Promise<AgreementRecord>;
  view(agreement: AgreementRecord): Promise<AgreementView>;
}

export function createAgreementContext(options: AgreementServiceOptions): AgreementContext {
  const { store } = options;
  const now = options.now ?? (() => new Date());

  function enabled(): { gateway: AgreementGateway; cipher: TokenCipher } {
    if (!options.gateway || !options.cipher) throw new AppError('AUTO_DEBIT_UNAVAILABLE');
    return { gateway: options.gateway, cipher: options.cipher };
  }

  async function own(id: string, buyerId: string): Promise<AgreementRecord> {
    const agreement = await store.getAgreement(id);
    // Another buyer's agreement is indistinguishable from one that does not exist.
    if (!agreement || agreement.buyerId !== buyerId) throw new AppError('AGREEMENT_NOT_FOUND');
    return agreement;
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

  return { options, store, now, enabled, own, end, view };
}
