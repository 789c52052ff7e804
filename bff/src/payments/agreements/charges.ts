/** Charges: an order priced here, capped per Hong Kong day, paid by agreement.pay, idempotent under a key. */
import { GatewayUnknownError, NotificationRejectedError } from '../../errors';
import { AgreementNotActiveError, DailyCapExceededError, type AgreementRecord, type IdempotencyRecord, type OrderRecord } from '../store';
import { AGREEMENT_GONE_CODES, known, TOKEN_REFRESH_CODES } from '../agreement-gateway';
import type { GatewayCall } from '../channel';
import { idempotencyClaim, idempotencyOutcome, idempotencyScope, requestHash as hashRequest } from '../idempotency';
import { newPendingOrder, toChannelOrder, toOrderView } from '../order-views';
import { priceCart } from '../pricing';
import { AgreementEndedError, hongKongDay, type AgreementContext } from './context';
import type { AgreementTokenOps } from './tokens';
import { ok, type AgreementRefusal, type Outcome } from '../outcomes';

/**
 * The answer once an order exists: `{order}` (201 paid, 202 still being confirmed), or the wallet's
 * refusal as the error body `{error:{code,message}}` the buyer sees (the order FAILED). It is the
 * answer an Idempotency-Key retry replays, stored as it was sent.
 */
export interface ChargeResult {
  statusCode: number;
  body: unknown;
  replayed: boolean;
}

