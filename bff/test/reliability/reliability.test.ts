/**
 * The reliability scenarios at a size that fits CI (the full sizes run in `pnpm chaos`). Each must
 * end with nothing lost, nothing doubled, and I1–I6 held.
 */
import { describe, expect, it } from 'vitest';
import { duplicateDeliveries, gatewayFaults, killDuringDeliveriesAndRefunds, lostNotifications, type ScenarioResult } from './scenarios';

function expectClean(result: ScenarioResult) {
  expect(result.notes).toEqual([]);
  expect(result.invariants).not.toContain('BROKEN');
  expect(result).toMatchObject({ lost: 0, doubled: 0, invariantsHeld: true });
}

describe('reliability scenarios (CI size)', () => {
  it('3 instances, every notification delivered 3 times concurrently: one transition each, all acknowledged', async () => {
    const result = await duplicateDeliveries({ instances: 3, payments: 30 });
    expect(result.deliveries).toBeGreaterThanOrEqual(90);
    expectClean(result);
  }, 180_000);

  it('kill -9 during notification deliveries and refunds: 0 lost, 0 doubled', async () => {
    const result = await killDuringDeliveriesAndRefunds({ instances: 2, payments: 40, kills: 3, refunds: 10 });
    expect(result.kills).toBeGreaterThan(0);
    expect(result.refunds).toBe(10);
    expectClean(result);
  }, 300_000);

  it('the gateway failing 30 % of calls: every order and refund ends final, one effect per business id', async () => {
    const result = await gatewayFaults({ payments: 30, failRate: 0.3 });
    expect(result.faultsInjected).toBeGreaterThan(0);
    expectClean(result);
  }, 180_000);

  it('notifications lost for 20 % of payments: the reconciler finds them', async () => {
    const result = await lostNotifications({ payments: 40, dropRate: 0.2 });
    expect(result.faultsInjected).toBeGreaterThan(0);
    expectClean(result);
  }, 180_000);
});
