import type { OrderStatus, OrderView } from '@tradepay/shared';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { TradePayOutcome } from '../platform/types';
import { makeOrder, ORDER_ID } from '../testing/fakes';
import { DEFAULT_POLLING, QUIET_CONFIRM_TIMEOUT_MS, createCheckoutFlow, type CheckoutFlowDeps, type FlowEvent } from './checkout-flow';

const ITEMS = [{ sku: 'TEA-001', quantity: 2 }];

type Answer = OrderStatus | ApiError;

/**
 * A flow over a scripted BFF. `confirm` answers the confirm call; `gets` answer the polls in order
 * (the last one repeats). `sleep` advances the fake clock, so the backoff runs instantly.
 */
function setup(
  script: {
    outcome?: TradePayOutcome;
    confirm?: Answer;
    gets?: Answer[];
    cancel?: Answer;
    create?: ApiError;
    polling?: CheckoutFlowDeps['polling'];
  } = {},
) {
  let now = 1_000_000;
  const gets = [...(script.gets ?? ['PENDING'])];
  const answer = (a: Answer): OrderView => {
    if (a instanceof ApiError) throw a;
    return makeOrder(a);
  };
  const api = {
    createOrder: vi.fn(async (_body: unknown, _key: string) => {
      if (script.create) throw script.create;
      return { order: makeOrder('PENDING'), payment: { type: 'tradePay' as const, orderStr: 'signed-order-str' } };
    }),
    confirmOrder: vi.fn(async (_id: string, _code: string, _options?: { timeoutMs?: number }) => answer(script.confirm ?? 'PENDING')),
    getOrder: vi.fn(async (_id: string) => answer((gets.length > 1 ? gets.shift() : gets[0]) as Answer)),
    cancelOrder: vi.fn(async (_id: string, _options?: { timeoutMs?: number }) => answer(script.cancel ?? 'CANCELLED')),
  };
  const tradePay = vi.fn(async (_orderStr: string) => script.outcome ?? ({ kind: 'result', resultCode: '9000' } as TradePayOutcome));
  const sleeps: number[] = [];
  const flow = createCheckoutFlow({
    api,
    tradePay,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
    random: () => 0.5, // no jitter
    polling: script.polling,
  });
  const events: FlowEvent[] = [];
  const states = () => events.map((e) => e.state).filter((s, i, all) => s !== all[i - 1]);
  return { flow, api, tradePay, sleeps, events, states, pay: () => flow.pay(ITEMS, (e) => events.push(e)) };
}

const code = (resultCode: string): TradePayOutcome => ({ kind: 'result', resultCode });
const FAIL_CALLBACK: TradePayOutcome = { kind: 'fail', error: 3, errorMessage: 'cashier crashed' };

/**
 * docs/protocols/alipayhk.md#mini-program-result-codes / design.md "The mini program", copied here on purpose: if the shared table
 * changes, these tests must be changed by a person, not follow silently.
 */
const TABLE: { name: string; outcome: TradePayOutcome; sent: string; state: 'confirming' | 'failed' | 'cancelled' }[] = [
  { name: '9000 (succeeded: ask the BFF)', outcome: code('9000'), sent: '9000', state: 'confirming' },
  { name: '8000 (processing)', outcome: code('8000'), sent: '8000', state: 'confirming' },
  { name: '6004 (unknown)', outcome: code('6004'), sent: '6004', state: 'confirming' },
  { name: '6002 (network error)', outcome: code('6002'), sent: '6002', state: 'confirming' },
  { name: '6005 (client exception)', outcome: code('6005'), sent: '6005', state: 'confirming' },
  { name: '5000 (duplicate request)', outcome: code('5000'), sent: '5000', state: 'confirming' },
  { name: 'an unknown code (1234)', outcome: code('1234'), sent: '1234', state: 'confirming' },
  { name: 'the fail callback', outcome: FAIL_CALLBACK, sent: 'fail', state: 'confirming' },
  { name: '4000 (failed)', outcome: code('4000'), sent: '4000', state: 'failed' },
  { name: '4 (no permission)', outcome: code('4'), sent: '4', state: 'failed' },
  { name: '6001 (user cancelled)', outcome: code('6001'), sent: '6001', state: 'cancelled' },
  { name: '7001 (stopped by the client)', outcome: code('7001'), sent: '7001', state: 'cancelled' },
  { name: '99 (forgot password, iOS)', outcome: code('99'), sent: '99', state: 'cancelled' },
];