type ChargeOutcome = Outcome<ChargeResult, AgreementRefusal>;

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function createAgreementCharges(ctx: AgreementContext, tokens: AgreementTokenOps) {
  const { options, store, now, available, enabled, end, own } = ctx;
  const { catalog, orders } = options;
  const { accessToken, retryToken } = tokens;

  /** The order and the refusal the buyer sees; the order is closed FAILED first. */
  async function refuse(
    order: OrderRecord,
    code: 'AGREEMENT_NOT_ACTIVE' | 'CHARGE_DECLINED',
    walletCode: string,
    idem: { scope: string; key: string } | undefined,
  ): Promise<ChargeResult> {
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
    const result: ChargeResult = {
      statusCode: order.status === 'PENDING' ? 202 : 201,
      body: { order: toOrderView(order) },
      replayed: false,
    };
    if (idem && order.status !== 'PENDING')
      await store.completeIdempotency(idem.scope, idem.key, result.statusCode, JSON.stringify(result.body));
    return result;
  }

  /**
   * Debits the wallet for a PENDING charge (also again, with the same merchantTransId, when an
   * Idempotency-Key retry finds the first attempt unfinished: the wallet answers a repeat without a
   * second debit).
   */
  async function debit(
    order: OrderRecord,
    token: string,
    idem: { scope: string; key: string } | undefined,
    call: GatewayCall | undefined,
  ): Promise<ChargeResult> {
    const { gateway } = enabled();
    let current = token;
    for (let attempt = 0; ; attempt += 1) {
      let result;
      try {
        result = known(await gateway.pay(toChannelOrder(order), current, call));
      } catch (error) {
        if (!(error instanceof GatewayUnknownError)) throw error;
        // Unknown: maybe debited. The order stays PENDING; confirm and the reconciler ask (payQuery) soon.
        options.log?.warn({ orderId: order.id, reason: error.message }, 'auto-debit outcome unknown; left PENDING for the query');
        const state = await store.getCheckState(order.id);
        await store.scheduleNextCheck(order.id, {
          owner: null,
          checkedAt: null,
          nextCheckAt: new Date(now().getTime() + 10_000).toISOString(),
          attempts: state.attempts,
        });
        return finish((await store.getOrder(order.id)) ?? order, idem);
      }
      if (result.status === 'PAID') {
        try {
          const paid = await orders.applyPaidEvidence(order, result.evidence, 'agreement.pay');
          options.log?.info({ orderId: order.id, agreementId: order.agreementId, status: paid.status }, 'auto-debit charged');
          return finish(paid, idem);
        } catch (error) {
          if (!(error instanceof NotificationRejectedError)) throw error;
          options.log?.error(
            { orderId: order.id, err: error },
            'agreement.pay answer does not match the order; left PENDING for the query',
          );
          return finish(order, idem);
        }
      }
      if (attempt === 0 && TOKEN_REFRESH_CODES.has(result.code)) {
        try {
          current = await retryToken(order.agreementId!, current, call);
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

  /** The access token, or the refusal of the token step. */
  async function tokenFor(agreement: AgreementRecord, call: GatewayCall | undefined): Promise<Outcome<string, AgreementRefusal>> {
    try {
      return ok(await accessToken(agreement, call));
    } catch (error) {
      if (error instanceof AgreementEndedError) return { kind: 'agreement-not-active', status: null };
      if (error instanceof GatewayUnknownError) return { kind: 'gateway-unknown' };
      throw error;
    }
  }

  async function replay(
    existing: IdempotencyRecord,
    requestHash: string,
    agreement: AgreementRecord,
    idem: { scope: string; key: string },
    call: GatewayCall | undefined,
  ): Promise<ChargeOutcome> {
    const outcome = idempotencyOutcome(existing, requestHash);
    if (outcome.kind === 'conflict') return { kind: 'idempotency-key-reused' };
    if (outcome.kind === 'replay') return ok({ statusCode: outcome.statusCode, body: outcome.body, replayed: true });
    const order = existing.orderId ? await store.getOrder(existing.orderId) : null;
    if (!order) return { kind: 'idempotency-key-in-use' };
    if (order.status !== 'PENDING') return ok({ ...(await finish(order, idem)), replayed: true });
    // The first attempt did not finish: drive the same charge (same merchantTransId) again.
    const token = await tokenFor(agreement, call);
    if (token.kind !== 'ok') return token;
    return ok({ ...(await debit(order, token.value, idem, call)), replayed: true });
  }

  return {
    /** A charge without the shopper: priced here, capped per day, paid by agreement.pay. */
    async charge(
      input: {
        agreementId: string;
        buyerId: string;
        items: { sku: string; quantity: number }[];
        idempotencyKey?: string | undefined;
      },
      call?: GatewayCall,
    ): Promise<ChargeOutcome> {
      if (!available()) return { kind: 'auto-debit-unavailable' };
      const agreement = await own(input.agreementId, input.buyerId);
      if (!agreement) return { kind: 'agreement-not-found' };
      const priced = priceCart(catalog, input.items);
      if (priced.kind !== 'ok') return priced;
      const cart = priced.value;
      if (cart.currency !== options.currency) return { kind: 'currency-not-supported', currency: options.currency };
      const requestHash = hashRequest({ agreementId: agreement.id, items: input.items });
      const idem = input.idempotencyKey
        ? { scope: idempotencyScope('agreement-charge', input.buyerId), key: input.idempotencyKey }
        : undefined;
      if (idem) {
        const existing = await store.findIdempotency(idem.scope, idem.key);
        if (existing) return replay(existing, requestHash, agreement, idem, call);
      }
      if (agreement.status !== 'ACTIVE') return { kind: 'agreement-not-active', status: agreement.status };
      const createdAt = now();
      const day = hongKongDay(createdAt);
      // Checked before any gateway call (a refresh included); the insert checks again, atomically.
      const chargedToday = await store.sumAgreementCharges(agreement.id, day.dayStart, day.dayEnd);
      if (chargedToday + cart.total > options.dailyCap) return capExceeded(chargedToday, options.dailyCap);
      const token = await tokenFor(agreement, call);
      if (token.kind !== 'ok') return token;
      const order = newPendingOrder({
        channel: 'alipayhk',
        buyerId: input.buyerId,
        cart,
        createdAt,
        orderTtlMs: options.orderTtlMs,
        firstCheckDelayMs: 60_000,
      });
      let inserted;
      try {
        inserted = await store.insertAgreementCharge(
          order,
          { agreementId: agreement.id, buyerId: input.buyerId, dailyCap: options.dailyCap, ...day },
          idem ? idempotencyClaim(idem.scope, idem.key, requestHash) : undefined,
        );
      } catch (error) {
        if (error instanceof DailyCapExceededError) return capExceeded(error.chargedToday, error.dailyCap);
        if (error instanceof AgreementNotActiveError) {
          return error.status === null ? { kind: 'agreement-not-found' } : { kind: 'agreement-not-active', status: error.status };
        }
        throw error;
      }
      if (!inserted.inserted) return replay(inserted.existing, requestHash, agreement, idem!, call);
      options.log?.info(
        { orderId: inserted.order.id, agreementId: agreement.id, merchantTransId: inserted.order.merchantTransId },
        'auto-debit charge created',
      );
      return ok(await debit(inserted.order, token.value, idem, call));
    },
  };

  function capExceeded(chargedToday: number, dailyCap: number): AgreementRefusal {
    return { kind: 'daily-cap-exceeded', chargedToday, dailyCap, currency: options.currency };
  }
}
