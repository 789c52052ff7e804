import { afterAll, describe, expect, it } from 'vitest';
import type { PaymentEvidence } from '../payments/channel';
import { newAgreement, newOrder, postgresUrl, STORE_FACTORIES } from '../../test/support/stores';
import {
  AgreementNotActiveError,
  DailyCapExceededError,
  RefundExceedsPaymentError,
  type AgreementTokens,
  type NewAgreement,
  type NewOrder,
  type Store,
} from '../payments/store';

if (!postgresUrl) console.info('store tests: PostgreSQL skipped (set DATABASE_URL=postgres://… to include it)');

function sealedTokens(n: number): AgreementTokens {
  return {
    accessTokenEnc: `v1.access.${n}`,
    refreshTokenEnc: `v1.refresh.${n}`,
    accessTokenExpiresAt: '2026-11-23T00:00:00.000Z',
    refreshTokenExpiresAt: '2026-12-22T00:00:00.000Z',
  };
}

function evidence(order: NewOrder, overrides: Partial<PaymentEvidence> = {}): PaymentEvidence {
  return {
    source: 'notification',
    merchantId: 'M1',
    merchantTransId: order.merchantTransId,
    gatewayTransactionId: `ACQ${order.id}`,
    amount: order.amount,
    currency: order.currency,
    paidAt: new Date().toISOString(),
    raw: '{"signed":true}',
    ...overrides,
  };
}

