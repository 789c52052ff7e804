/**
 * Auto-debit: bind a wallet (an agreement), charge it without the shopper, unbind.
 *
 * Binding (wallet buyers only): a PENDING agreement with an unguessable `state` (only its SHA-256 is
 * stored) → the wallet's consent page → the wallet hands back `auth_code`/`authCode`, `state`,
 * `merchantAgreementId` → the state must match that PENDING agreement (else nothing changes) → the
 * authCode is exchanged → the grant must be this agreement and the wallet user the buyer → the token
 * pair is sealed (AES-256-GCM) and the agreement is ACTIVE (see `completeBinding`).
 *
 * Charging: an order priced by the server, linked to the agreement, inserted only if the agreement is
 * the buyer's, ACTIVE, and the day's charges stay under the cap (one transaction) → `agreement.pay`
 * with the access token (refreshed first when it is about to expire, or once when the wallet says it
 * has) → the signed answer is the evidence, checked like any other; a refusal fails the order; an
 * unknown outcome leaves it PENDING for confirm and the reconciler (payQuery), like every order.
 *
 * Tokens are opened only to be sent to the wallet; they are never logged and never leave in a response.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { toAmount, type AgreementView, type Currency } from '@tradepay/shared';
import type { Catalog } from '../catalog/catalog';
import { AppError, GatewayUnknownError, NotificationRejectedError } from '../errors';
import {
  AgreementNotActiveError,
  DailyCapExceededError,
  type AgreementRecord,
  type AgreementTokens,
  type IdempotencyRecord,
  type NewOrder,
  type OrderRecord,
  type Store,
} from '../store/store';
import { AGREEMENT_GONE_CODES, TOKEN_REFRESH_CODES, type AgreementGateway, type WalletTokens } from './agreement-gateway';
import { newAgreementId, newMerchantAgreementId, newMerchantTransId, newOrderId } from './ids';
import { toChannelOrder, toOrderView, type OrderService } from './order-service';
import { idempotencyClaim, idempotencyOutcome, idempotencyScope, requestHash as hashRequest } from './idempotency';
import { priceCart } from './pricing';
import type { TokenCipher } from './token-cipher';

/** Hong Kong has no daylight saving time: its day is the UTC day shifted by 8 hours. */
export const HONG_KONG_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
export const USER_DECLINED = 'USER_DECLINED';
const ERROR_PREFIX = 'Authorisation return rejected: ';

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

export interface ChargeResult {
  statusCode: number;
  /** `{order}`, or an error body `{error:{code,message}}` for a refusal (stored for idempotent replays). */
  body: unknown;
  replayed: boolean;
}

/** What the wallet handed back after the consent step; unknown parameters never reach here. */
export interface BindingReturn {
  /** The redirect names the merchantAgreementId; the mini program route knows our agreement id. */
  merchantAgreementId?: string | undefined;
  agreementId?: string | undefined;
  state?: string | undefined;
  authCode?: string | undefined;
  /** `SUCCESS` / `FAIL` / `ERROR` (https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_doc-auth_url). */
  authResult?: string | undefined;
  /** `USER_DECLINED` (declined) or any other failure code. */
  error?: string | undefined;
  /** With a session (the mini program route): it must own the agreement. */
  buyerId?: string | undefined;
}

/** `tokenStatus` values meaning active (docs/protocols/alipayhk.md#functions: Macao says ACTIVE, the sandbox VALID). */
const ACTIVE_TOKEN_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'VALID']);

export interface ReturnOutcome {
  agreement: AgreementRecord;
  outcome: 'bound' | 'declined' | 'failed';
  /** The wallet's code when the binding failed. */
  code: string | null;
}