describe('checkout flow: a shopper who gave up is not left with an order awaiting payment', () => {
  it.each(['6001', '7001', '99', '4000'])('after %s the order is cancelled quietly (after the confirm)', async (resultCode) => {
    const t = setup({ outcome: code(resultCode), confirm: 'PENDING' });
    const result = await t.pay();
    expect(t.api.cancelOrder).toHaveBeenCalledTimes(1);
    expect(t.api.cancelOrder.mock.calls[0]?.[0]).toBe(ORDER_ID);
    expect(t.api.confirmOrder.mock.invocationCallOrder[0]).toBeLessThan(t.api.cancelOrder.mock.invocationCallOrder[0] as number);
    expect(result?.state).toBe(resultCode === '4000' ? 'failed' : 'cancelled');
    expect(result && 'order' in result ? result.order?.status : undefined).toBe('CANCELLED');
  });

  it.each(['9000', '8000', '6004', '6002', '4'])('after %s nothing is cancelled', async (resultCode) => {
    const t = setup({ outcome: code(resultCode), confirm: 'PENDING' });
    await t.pay();
    expect(t.api.cancelOrder).not.toHaveBeenCalled();
  });

  it('a failing cancel changes nothing for the shopper; a cancel finding it paid is success', async () => {
    const failing = setup({ outcome: code('6001'), confirm: 'PENDING', cancel: new ApiError('network', 'down') });
    expect((await failing.pay())?.state).toBe('cancelled');
    const paid = setup({ outcome: code('6001'), confirm: 'PENDING', cancel: 'SUCCEEDED' });
    expect((await paid.pay())?.state).toBe('succeeded');
  });
});