describe.each(STORE_FACTORIES)('$kind store', (factory) => {
  const opened: Store[] = [];
  async function fresh() {
    const made = await factory.create();
    opened.push(made.store);
    return {
      ...made,
      async reopen() {
        const other = await made.reopen();
        opened.push(other);
        return other;
      },
    };
  }
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  it('inserts and reads orders; migrations can run again', async () => {
    const { store, reopen } = await fresh();
    const o = newOrder();
    const result = await store.insertOrder(o);
    expect(result.inserted).toBe(true);
    const again = await reopen();
    expect(await again.getOrder(o.id)).toMatchObject({ id: o.id, status: 'PENDING', amount: 1000, refundedAmount: 0, items: o.items });
    expect(await again.getPaymentFactsByMerchantTransId(o.merchantTransId)).toEqual({
      id: o.id,
      channel: o.channel,
      merchantTransId: o.merchantTransId,
      status: 'PENDING',
      amount: 1000,
      currency: o.currency,
    });
    expect(await again.getPaymentFactsByMerchantTransId('TP-none')).toBeNull();
    await expect(store.insertOrder({ ...newOrder(), merchantTransId: o.merchantTransId })).rejects.toThrow();
  });

  it('claims an idempotency key once; the second insert gets the first claim back', async () => {
    const { store } = await fresh();
    const claim = { scope: 'create-order:guest:a', key: 'k1', requestHash: 'h1' };
    const first = await store.insertOrder(newOrder(), claim);
    const second = await store.insertOrder(newOrder(), claim);
    expect(first.inserted).toBe(true);
    expect(second.inserted).toBe(false);
    if (!second.inserted && first.inserted) expect(second.existing.orderId).toBe(first.order.id);
  });

  it('one write holds an order with its payment and the answer its idempotency key replays; a taken key stores nothing', async () => {
    const { store } = await fresh();
    const claim = { scope: 'create-order:guest:a', key: 'k-one-write', requestHash: 'h1' };
    const payment = { type: 'tradePay' as const, orderStr: 'signed-order-string' };
    const o = newOrder({ payment });
    const first = await store.insertOrder(o, claim, { status: 201, body: '{"order":{}}' });
    expect(first).toMatchObject({
      inserted: true,
      order: { id: o.id, payment, status: 'PENDING', refundedAmount: 0, updatedAt: o.createdAt },
    });
    // The record insertOrder answers with is exactly what a read gives back.
    if (first.inserted) expect(first.order).toEqual(await store.getOrder(o.id));
    expect(await store.findIdempotency(claim.scope, claim.key)).toMatchObject({
      orderId: o.id,
      requestHash: 'h1',
      responseStatus: 201,
      responseBody: '{"order":{}}',
    });

    const loser = newOrder({ payment });
    const second = await store.insertOrder(loser, claim, { status: 201, body: '{"other":true}' });
    expect(second).toMatchObject({ inserted: false, existing: { orderId: o.id, responseBody: '{"order":{}}' } });
    expect(await store.getOrder(loser.id)).toBeNull();

    // Without a claim, an order and its payment still go in together; without a payment, none is stored.
    const plain = newOrder({ payment });
    await store.insertOrder(plain);
    expect((await store.getOrder(plain.id))?.payment).toEqual(payment);
    const bare = newOrder();
    const inserted = await store.insertOrder(bare);
    expect((await store.getOrder(bare.id))?.payment).toBeNull();
    if (inserted.inserted) expect(inserted.order).toEqual(await store.getOrder(bare.id));
  });

  it('attaches a payment and the idempotent answer together', async () => {
    const { store } = await fresh();
    const claim = { scope: 'create-order:guest:a', key: 'k-attach', requestHash: 'h2' };
    const o = newOrder();
    await store.insertOrder(o, claim);
    expect(await store.findIdempotency(claim.scope, claim.key)).toMatchObject({ responseStatus: null, responseBody: null });
    await store.attachPayment(
      o.id,
      { type: 'tradePay', orderStr: 'later' },
      { scope: claim.scope, key: claim.key, status: 201, body: '{"late":1}' },
    );
    expect((await store.getOrder(o.id))?.payment).toEqual({ type: 'tradePay', orderStr: 'later' });
    expect(await store.findIdempotency(claim.scope, claim.key)).toMatchObject({ responseStatus: 201, responseBody: '{"late":1}' });
  });

  it('one transition into SUCCEEDED however many concurrent deliveries, across two handles', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const o = newOrder();
    await store.insertOrder(o);
    const deliveries = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? store : other).recordNotification(
        { channel: 'alipayhk', identity: `${o.merchantTransId}:S`, orderId: o.id, outcome: 'PAID', raw: '{}' },
        evidence(o),
      ),
    );
    const results = await Promise.all(deliveries);
    expect(results.filter((r) => r.transitioned)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(19);
    expect(await store.countTransitions(o.id, 'SUCCEEDED')).toBe(1);
    expect((await store.getOrder(o.id))?.status).toBe('SUCCEEDED');
  });

  it('never regresses a terminal state', async () => {
    const { store } = await fresh();
    const o = newOrder();
    await store.insertOrder(o);
    await store.markPaid(o.id, evidence(o), 'test');
    expect((await store.closeUnpaid(o.id, 'CANCELLED', 'late')).transitioned).toBe(false);
    expect((await store.markPaid(o.id, evidence(o), 'again')).transitioned).toBe(false);
    expect((await store.getOrder(o.id))?.status).toBe('SUCCEEDED');
  });

  it('answers a transition with the order exactly as a read gives it back', async () => {
    const { store } = await fresh();
    const [paid, notified, closed] = [newOrder(), newOrder(), newOrder()];
    for (const o of [paid, notified, closed]) await store.insertOrder({ ...o, payment: { type: 'tradePay', orderStr: `signed-${o.id}` } });
    const byMarkPaid = await store.markPaid(paid.id, evidence(paid, { paidAt: null }), 'query');
    expect(byMarkPaid.order).toMatchObject({ status: 'SUCCEEDED', gatewayTransactionId: `ACQ${paid.id}` });
    expect(byMarkPaid.order).toEqual(await store.getOrder(paid.id));
    const notify = (o: NewOrder, outcome: 'PAID' | 'NOT_PAID') =>
      store.recordNotification(
        { channel: 'alipayhk', identity: `${o.merchantTransId}:${outcome}`, orderId: o.id, outcome, raw: '{}' },
        evidence(o),
      );
    const byNotification = await notify(notified, 'PAID');
    expect(byNotification.transitioned).toBe(true);
    // A notification's answer names the order and its status (all its callers read).
    expect(byNotification.order).toEqual({ id: notified.id, status: 'SUCCEEDED' });
    expect((await store.getOrder(notified.id))?.status).toBe('SUCCEEDED');
    const unchanged = { transitioned: false, latePaymentRefund: null };
    expect(await notify(notified, 'PAID')).toEqual({ ...unchanged, duplicate: true, order: { id: notified.id, status: 'SUCCEEDED' } });
    expect(await notify(closed, 'NOT_PAID')).toEqual({ ...unchanged, duplicate: false, order: { id: closed.id, status: 'PENDING' } });
    const byClose = await store.closeUnpaid(closed.id, 'FAILED', 'expired');
    expect(byClose.order).toMatchObject({ status: 'FAILED' });
    expect(byClose.order).toEqual(await store.getOrder(closed.id));
  });

  it('answers a paid notification for a closed order with its late refund and the closed status', async () => {
    const { store } = await fresh();
    const o = newOrder();
    await store.insertOrder(o);
    await store.closeUnpaid(o.id, 'CANCELLED', 'expired');
    const late = await store.recordNotification(
      { channel: 'alipayhk', identity: `${o.merchantTransId}:S`, orderId: o.id, outcome: 'PAID', raw: '{}' },
      evidence(o),
    );
    expect(late).toMatchObject({ duplicate: false, transitioned: false, order: { id: o.id, status: 'CANCELLED' } });
    expect(late.latePaymentRefund).toMatchObject({ source: 'late-payment', orderId: o.id, amount: o.amount, status: 'PENDING' });
    expect(await store.listRefunds(o.id)).toEqual([late.latePaymentRefund]);
    expect((await store.getOrder(o.id))?.gatewayTransactionId).toBe(`ACQ${o.id}`);
  });

  it('records a payment after close as one refund, however often it arrives', async () => {
    const { store } = await fresh();
    const o = newOrder();
    await store.insertOrder(o);
    await store.closeUnpaid(o.id, 'CANCELLED', 'expired');
    const a = await store.markPaid(o.id, evidence(o), 'late 1');
    const b = await store.markPaid(o.id, evidence(o), 'late 2');
    expect(a.latePaymentRefund?.source).toBe('late-payment');
    expect(b.latePaymentRefund?.id).toBe(a.latePaymentRefund?.id);
    expect(await store.listRefunds(o.id)).toHaveLength(1);
    expect((await store.getOrder(o.id))?.status).toBe('CANCELLED');
  });

  it('keeps concurrent refunds within the paid amount', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const o = newOrder({ amount: 1000 });
    await store.insertOrder(o);
    await store.markPaid(o.id, evidence(o), 'paid');
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? store : other).createRefund({
          id: `rf_${o.id}_${i}`,
          orderId: o.id,
          merchantRefundId: `MR${o.id}${i}`,
          amount: 300,
          reason: 'r',
          source: 'admin',
        }),
      ),
    );
    const created = attempts.filter((a) => a.status === 'fulfilled');
    expect(created).toHaveLength(3);
    for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(RefundExceedsPaymentError);
  });

  it('applies refund outcomes to the order once', async () => {
    const { store } = await fresh();
    const o = newOrder({ amount: 1000 });
    await store.insertOrder(o);
    await store.markPaid(o.id, evidence(o), 'paid');
    const refund = (n: number, amount: number) =>
      store.createRefund({ id: `rf_${o.id}_${n}`, orderId: o.id, merchantRefundId: `M${n}${o.id}`, amount, reason: 'r', source: 'admin' });
    const r1 = await refund(1, 400);
    const r2 = await refund(2, 600);
    if (!r1.created || !r2.created) throw new Error('refunds not created');
    expect((await store.completeRefund(r1.refund.id, { status: 'SUCCEEDED', gatewayRefundId: 'g1' })).order).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: 400,
    });
    // A second answer for the same refund changes nothing.
    expect((await store.completeRefund(r1.refund.id, { status: 'SUCCEEDED', gatewayRefundId: 'g1' })).order.refundedAmount).toBe(400);
    expect((await store.completeRefund(r2.refund.id, { status: 'SUCCEEDED', gatewayRefundId: 'g2' })).order).toMatchObject({
      status: 'REFUNDED',
      refundedAmount: 1000,
    });
  });

  it('two claimers take disjoint orders, oldest first; a lapsed lease frees a row', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const orders = Array.from({ length: 10 }, () => newOrder());
    for (const o of orders) await store.insertOrder(o);
    const now = new Date(Date.UTC(2026, 10, 23));
    const [a, b] = await Promise.all([
      store.claimDueOrders({ owner: 'A', now, limit: 6, leaseMs: 60_000 }),
      other.claimDueOrders({ owner: 'B', now, limit: 6, leaseMs: 60_000 }),
    ]);
    const ids = [...a, ...b].map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(10);
    expect(a.map((o) => o.createdAt)).toEqual([...a.map((o) => o.createdAt)].sort());
    expect(await store.claimDueOrders({ owner: 'C', now, limit: 10, leaseMs: 60_000 })).toHaveLength(0);
    const later = new Date(now.getTime() + 61_000);
    expect(await store.claimDueOrders({ owner: 'C', now: later, limit: 10, leaseMs: 60_000 })).toHaveLength(10);
    await store.scheduleNextCheck(orders[0]!.id, {
      owner: 'C',
      checkedAt: later.toISOString(),
      nextCheckAt: new Date(later.getTime() + 3_600_000).toISOString(),
      attempts: 1,
    });
    expect(await store.getCheckState(orders[0]!.id)).toMatchObject({ attempts: 1, lastCheckedAt: later.toISOString() });
  });
  describe('auto-debit agreements', () => {
    const DAY = { dayStart: '2026-11-21T16:00:00.000Z', dayEnd: '2026-11-22T16:00:00.000Z' };
    const at = '2026-11-22T01:00:00.000Z';

    async function activeAgreement(store: Store, overrides: Partial<NewAgreement> = {}) {
      const a = await store.insertAgreement(newAgreement(overrides));
      const result = await store.transitionAgreement(a.id, ['PENDING'], 'ACTIVE', {
        at,
        tokens: sealedTokens(1),
        customerId: '2188000000000001',
      });
      expect(result.transitioned).toBe(true);
      return result.agreement;
    }

    /** A charge created inside DAY (the agreement id goes in the insert's arguments, not the order). */
    function charge(_agreementId: string, amount: number, overrides: Partial<NewOrder> = {}) {
      return newOrder({ amount, buyerId: 'alipayhk:2188000000000001', createdAt: '2026-11-22T02:00:00.000Z', ...overrides });
    }

    it("inserts, finds by id and merchantAgreementId, lists a buyer's own newest first; merchantAgreementId is unique", async () => {
      const { store, reopen } = await fresh();
      const a = newAgreement({ buyerId: 'guest:list' });
      const b = newAgreement({ buyerId: 'guest:list' });
      expect(await store.insertAgreement(a)).toMatchObject({
        id: a.id,
        status: 'PENDING',
        tokenVersion: 0,
        accessTokenEnc: null,
        activatedAt: null,
        endedAt: null,
      });
      await store.insertAgreement(b);
      await store.insertAgreement(newAgreement({ buyerId: 'guest:other' }));
      const again = await reopen();
      expect((await again.getAgreement(a.id))?.merchantAgreementId).toBe(a.merchantAgreementId);
      expect((await again.getAgreementByMerchantAgreementId(b.merchantAgreementId))?.id).toBe(b.id);
      expect(await again.getAgreement('agr_missing')).toBeNull();
      expect((await again.listAgreements('guest:list', 10)).map((x) => x.id)).toEqual([b.id, a.id]);
      await expect(store.insertAgreement(newAgreement({ merchantAgreementId: a.merchantAgreementId }))).rejects.toThrow();
    });

    it('one wallet return at a time: the claim is exclusive until released or lapsed, and only while PENDING', async () => {
      const { store, reopen } = await fresh();
      const other = await reopen();
      const a = await store.insertAgreement(newAgreement());
      const now = new Date(Date.UTC(2026, 10, 22, 1));
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? store : other).claimAgreementReturn(a.id, { now, leaseMs: 60_000 })),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claimAgreementReturn(a.id, { now: new Date(now.getTime() + 61_000), leaseMs: 60_000 })).toBe(true);
      await store.releaseAgreementReturn(a.id);
      expect(await store.claimAgreementReturn(a.id, { now, leaseMs: 60_000 })).toBe(true);
      await store.transitionAgreement(a.id, ['PENDING'], 'DECLINED', { at });
      expect(await store.claimAgreementReturn(a.id, { now: new Date(now.getTime() + 3_600_000), leaseMs: 60_000 })).toBe(false);
    });

    it('transitions are conditional (one winner); ACTIVE stores tokens, a final status erases them', async () => {
      const { store, reopen } = await fresh();
      const other = await reopen();
      const a = await store.insertAgreement(newAgreement());
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? store : other).transitionAgreement(a.id, ['PENDING'], 'ACTIVE', { at, tokens: sealedTokens(i), customerId: 'c' }),
        ),
      );
      expect(results.filter((r) => r.transitioned)).toHaveLength(1);
      const active = (await store.getAgreement(a.id))!;
      expect(active).toMatchObject({
        status: 'ACTIVE',
        customerId: 'c',
        tokenVersion: 1,
        activatedAt: at,
        statusCheckedAt: at,
        accessTokenExpiresAt: '2026-11-23T00:00:00.000Z',
      });
      expect(active.accessTokenEnc).toMatch(/^v1\.access\./);
      // Not from the allowed status: nothing moves.
      expect((await store.transitionAgreement(a.id, ['PENDING'], 'DECLINED', { at })).transitioned).toBe(false);
      const revoked = await store.transitionAgreement(a.id, ['ACTIVE'], 'REVOKED', { at: '2026-11-22T03:00:00.000Z', failureCode: null });
      expect(revoked.transitioned).toBe(true);
      expect(revoked.agreement).toMatchObject({
        status: 'REVOKED',
        accessTokenEnc: null,
        refreshTokenEnc: null,
        endedAt: '2026-11-22T03:00:00.000Z',
        tokenVersion: 2,
      });
      expect((await store.transitionAgreement(a.id, ['ACTIVE'], 'EXPIRED', { at })).transitioned).toBe(false);
      const failed = await store.insertAgreement(newAgreement());
      expect(
        (await store.transitionAgreement(failed.id, ['PENDING'], 'FAILED', { at, failureCode: 'AUTH_CODE_EXPIRED' })).agreement,
      ).toMatchObject({ status: 'FAILED', failureCode: 'AUTH_CODE_EXPIRED' });
    });

    it('refreshed tokens replace the stored ones only if nobody changed them first', async () => {
      const { store, reopen } = await fresh();
      const other = await reopen();
      const a = await activeAgreement(store);
      const [x, y] = await Promise.all([
        store.replaceAgreementTokens(a.id, a.tokenVersion, sealedTokens(2), at),
        other.replaceAgreementTokens(a.id, a.tokenVersion, sealedTokens(3), at),
      ]);
      expect([x.replaced, y.replaced].filter(Boolean)).toHaveLength(1);
      const after = (await store.getAgreement(a.id))!;
      expect(after.tokenVersion).toBe(a.tokenVersion + 1);
      expect(after.accessTokenEnc).toBe(x.replaced ? 'v1.access.2' : 'v1.access.3');
      await store.recordAgreementCheck(a.id, '2026-11-22T05:00:00.000Z');
      expect((await store.getAgreement(a.id))!.statusCheckedAt).toBe('2026-11-22T05:00:00.000Z');
      await store.transitionAgreement(a.id, ['ACTIVE'], 'REVOKED', { at });
      expect((await store.replaceAgreementTokens(a.id, after.tokenVersion, sealedTokens(4), at)).replaced).toBe(false);
    });

    it('a charge is inserted linked to its agreement only while ACTIVE and only for its buyer', async () => {
      const { store } = await fresh();
      const a = await activeAgreement(store);
      const args = { agreementId: a.id, buyerId: a.buyerId, dailyCap: 100_000, ...DAY };
      const inserted = await store.insertAgreementCharge(charge(a.id, 1000), args);
      expect(inserted.inserted && inserted.order).toMatchObject({ agreementId: a.id, status: 'PENDING', amount: 1000 });
      await expect(store.insertAgreementCharge(charge(a.id, 1000), { ...args, buyerId: 'alipayhk:someone-else' })).rejects.toBeInstanceOf(
        AgreementNotActiveError,
      );
      await expect(store.insertAgreementCharge(charge(a.id, 1000), { ...args, agreementId: 'agr_missing' })).rejects.toBeInstanceOf(
        AgreementNotActiveError,
      );
      await store.transitionAgreement(a.id, ['ACTIVE'], 'REVOKED', { at });
      const refused = store.insertAgreementCharge(charge(a.id, 1000), args);
      await expect(refused).rejects.toMatchObject({ status: 'REVOKED' });
      // A plain order has no agreement.
      const plain = newOrder();
      await store.insertOrder(plain);
      expect((await store.getOrder(plain.id))?.agreementId).toBeNull();
    });

    it('the daily cap holds under concurrent charges from two handles; failed and cancelled charges and other days do not count', async () => {
      const { store, reopen } = await fresh();
      const other = await reopen();
      const a = await activeAgreement(store);
      const args = { agreementId: a.id, buyerId: a.buyerId, dailyCap: 10_000, ...DAY };
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).insertAgreementCharge(charge(a.id, 3000), args)),
      );
      const inserted = attempts.filter((r) => r.status === 'fulfilled');
      expect(inserted).toHaveLength(3);
      for (const r of attempts) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DailyCapExceededError);
      expect(await store.sumAgreementCharges(a.id, DAY.dayStart, DAY.dayEnd)).toBe(9000);
      const [first, second] = inserted.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<Store['insertAgreementCharge']>>>).value);
      if (!first?.inserted || !second?.inserted) throw new Error('charges not inserted');
      await store.closeUnpaid(first.order.id, 'FAILED', 'declined');
      await store.markPaid(
        second.order.id,
        { ...evidence(charge(a.id, 3000)), merchantTransId: second.order.merchantTransId, amount: 3000 },
        'paid',
      );
      expect(await store.sumAgreementCharges(a.id, DAY.dayStart, DAY.dayEnd)).toBe(6000);
      await expect(store.insertAgreementCharge(charge(a.id, 4001), args)).rejects.toMatchObject({ chargedToday: 6000, dailyCap: 10_000 });
      expect((await store.insertAgreementCharge(charge(a.id, 4000), args)).inserted).toBe(true);
      // The next day starts from zero; the day before is not counted either.
      const nextDay = { dayStart: DAY.dayEnd, dayEnd: '2026-11-23T16:00:00.000Z' };
      expect(await store.sumAgreementCharges(a.id, nextDay.dayStart, nextDay.dayEnd)).toBe(0);
      expect(
        (await store.insertAgreementCharge(charge(a.id, 10_000, { createdAt: '2026-11-22T17:00:00.000Z' }), { ...args, ...nextDay }))
          .inserted,
      ).toBe(true);
    });

    it('a charge claims its idempotency key in the same transaction; a refused charge claims nothing', async () => {
      const { store } = await fresh();
      const a = await activeAgreement(store);
      const args = { agreementId: a.id, buyerId: a.buyerId, dailyCap: 5000, ...DAY };
      const claim = { scope: 'agreement-charge:alipayhk:2188000000000001', key: 'k-charge-1', requestHash: 'h1' };
      await expect(store.insertAgreementCharge(charge(a.id, 6000), args, claim)).rejects.toBeInstanceOf(DailyCapExceededError);
      expect(await store.findIdempotency(claim.scope, claim.key)).toBeNull();
      const first = await store.insertAgreementCharge(charge(a.id, 1000), args, claim);
      const second = await store.insertAgreementCharge(charge(a.id, 1000), args, claim);
      expect(first.inserted).toBe(true);
      expect(second.inserted).toBe(false);
      if (first.inserted && !second.inserted) expect(second.existing.orderId).toBe(first.order.id);
      expect(await store.sumAgreementCharges(a.id, DAY.dayStart, DAY.dayEnd)).toBe(1000);
    });
  });
});