/** The binding ended while we were using it (revoked, or the refresh token ran out). */
class AgreementEndedError extends Error {}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** [start, end) of the Hong Kong calendar day that holds `at`, as ISO 8601 UTC. */
export function hongKongDay(at: Date): { dayStart: string; dayEnd: string } {
  const start = Math.floor((at.getTime() + HONG_KONG_OFFSET_MS) / DAY_MS) * DAY_MS - HONG_KONG_OFFSET_MS;
  return { dayStart: new Date(start).toISOString(), dayEnd: new Date(start + DAY_MS).toISOString() };
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function createAgreementService(options: AgreementServiceOptions) {
  const { store, catalog, orders } = options;
  const now = options.now ?? (() => new Date());
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const statusMaxAgeMs = options.statusMaxAgeMs ?? 60_000;
  const returnLeaseMs = options.returnLeaseMs ?? 60_000;
  /** One refresh per agreement at a time in this process; other processes are fenced by the token version. */
  const refreshing = new Map<string, Promise<string>>();

  function enabled(): { gateway: AgreementGateway; cipher: TokenCipher } {
    if (!options.gateway || !options.cipher) throw new AppError('AUTO_DEBIT_UNAVAILABLE');
    return { gateway: options.gateway, cipher: options.cipher };
  }

  function seal(agreementId: string, tokens: WalletTokens): AgreementTokens {
    const { cipher } = enabled();
    return {
      accessTokenEnc: cipher.seal(tokens.accessToken, `${agreementId}:access`),
      refreshTokenEnc: cipher.seal(tokens.refreshToken, `${agreementId}:refresh`),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    };
  }

  function openToken(agreement: AgreementRecord, which: 'access' | 'refresh'): string {
    const sealed = which === 'access' ? agreement.accessTokenEnc : agreement.refreshTokenEnc;
    if (!sealed) throw new AgreementEndedError(`agreement ${agreement.id} holds no ${which} token`);
    return enabled().cipher.open(sealed, `${agreement.id}:${which}`);
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

  /** A new token pair for the agreement (single-flight per agreement); returns the new access token. */
  function refresh(agreement: AgreementRecord): Promise<string> {
    const running = refreshing.get(agreement.id);
    if (running) return running;
    const task = (async () => {
      const { gateway } = enabled();
      const version = agreement.tokenVersion;
      const answer = await gateway.refresh(openToken(agreement, 'refresh'));
      if (answer.ok) {
        const stored = await store.replaceAgreementTokens(agreement.id, version, seal(agreement.id, answer.value), now().toISOString());
        if (!stored.replaced) {
          // Someone else changed the agreement meanwhile (another instance refreshed, or it was revoked).
          if (stored.agreement.status !== 'ACTIVE') throw new AgreementEndedError(`agreement is ${stored.agreement.status}`);
          return openToken(stored.agreement, 'access');
        }
        options.log?.info({ agreementId: agreement.id, accessTokenExpiresAt: answer.value.accessTokenExpiresAt }, 'agreement tokens refreshed');
        return answer.value.accessToken;
      }
      const latest = await store.getAgreement(agreement.id);
      if (latest && latest.status === 'ACTIVE' && latest.tokenVersion !== version) return openToken(latest, 'access');
      await end(latest ?? agreement, AGREEMENT_GONE_CODES.has(answer.code) ? 'REVOKED' : 'EXPIRED', answer.code);
      throw new AgreementEndedError(`refresh refused: ${answer.code}`);
    })();
    refreshing.set(agreement.id, task);
    return task.finally(() => refreshing.delete(agreement.id));
  }

  /** The access token to debit with: the stored one, or a fresh one when it expires within the margin. */
  async function accessToken(agreement: AgreementRecord): Promise<string> {
    const expiresAt = agreement.accessTokenExpiresAt ? Date.parse(agreement.accessTokenExpiresAt) : 0;
    if (expiresAt - now().getTime() > refreshMarginMs) return openToken(agreement, 'access');
    return refresh(agreement);
  }

  /** After the wallet refused the token we used: someone may have refreshed already; else refresh now. */
  async function retryToken(agreementId: string, usedToken: string): Promise<string> {
    const latest = await store.getAgreement(agreementId);
    if (!latest || latest.status !== 'ACTIVE') throw new AgreementEndedError('agreement is no longer active');
    const stored = openToken(latest, 'access');
    return stored !== usedToken ? stored : refresh(latest);
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

  /** The order and the refusal the buyer sees; the order is closed FAILED first. */
  async function refuse(order: OrderRecord, code: 'AGREEMENT_NOT_ACTIVE' | 'CHARGE_DECLINED', walletCode: string, idem: { scope: string; key: string } | undefined): Promise<ChargeResult> {
    const closed = await store.closeUnpaid(order.id, 'FAILED', `agreement.pay refused: ${walletCode}`);
    if (closed.order.status === 'SUCCEEDED') return finish(closed.order, idem);
    const message =
      code === 'CHARGE_DECLINED'
        ? `AlipayHK declined the auto-debit (${walletCode}); order ${order.id} is FAILED and nothing was charged`
        : `The auto-debit agreement is no longer active (${walletCode}); order ${order.id} is FAILED and nothing was charged`;
    const result: ChargeResult = { statusCode: code === 'CHARGE_DECLINED' ? 422 : 409, body: errorBody(code, message), replayed: false };
    if (idem) await store.completeIdempotency(idem.scope, idem.key, result.statusCode, JSON.stringify(result.body));
    options.log?.warn({ orderId: order.id, agreementId: order.agreementId, code: walletCode }, 'auto-debit refused');
    return result;
  }

  /** A final (SUCCEEDED) or still-open (PENDING) order as the answer; only final answers are stored for replays. */
  async function finish(order: OrderRecord, idem: { scope: string; key: string } | undefined): Promise<ChargeResult> {
    const result: ChargeResult = { statusCode: order.status === 'PENDING' ? 202 : 201, body: { order: toOrderView(order) }, replayed: false };
    if (idem && order.status !== 'PENDING') await store.completeIdempotency(idem.scope, idem.key, result.statusCode, JSON.stringify(result.body));
    return result;
  }

  /**
   * Debits the wallet for a PENDING charge (also again, with the same merchantTransId, when an
   * Idempotency-Key retry finds the first attempt unfinished: the wallet answers a repeat without a
   * second debit).
   */
  async function debit(order: OrderRecord, token: string, idem: { scope: string; key: string } | undefined): Promise<ChargeResult> {
    const { gateway } = enabled();
    let current = token;
    for (let attempt = 0; ; attempt += 1) {
      let result;
      try {
        result = await gateway.pay(toChannelOrder(order), current);
      } catch (error) {
        if (!(error instanceof GatewayUnknownError)) throw error;
        // Unknown: maybe debited. The order stays PENDING; confirm and the reconciler ask (payQuery) soon.
        options.log?.warn({ orderId: order.id, reason: error.message }, 'auto-debit outcome unknown; left PENDING for the query');
        const state = await store.getCheckState(order.id);
        await store.scheduleNextCheck(order.id, { owner: null, checkedAt: null, nextCheckAt: new Date(now().getTime() + 10_000).toISOString(), attempts: state.attempts });
        return finish((await store.getOrder(order.id)) ?? order, idem);
      }
      if (result.status === 'PAID') {
        try {
          const paid = await orders.applyPaidEvidence(order, result.evidence, 'agreement.pay');
          options.log?.info({ orderId: order.id, agreementId: order.agreementId, status: paid.status }, 'auto-debit charged');
          return finish(paid, idem);
        } catch (error) {
          if (!(error instanceof NotificationRejectedError)) throw error;
          options.log?.error({ orderId: order.id, err: error }, 'agreement.pay answer does not match the order; left PENDING for the query');
          return finish(order, idem);
        }
      }
      if (attempt === 0 && TOKEN_REFRESH_CODES.has(result.code)) {
        try {
          current = await retryToken(order.agreementId!, current);
        } catch (error) {
          if (error instanceof AgreementEndedError) return refuse(order, 'AGREEMENT_NOT_ACTIVE', result.code, idem);
          if (error instanceof GatewayUnknownError) return finish(order, idem);
          throw error;
        }
        continue;
      }
      if (AGREEMENT_GONE_CODES.has(result.code)) {
        const agreement = await store.getAgreement(order.agreementId!);
        if (agreement) await end(agreement, 'REVOKED', result.code);
        return refuse(order, 'AGREEMENT_NOT_ACTIVE', result.code, idem);
      }
      return refuse(order, 'CHARGE_DECLINED', result.code, idem);
    }
  }

  /** Turns the refusals of the token step into the buyer's error. */
  async function tokenFor(agreement: AgreementRecord): Promise<string> {
    try {
      return await accessToken(agreement);
    } catch (error) {
      if (error instanceof AgreementEndedError) throw new AppError('AGREEMENT_NOT_ACTIVE', 'The wallet no longer accepts this agreement (expired or revoked); bind the wallet again');
      if (error instanceof GatewayUnknownError) throw new AppError('GATEWAY_UNAVAILABLE');
      throw error;
    }
  }

  async function replay(existing: IdempotencyRecord, requestHash: string, agreement: AgreementRecord, idem: { scope: string; key: string }): Promise<ChargeResult> {
    const outcome = idempotencyOutcome(existing, requestHash);
    if (outcome.kind === 'conflict') throw new AppError('IDEMPOTENCY_KEY_REUSED');
    if (outcome.kind === 'replay') return { statusCode: outcome.statusCode, body: outcome.body, replayed: true };
    const order = existing.orderId ? await store.getOrder(existing.orderId) : null;
    if (!order) throw new AppError('IDEMPOTENCY_KEY_IN_USE');
    if (order.status !== 'PENDING') return { ...(await finish(order, idem)), replayed: true };
    // The first attempt did not finish: drive the same charge (same merchantTransId) again.
    return { ...(await debit(order, await tokenFor(agreement), idem)), replayed: true };
  }

  /** Cancels at the wallet first (cancelByAuthInfo), then REVOKED. */
  async function revokeActive(agreement: AgreementRecord): Promise<AgreementView> {
    const at = now().toISOString();
    const { gateway } = enabled();
    let answer;
    try {
      answer = await gateway.cancel(agreement.merchantAgreementId);
    } catch (error) {
      if (error instanceof GatewayUnknownError) throw new AppError('GATEWAY_UNAVAILABLE');
      throw error;
    }
    if (!answer.ok && !AGREEMENT_GONE_CODES.has(answer.code)) throw new AppError('CHANNEL_REJECTED', `AlipayHK refused to cancel the agreement (${answer.code})`);
    const result = await store.transitionAgreement(agreement.id, ['ACTIVE'], 'REVOKED', { at, failureCode: null });
    options.log?.info({ agreementId: agreement.id, status: result.agreement.status }, 'agreement revoked');
    return view(result.agreement);
  }

  return {
    hongKongDay,

    /** Starts a binding for the buyer: a PENDING agreement and the wallet's consent page. Wallet buyers only. */
    async create(buyerId: string): Promise<{ agreement: AgreementView; authUrl: string }> {
      const { gateway } = enabled();
      // The wallet user who agrees is checked against this buyer: a guest has no wallet user to match.
      if (!buyerId.startsWith('alipayhk:')) throw new AppError('WALLET_SIGN_IN_REQUIRED');
      const createdAt = now();
      const state = randomBytes(32).toString('base64url');
      const agreement = await store.insertAgreement({
        id: newAgreementId(),
        merchantAgreementId: newMerchantAgreementId(createdAt),
        buyerId,
        stateHash: sha256(state),
        createdAt: createdAt.toISOString(),
      });
      let answer;
      try {
        answer = await gateway.prepare({ merchantAgreementId: agreement.merchantAgreementId, state, redirectUrl: options.redirectUrl });
      } catch (error) {
        if (!(error instanceof GatewayUnknownError)) throw error;
        await store.transitionAgreement(agreement.id, ['PENDING'], 'FAILED', { at: now().toISOString(), failureCode: 'PREPARE_UNKNOWN' });
        throw new AppError('GATEWAY_UNAVAILABLE');
      }
      if (!answer.ok) {
        await store.transitionAgreement(agreement.id, ['PENDING'], 'FAILED', { at: now().toISOString(), failureCode: answer.code });
        throw new AppError('CHANNEL_REJECTED', `AlipayHK refused to start the binding (${answer.code})`);
      }
      options.log?.info({ agreementId: agreement.id, merchantAgreementId: agreement.merchantAgreementId }, 'agreement binding started');
      return { agreement: await view(agreement), authUrl: answer.value.authUrl };
    },

    /**
     * Completes a binding from what the wallet handed back: the redirect to `merchantRedirectUrl`
     * (`GET /api/agreements/return`) or the mini program's `my.signContract` result. One path for both:
     * the `state` must be that PENDING agreement's (else AGREEMENT_RETURN_REJECTED and nothing changes);
     * the authCode is exchanged (a retry after an unknown outcome gets the same token); the grant must
     * be an agreement for this merchantAgreementId (a sign-in code is not: `SCOPE_NOT_GRANTED`); the
     * wallet user who agreed must be the agreement's buyer (else `WALLET_USER_MISMATCH`, cancelled at the
     * wallet). Only then ACTIVE.
     */
    async completeBinding(input: BindingReturn): Promise<ReturnOutcome> {
      const { gateway } = enabled();
      const reject = (why: string) => new AppError('AGREEMENT_RETURN_REJECTED', `${ERROR_PREFIX}${why}`);
      if (!input.state || (!input.merchantAgreementId && !input.agreementId)) throw reject('state and merchantAgreementId are required');
      const agreement = input.agreementId ? await store.getAgreement(input.agreementId) : await store.getAgreementByMerchantAgreementId(input.merchantAgreementId!);
      if (!agreement || !sameHash(sha256(input.state), agreement.stateHash)) throw reject('the state does not match the agreement');
      if (input.merchantAgreementId !== undefined && input.merchantAgreementId !== agreement.merchantAgreementId) throw reject('the state does not match the agreement');
      if (input.buyerId !== undefined && input.buyerId !== agreement.buyerId) throw reject('the state does not match the agreement');
      if (agreement.status !== 'PENDING') throw reject(`the agreement is already ${agreement.status}`);
      const at = () => now().toISOString();
      const fail = async (to: 'DECLINED' | 'FAILED', code: string | null): Promise<ReturnOutcome> => {
        const result = await store.transitionAgreement(agreement.id, ['PENDING'], to, { at: at(), failureCode: code === null ? null : code.slice(0, 64) });
        if (!result.transitioned && result.agreement.status !== to) throw reject(`the agreement is already ${result.agreement.status}`);
        options.log?.info({ agreementId: agreement.id, status: to, code }, 'agreement not bound');
        return { agreement: result.agreement, outcome: to === 'DECLINED' ? 'declined' : 'failed', code };
      };

      // authResult (SUCCESS/FAIL/ERROR) or our older `error`: anything but success binds nothing.
      if (input.error !== undefined && input.authCode !== undefined) throw reject('expected either authCode or error');
      const declined = input.error !== undefined || (input.authResult !== undefined && input.authResult !== 'SUCCESS');
      if (declined) {
        if (input.error !== undefined) return fail(input.error === USER_DECLINED ? 'DECLINED' : 'FAILED', input.error);
        return fail(input.authResult === 'FAIL' ? 'DECLINED' : 'FAILED', `AUTH_RESULT_${input.authResult!.slice(0, 40)}`);
      }
      if (input.authCode === undefined) throw reject('expected an authCode, authResult or error');

      if (!(await store.claimAgreementReturn(agreement.id, { now: now(), leaseMs: returnLeaseMs }))) throw reject('this authorisation is already being completed');
      // An unknown outcome anywhere before the decision: release, so the same return can be retried
      // (applyToken answers a valid code redeemed again with the same token).
      const unknown = async (error: unknown): Promise<never> => {
        await store.releaseAgreementReturn(agreement.id);
        if (error instanceof GatewayUnknownError) throw new AppError('GATEWAY_UNAVAILABLE');
        throw error;
      };
      let tokens: WalletTokens;
      let walletUser: string | null;
      let state;
      try {
        const answer = await gateway.exchangeAuthCode(input.authCode);
        if (!answer.ok) {
          options.log?.warn({ agreementId: agreement.id, code: answer.code }, 'agreement authCode refused');
          return await fail('FAILED', answer.code);
        }
        tokens = answer.value;
        walletUser = tokens.customerId;
        if (walletUser === null) {
          const user = await gateway.userId(tokens.accessToken);
          walletUser = user.ok ? user.value : null;
          if (!user.ok) options.log?.warn({ agreementId: agreement.id, code: user.code }, 'getUserInfo refused');
        }
        // The granted scope: only an agreement authorisation makes the wallet know this merchantAgreementId.
        state = await gateway.query(agreement.merchantAgreementId);
      } catch (error) {
        return unknown(error);
      }
      if (!state.ok || !ACTIVE_TOKEN_STATUSES.has(state.value.tokenStatus)) {
        options.log?.warn({ agreementId: agreement.id, code: state.ok ? state.value.tokenStatus : state.code }, 'the authCode grants no agreement (a sign-in code?)');
        return fail('FAILED', 'SCOPE_NOT_GRANTED');
      }
      if (walletUser === null || `alipayhk:${walletUser}` !== agreement.buyerId) {
        // Someone else's wallet agreed to this buyer's agreement: never usable. Cancel it at the wallet.
        const result = await fail('FAILED', walletUser === null ? 'WALLET_USER_UNKNOWN' : 'WALLET_USER_MISMATCH');
        try {
          const cancelled = await gateway.cancel(agreement.merchantAgreementId);
          if (!cancelled.ok) options.log?.error({ agreementId: agreement.id, code: cancelled.code }, 'could not cancel a mismatched agreement at the wallet');
        } catch (error) {
          if (!(error instanceof GatewayUnknownError)) throw error;
          options.log?.error({ agreementId: agreement.id, reason: error.message }, 'could not cancel a mismatched agreement at the wallet');
        }
        options.log?.warn({ agreementId: agreement.id }, 'wallet user is not the buyer: binding FAILED and cancelled at the wallet');
        return result;
      }
      const result = await store.transitionAgreement(agreement.id, ['PENDING'], 'ACTIVE', {
        at: at(),
        tokens: seal(agreement.id, tokens),
        customerId: walletUser,
        failureCode: null,
      });
      if (!result.transitioned) throw reject(`the agreement is already ${result.agreement.status}`);
      options.log?.info({ agreementId: agreement.id, accessTokenExpiresAt: tokens.accessTokenExpiresAt }, 'agreement bound');
      return { agreement: result.agreement, outcome: 'bound', code: null };
    },

    /**
     * The wallet says the user unbound (AlipayHK notify.cancel): REVOKED, tokens erased. Idempotent;
     * an unknown agreement changes nothing (the notice is still acknowledged).
     */
    async endByWallet(merchantAgreementId: string): Promise<AgreementRecord | null> {
      const agreement = await store.getAgreementByMerchantAgreementId(merchantAgreementId);
      if (!agreement) {
        options.log?.warn({ merchantAgreementId }, 'notify.cancel for an unknown agreement');
        return null;
      }
      const result = await store.transitionAgreement(agreement.id, ['ACTIVE', 'PENDING'], 'REVOKED', { at: now().toISOString(), failureCode: 'REVOKED_IN_WALLET' });
      if (result.transitioned) options.log?.info({ agreementId: agreement.id }, 'agreement revoked in the wallet (notify.cancel)');
      return result.agreement;
    },

    async list(buyerId: string): Promise<AgreementView[]> {
      const agreements = await store.listAgreements(buyerId, 20);
      return Promise.all(agreements.map(view));
    },

    /** The buyer's own agreement; an ACTIVE one is checked with the wallet when its status is older than a minute. */
    async get(id: string, buyerId: string): Promise<AgreementView> {
      let agreement = await own(id, buyerId);
      const checkedAt = agreement.statusCheckedAt ? Date.parse(agreement.statusCheckedAt) : 0;
      if (agreement.status === 'ACTIVE' && options.gateway && now().getTime() - checkedAt > statusMaxAgeMs) {
        try {
          const answer = await options.gateway.query(agreement.merchantAgreementId);
          if (answer.ok && answer.value.tokenStatus === 'REVOKED') agreement = await end(agreement, 'REVOKED', 'REVOKED_IN_WALLET');
          else if (!answer.ok && AGREEMENT_GONE_CODES.has(answer.code)) agreement = await end(agreement, 'REVOKED', answer.code);
          else if (answer.ok) await store.recordAgreementCheck(agreement.id, now().toISOString());
          else options.log?.warn({ agreementId: agreement.id, code: answer.code }, 'queryByAuthInfo refused');
        } catch (error) {
          if (!(error instanceof GatewayUnknownError)) throw error;
          options.log?.warn({ agreementId: agreement.id, reason: error.message }, 'queryByAuthInfo unanswered; showing the stored status');
        }
      }
      return view(agreement);
    },

    /** Unbinds: the wallet first (cancelByAuthInfo), then REVOKED; later charges are refused by us and by the wallet. */
    async revoke(id: string, buyerId: string): Promise<AgreementView> {
      const agreement = await own(id, buyerId);
      const at = now().toISOString();
      if (agreement.status === 'PENDING') {
        // Nothing is bound at the wallet yet; a later return finds no PENDING agreement.
        const result = await store.transitionAgreement(agreement.id, ['PENDING'], 'REVOKED', { at });
        if (result.transitioned || result.agreement.status !== 'ACTIVE') return view(result.agreement);
        // It became ACTIVE meanwhile (the wallet's return won the race): unbind it at the wallet below.
        return revokeActive(result.agreement);
      }
      if (agreement.status !== 'ACTIVE') return view(agreement);
      return revokeActive(agreement);
    },

    /** A charge without the shopper: priced here, capped per day, paid by agreement.pay. */
    async charge(input: { agreementId: string; buyerId: string; items: { sku: string; quantity: number }[]; idempotencyKey?: string | undefined }): Promise<ChargeResult> {
      enabled();
      const agreement = await own(input.agreementId, input.buyerId);
      const cart = priceCart(catalog, input.items);
      if (cart.currency !== options.currency) throw new AppError('CURRENCY_NOT_SUPPORTED', `Auto-debit charges are made in ${options.currency} only`);
      const requestHash = hashRequest({ agreementId: agreement.id, items: input.items });
      const idem = input.idempotencyKey ? { scope: idempotencyScope('agreement-charge', input.buyerId), key: input.idempotencyKey } : undefined;
      if (idem) {
        const existing = await store.findIdempotency(idem.scope, idem.key);
        if (existing) return replay(existing, requestHash, agreement, idem);
      }
      if (agreement.status !== 'ACTIVE') throw new AppError('AGREEMENT_NOT_ACTIVE', `The agreement is ${agreement.status}; bind the wallet again`);
      const createdAt = now();
      const day = hongKongDay(createdAt);
      // Checked before any gateway call (a refresh included); the insert checks again, atomically.
      const chargedToday = await store.sumAgreementCharges(agreement.id, day.dayStart, day.dayEnd);
      if (chargedToday + cart.total > options.dailyCap) throw capError(chargedToday, options.dailyCap, options.currency);
      const token = await tokenFor(agreement);
      const order: NewOrder = {
        id: newOrderId(),
        merchantTransId: newMerchantTransId(createdAt),
        channel: 'alipayhk',
        buyerId: input.buyerId,
        status: 'PENDING',
        currency: cart.currency,
        amount: cart.total,
        items: cart.lines,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + options.orderTtlMs).toISOString(),
        nextCheckAt: new Date(createdAt.getTime() + Math.min(60_000, options.orderTtlMs)).toISOString(),
      };
      let inserted;
      try {
        inserted = await store.insertAgreementCharge(
          order,
          { agreementId: agreement.id, buyerId: input.buyerId, dailyCap: options.dailyCap, ...day },
          idem ? idempotencyClaim(idem.scope, idem.key, requestHash) : undefined,
        );
      } catch (error) {
        if (error instanceof DailyCapExceededError) throw capError(error.chargedToday, error.dailyCap, options.currency);
        if (error instanceof AgreementNotActiveError) {
          throw error.status === null ? new AppError('AGREEMENT_NOT_FOUND') : new AppError('AGREEMENT_NOT_ACTIVE', `The agreement is ${error.status}; bind the wallet again`);
        }
        throw error;
      }
      if (!inserted.inserted) return replay(inserted.existing, requestHash, agreement, idem!);
      options.log?.info({ orderId: inserted.order.id, agreementId: agreement.id, merchantTransId: inserted.order.merchantTransId }, 'auto-debit charge created');
      return debit(inserted.order, token, idem);
    },
  };
}

function capError(chargedToday: number, dailyCap: number, currency: Currency): AppError {
  return new AppError(
    'DAILY_CAP_EXCEEDED',
    `This charge would exceed the agreement's daily limit (${dailyCap} ${currency} minor units; ${chargedToday} already charged today, Hong Kong time)`,
  );
}

export type AgreementService = ReturnType<typeof createAgreementService>;
