import type { OrderStatus, OrderView } from '@tradepay/shared';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import { makeOrder, ORDER_ID } from '../testing/fakes';
import { UNKNOWN_OUTCOME_CODE, createChargeFlow, failReasonOf, type ChargeEvent } from './charge-flow';
import { DEFAULT_POLLING } from './checkout-flow';

const ITEMS = [{ sku: 'TEA-001', quantity: 1 }];
type Answer = OrderStatus | ApiError;

/** A charge flow over a scripted BFF: `charge` answers the POST; `confirm` and `gets` the polling. */
function setup(script: { charge?: Answer[]; confirm?: Answer; gets?: Answer[] } = {}) {
  let now = 1_000_000;
  const charges = [...(script.charge ?? ['SUCCEEDED'])];
  const gets = [...(script.gets ?? ['PENDING'])];
  const answer = (a: Answer): OrderView => {
    if (a instanceof ApiError) throw a;
    return makeOrder(a);
  };
  const api = {
    charge: vi.fn(async (_id: string, _body: unknown, _key: string) =>
      answer((charges.length > 1 ? charges.shift() : charges[0]) as Answer),
    ),
    confirmOrder: vi.fn(async (_id: string, _code: string) => answer(script.confirm ?? 'PENDING')),
    getOrder: vi.fn(async (_id: string) => answer((gets.length > 1 ? gets.shift() : gets[0]) as Answer)),
  };
  const flow = createChargeFlow({ api, sleep: async (ms) => void (now += ms), now: () => now, random: () => 0.5 });
  const events: ChargeEvent['state'][] = [];
  const run = () => flow.charge('agr_test0000000000000001', ITEMS, (e) => events.push(e.state));
  return { api, flow, events, run };
}

describe('charge flow', () => {
  it('a charge the BFF answers SUCCEEDED: creating → succeeded, no polling', async () => {
    const { run, api, events } = setup();
    const outcome = await run();
    expect(outcome).toMatchObject({ state: 'succeeded', order: { id: ORDER_ID, status: 'SUCCEEDED' } });
    expect(events).toEqual(['creating']);
    expect(api.charge).toHaveBeenCalledWith('agr_test0000000000000001', { items: ITEMS }, expect.stringMatching(/^mp-ad-/));
    expect(api.confirmOrder).not.toHaveBeenCalled();
  });

  it('a PENDING charge is confirmed (code 6004: "unknown, query") and polled until final', async () => {
    const { run, api, events } = setup({ charge: ['PENDING'], confirm: 'PENDING', gets: ['PENDING', 'SUCCEEDED'] });
    const outcome = await run();
    expect(outcome?.state).toBe('succeeded');
    expect(api.confirmOrder).toHaveBeenCalledWith(ORDER_ID, UNKNOWN_OUTCOME_CODE);
    expect(events).toEqual(['creating', 'confirming', 'confirming', 'confirming']);
  });

  it('a PENDING charge that stays PENDING ends as "still confirming" after the polling limit; recheck asks again', async () => {
    const { run, flow, api } = setup({ charge: ['PENDING'], gets: ['PENDING'] });
    const outcome = await run();
    expect(outcome).toMatchObject({ state: 'confirming', orderId: ORDER_ID });
    expect(api.getOrder).toHaveBeenCalledTimes(DEFAULT_POLLING.maxAttempts);
    api.getOrder.mockResolvedValue(makeOrder('FAILED'));
    expect(await flow.recheck(ORDER_ID)).toMatchObject({ state: 'failed', reason: 'order-failed' });
  });

  it.each([
    [new ApiError('http', 'x', 422, 'CHARGE_DECLINED'), 'declined'],
    [new ApiError('http', 'x', 409, 'AGREEMENT_NOT_ACTIVE'), 'inactive'],
    [new ApiError('http', 'x', 404, 'AGREEMENT_NOT_FOUND'), 'inactive'],
    [new ApiError('http', 'x', 422, 'DAILY_CAP_EXCEEDED'), 'over-limit'],
    [new ApiError('http', 'x', 400, 'VALIDATION_FAILED'), 'request-error'],
    [new ApiError('timeout', 'x'), 'request-error'],
  ] as const)('a refusal %o fails as %s', async (error, reason) => {
    expect(failReasonOf(error)).toBe(reason);
    const { run } = setup({ charge: [error] });
    expect(await run()).toMatchObject({ state: 'failed', reason, error });
  });

  it('a FAILED order is a failure; the order comes along', async () => {
    const { run } = setup({ charge: ['FAILED'] });
    expect(await run()).toMatchObject({ state: 'failed', reason: 'order-failed', order: { status: 'FAILED' } });
  });

  it('after an unknown outcome (timeout, 5xx) the same charge again reuses the Idempotency-Key; a clear refusal does not', async () => {
    const { run, api } = setup({
      charge: [
        new ApiError('timeout', 'x'),
        new ApiError('http', 'x', 503),
        new ApiError('http', 'x', 422, 'DAILY_CAP_EXCEEDED'),
        'SUCCEEDED',
      ],
    });
    await run();
    await run();
    await run();
    await run();
    const keys = api.charge.mock.calls.map((call) => call[2]);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe(keys[0]);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('ignores a second charge while one runs', async () => {
    const { flow, api } = setup({ charge: ['PENDING'], gets: ['PENDING', 'SUCCEEDED'] });
    const first = flow.charge('agr_test0000000000000001', ITEMS);
    expect(flow.busy).toBe(true);
    expect(await flow.charge('agr_test0000000000000001', ITEMS)).toBeNull();
    expect((await first)?.state).toBe('succeeded');
    expect(api.charge).toHaveBeenCalledTimes(1);
  });
});
