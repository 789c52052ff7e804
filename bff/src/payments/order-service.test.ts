import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store';
import { createOrderService, toOrderView, type OrderService } from './order-service';
import { openTestStore, paidEvidence, scriptedChannel, testCatalog } from './testing';

/** The order service's refusals, as outcomes: no HTTP, no thrown AppError. */
describe('order service outcomes', () => {
  let store: Store;
  let orders: OrderService;
  let answers: ReturnType<typeof scriptedChannel>['answers'];

  beforeEach(async () => {
    store = await openTestStore();
    const scripted = scriptedChannel(['HKD']);
    answers = scripted.answers;
    orders = createOrderService({
      store,
      catalog: testCatalog,
      channels: new Map([['alipayhk', scripted.channel]]),
      defaultChannel: 'alipayhk',
      orderTtlMs: 15 * 60_000,
      sleep: async () => undefined,
    });
  });
  afterEach(() => store.close());

  const create = (input: Partial<Parameters<OrderService['createOrder']>[0]> = {}) =>
    orders.createOrder({ items: [{ sku: 'tea', quantity: 2 }], buyerId: 'guest:1', clientIp: '127.0.0.1', ...input });

  async function created(): Promise<string> {
    const outcome = await create();
    if (outcome.kind !== 'ok') throw new Error(`expected an order, got ${outcome.kind}`);
    return outcome.value.body.order.id;
  }

  it('creates an order priced from the catalog', async () => {
    const outcome = await create();
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(outcome.value.body.order.amount).toEqual({ currency: 'HKD', value: '7600' });
    expect(outcome.value.replayed).toBe(false);
  });

  it('answers a new order as a read of it gives it back: the same view and the same payment', async () => {
    const outcome = await create({
      items: [
        { sku: 'tea', quantity: 2 },
        { sku: 'cake', quantity: 1 },
      ],
    });
    if (outcome.kind !== 'ok') throw new Error(`expected an order, got ${outcome.kind}`);
    const { order, payment } = outcome.value.body;
    const stored = (await store.getOrder(order.id))!;
    expect(order).toStrictEqual(toOrderView(stored));
    expect(stored.payment).toStrictEqual(payment);
    expect(JSON.stringify(order)).toBe(JSON.stringify(toOrderView(stored)));
  });

  it('refuses what pricing refuses, before storing anything', async () => {
    expect(await create({ items: [{ sku: 'nope', quantity: 1 }] })).toEqual({ kind: 'unknown-sku', sku: 'nope' });
    expect(
      await create({
        items: [
          { sku: 'tea', quantity: 1 },
          { sku: 'yen', quantity: 1 },
        ],
      }),
    ).toEqual({ kind: 'mixed-currencies' });
    expect(await create({ items: [] })).toEqual({ kind: 'empty-cart' });
    expect(await create({ items: [{ sku: 'tea', quantity: Number.MAX_SAFE_INTEGER }] })).toEqual({ kind: 'amount-too-large' });
    expect(await store.listOrders({ limit: 10 })).toEqual([]);
  });

  it('refuses a channel that is not configured, or that does not take the currency', async () => {
    expect(await create({ channel: 'latipay' })).toEqual({ kind: 'channel-unavailable', channel: 'latipay' });
    expect(await create({ items: [{ sku: 'yen', quantity: 1 }] })).toEqual({
      kind: 'channel-unavailable',
      channel: 'alipayhk',
      currency: 'JPY',
    });
  });

  it('replays a retry under the same key, and refuses the key with another body', async () => {
    const first = await create({ idempotencyKey: 'key-00000001' });
    const again = await create({ idempotencyKey: 'key-00000001' });
    expect(again).toEqual({ kind: 'ok', value: { body: (first as { value: { body: unknown } }).value.body, replayed: true } });
    expect(await create({ idempotencyKey: 'key-00000001', items: [{ sku: 'cake', quantity: 1 }] })).toEqual({
      kind: 'idempotency-key-reused',
    });
  });

  it('stores a first attempt under a key in one write, with no read of the key before it', async () => {
    const calls: string[] = [];
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const service = createOrderService({
      store: counted,
      catalog: testCatalog,
      channels: new Map([['alipayhk', scriptedChannel(['HKD']).channel]]),
      defaultChannel: 'alipayhk',
      orderTtlMs: 15 * 60_000,
    });
    const input = { items: [{ sku: 'tea', quantity: 1 }], buyerId: 'guest:1', clientIp: '127.0.0.1', idempotencyKey: 'key-00000002' };
    const first = await service.createOrder(input);
    expect(calls).toEqual(['insertOrder']);
    expect(await service.createOrder(input)).toEqual({
      kind: 'ok',
      value: { body: (first as { value: { body: unknown } }).value.body, replayed: true },
    });
  });

  it("answers order-not-found for a missing order and for another buyer's", async () => {
    const id = await created();
    expect((await orders.getOrder(id, 'guest:1')).kind).toBe('ok');
    expect(await orders.getOrder(id, 'guest:2')).toEqual({ kind: 'order-not-found' });
    expect(await orders.getOrder('ord_missing0000000000', 'guest:1')).toEqual({ kind: 'order-not-found' });
    expect(await orders.confirm(id, '9000', 'guest:2')).toEqual({ kind: 'order-not-found' });
    expect(await orders.cancel(id, 'guest:2')).toEqual({ kind: 'order-not-found' });
  });

  it('cancels an unpaid order; refuses when the gateway cannot say or will not cancel', async () => {
    const id = await created();
    answers.query = { status: 'UNKNOWN', reason: 'timeout' };
    expect(await orders.cancel(id, 'guest:1')).toEqual({ kind: 'gateway-unknown' });
    answers.query = { status: 'PENDING' };
    answers.cancel = { status: 'UNKNOWN', reason: 'timeout' };
    expect(await orders.cancel(id, 'guest:1')).toEqual({ kind: 'gateway-unknown' });
    answers.cancel = { status: 'REFUSED', code: 'OUT_OF_WINDOW' };
    expect(await orders.cancel(id, 'guest:1')).toEqual({ kind: 'cancel-refused', code: 'OUT_OF_WINDOW' });
    answers.cancel = { status: 'CANCELLED' };
    const cancelled = await orders.cancel(id, 'guest:1');
    expect(cancelled.kind === 'ok' && cancelled.value.status).toBe('CANCELLED');
  });

  it('refuses to cancel a paid order: already paid at the gateway, or already SUCCEEDED here', async () => {
    const id = await created();
    const order = (await store.getOrder(id))!;
    answers.query = { status: 'PAID', evidence: paidEvidence(order) };
    expect(await orders.cancel(id, 'guest:1')).toEqual({ kind: 'order-already-paid' });
    expect(await orders.cancel(id, 'guest:1')).toEqual({ kind: 'order-not-cancellable', status: 'SUCCEEDED' });
  });
});