describe('checkout flow: every row of the result-code table', () => {
  describe.each(TABLE)('$name', ({ outcome, sent, state }) => {
    it(`maps to ${state} while the BFF still says PENDING`, async () => {
      const t = setup({ outcome, confirm: 'PENDING', gets: ['PENDING'] });
      const result = await t.pay();

      expect(t.api.confirmOrder).toHaveBeenCalledTimes(1);
      expect(t.api.confirmOrder.mock.calls[0]?.slice(0, 2)).toEqual([ORDER_ID, sent]);
      expect(result?.state).toBe(state);
      if (state === 'confirming') {
        // Polled up to the limit, then "still confirming": never succeeded from the code alone.
        expect(t.states()).toEqual(['creating', 'paying', 'confirming']);
        expect(t.api.getOrder).toHaveBeenCalledTimes(DEFAULT_POLLING.maxAttempts);
        expect(result).toMatchObject({ state: 'confirming', orderId: ORDER_ID, resultCode: sent });
      } else {
        // Failed and cancelled need no polling; the confirm is quiet and short.
        expect(t.states()).toEqual(['creating', 'paying']);
        expect(t.api.getOrder).not.toHaveBeenCalled();
        expect(t.api.confirmOrder.mock.calls[0]?.[2]).toEqual({ timeoutMs: QUIET_CONFIRM_TIMEOUT_MS });
        expect(result).toMatchObject({ state, resultCode: sent });
      }
    });

    it('shows succeeded when (and because) the BFF says SUCCEEDED', async () => {
      const t = setup({ outcome, confirm: 'SUCCEEDED' });
      const result = await t.pay();
      expect(result).toMatchObject({ state: 'succeeded', order: { status: 'SUCCEEDED' } });
      expect(t.states()).toEqual(state === 'confirming' ? ['creating', 'paying', 'confirming'] : ['creating', 'paying']);
    });
  });

  it.each(TABLE.filter((row) => row.state === 'confirming'))('$name: succeeded once a poll sees SUCCEEDED', async ({ outcome }) => {
    const t = setup({ outcome, confirm: 'PENDING', gets: ['PENDING', 'PENDING', 'SUCCEEDED'] });
    const result = await t.pay();
    expect(result?.state).toBe('succeeded');
    expect(t.api.getOrder).toHaveBeenCalledTimes(3);
  });

  it('9000 does not mean succeeded: the BFF saying FAILED wins', async () => {
    const t = setup({ outcome: code('9000'), confirm: 'FAILED' });
    expect(await t.pay()).toMatchObject({ state: 'failed', reason: 'order-failed' });
  });

  it('a failed or cancelled code stays failed/cancelled when the BFF says CANCELLED or FAILED', async () => {
    expect(await setup({ outcome: code('4000'), confirm: 'CANCELLED' }).pay()).toMatchObject({ state: 'failed', reason: 'payment-failed' });
    expect(await setup({ outcome: code('6001'), confirm: 'FAILED' }).pay()).toMatchObject({ state: 'cancelled' });
  });

  it('a cancel stays quiet when the confirm itself fails', async () => {
    const t = setup({ outcome: code('6001'), confirm: new ApiError('timeout', 'slow') });
    expect(await t.pay()).toMatchObject({ state: 'cancelled', resultCode: '6001' });
  });

  it('a rejected tradePay is treated like the fail callback', async () => {
    const t = setup({ confirm: 'PENDING' });
    t.tradePay.mockRejectedValueOnce(new Error('bridge gone'));
    const result = await t.pay();
    expect(t.api.confirmOrder.mock.calls[0]?.[1]).toBe('fail');
    expect(result?.state).toBe('confirming');
  });

  it('maps a refunded order to failed/order-refunded and a cancelled one to cancelled', async () => {
    expect(await setup({ confirm: 'REFUNDED' }).pay()).toMatchObject({ state: 'failed', reason: 'order-refunded' });
    expect(await setup({ confirm: 'CANCELLED' }).pay()).toMatchObject({ state: 'cancelled' });
  });
});

describe('checkout flow: BFF errors and timeouts', () => {
  it('a create timeout is a failed attempt the buyer can retry, with the same idempotency key', async () => {
    const t = setup({ create: new ApiError('timeout', 'no answer') });
    const first = await t.pay();
    expect(first).toMatchObject({ state: 'failed', reason: 'create-error', error: { kind: 'timeout' } });
    expect(t.tradePay).not.toHaveBeenCalled();

    await t.pay();
    const [firstKey, secondKey] = t.api.createOrder.mock.calls.map((call) => call[1]);
    expect(firstKey).toMatch(/^mp-/);
    expect(secondKey).toBe(firstKey);
  });

  it('a 5xx keeps the key; a 4xx or a different cart gets a new one', async () => {
    const t = setup({ create: new ApiError('http', 'boom', 503) });
    await t.pay();
    await t.pay();
    await t.flow.pay([{ sku: 'CUP-002', quantity: 1 }]);
    const keys = t.api.createOrder.mock.calls.map((call) => call[1]);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);

    const rejected = setup({ create: new ApiError('http', 'bad sku', 400, 'INVALID_ITEMS') });
    await rejected.pay();
    await rejected.pay();
    const [a, b] = rejected.api.createOrder.mock.calls.map((call) => call[1]);
    expect(b).not.toBe(a);
  });

  it('sends the items with channel alipayhk and nothing about money', async () => {
    const t = setup();
    await t.pay();
    expect(t.api.createOrder.mock.calls[0]?.[0]).toEqual({ items: ITEMS, channel: 'alipayhk' });
  });

  it('a redirect payment is reported, not run', async () => {
    const t = setup();
    t.api.createOrder.mockResolvedValueOnce({ order: makeOrder(), payment: { type: 'redirect', url: 'https://x' } } as never);
    expect(await t.pay()).toMatchObject({ state: 'failed', reason: 'unsupported-payment' });
    expect(t.tradePay).not.toHaveBeenCalled();
  });

  it('a failing confirm falls back to polling, and a poll that succeeds wins', async () => {
    const t = setup({ confirm: new ApiError('http', 'gateway down', 502), gets: [new ApiError('network', 'offline'), 'SUCCEEDED'] });
    expect(await t.pay()).toMatchObject({ state: 'succeeded' });
    expect(t.api.getOrder).toHaveBeenCalledTimes(2);
  });

  it('an unreachable BFF while confirming ends in "still confirming" carrying the last error', async () => {
    const t = setup({ confirm: new ApiError('timeout', 'slow'), gets: [new ApiError('timeout', 'slow')] });
    const result = await t.pay();
    expect(result).toMatchObject({ state: 'confirming', error: { kind: 'timeout' } });
  });
});

describe('checkout flow: polling', () => {
  it('backs off 1 s, 2 s, 4 s, then 5 s, and stops after maxAttempts', async () => {
    const t = setup({ confirm: 'PENDING', gets: ['PENDING'] });
    await t.pay();
    expect(t.sleeps).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000]);
  });

  it('stops at maxWaitMs even when attempts remain', async () => {
    const t = setup({ confirm: 'PENDING', polling: { maxAttempts: 100, maxWaitMs: 12_000 } });
    const result = await t.pay();
    // 1 + 2 + 4 + 5 = 12 s: the limit is reached after the fourth GET.
    expect(t.api.getOrder).toHaveBeenCalledTimes(4);
    expect(result?.state).toBe('confirming');
  });

  it.each([
    { random: 1, expected: [1200, 2400] },
    { random: 0, expected: [800, 1600] },
  ])('jitters each delay within ±20 % (random = $random)', async ({ random, expected }) => {
    let now = 0;
    const sleeps: number[] = [];
    const flow = createCheckoutFlow({
      api: {
        createOrder: async () => ({ order: makeOrder(), payment: { type: 'tradePay', orderStr: 's' } }),
        confirmOrder: async () => makeOrder(),
        getOrder: async () => makeOrder(),
        cancelOrder: async () => makeOrder('CANCELLED'),
      },
      tradePay: async () => ({ kind: 'result', resultCode: '8000' }),
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      now: () => now,
      random: () => random,
      polling: { maxAttempts: 2 },
    });
    await flow.pay(ITEMS);
    expect(sleeps).toEqual(expected);
  });

  it('recheck confirms again with the same code and polls anew', async () => {
    const t = setup({ outcome: code('8000'), confirm: 'PENDING' });
    const first = await t.pay();
    expect(first?.state).toBe('confirming');
    t.api.confirmOrder.mockResolvedValueOnce(makeOrder('SUCCEEDED'));
    const second = await t.flow.recheck(ORDER_ID, '8000');
    expect(second?.state).toBe('succeeded');
    expect(t.api.confirmOrder.mock.calls[1]?.slice(0, 2)).toEqual([ORDER_ID, '8000']);
  });
});

describe('checkout flow: no double submission', () => {
  it('a second pay while one is in flight does nothing', async () => {
    const t = setup();
    let release: (o: TradePayOutcome) => void = () => {};
    t.tradePay.mockImplementationOnce(() => new Promise((resolve) => (release = resolve)));
    const first = t.pay();
    await vi.waitFor(() => expect(t.tradePay).toHaveBeenCalled());
    expect(t.flow.busy).toBe(true);
    expect(await t.pay()).toBeNull();
    expect(await t.flow.recheck(ORDER_ID, '9000')).toBeNull();
    release(code('9000'));
    await first;
    expect(t.api.createOrder).toHaveBeenCalledTimes(1);
    expect(t.tradePay).toHaveBeenCalledTimes(1);
    expect(t.flow.busy).toBe(false);
  });

  it('frees the flow after a failure so the buyer can retry', async () => {
    const t = setup({ create: new ApiError('network', 'offline') });
    await t.pay();
    expect(t.flow.busy).toBe(false);
    await t.pay();
    expect(t.api.createOrder).toHaveBeenCalledTimes(2);
  });
});
