import { describe, expect, it } from 'vitest';
import type { AuditData, OrderRecord } from '../payments/store';
import { checkInvariants, type GatewayLedger } from './invariants';

const now = new Date('2026-11-22T12:00:00Z');

function order(id: string, status: OrderRecord['status'], extra: Partial<OrderRecord> = {}): OrderRecord {
  return {
    id,
    merchantTransId: `T${id}`,
    channel: 'alipayhk',
    buyerId: null,
    status,
    currency: 'HKD',
    amount: 1000,
    refundedAmount: 0,
    items: [],
    payment: null,
    gatewayTransactionId: null,
    createdAt: '2026-11-22T11:00:00Z',
    updatedAt: '2026-11-22T11:00:00Z',
    expiresAt: '2026-11-22T11:15:00Z',
    paidAt: null,
    ...extra,
  };
}

interface Data {
  store: AuditData;
  ledger: GatewayLedger;
}

function healthy(): Data {
  return {
    store: {
      orders: [order('a', 'SUCCEEDED'), order('b', 'CANCELLED')],
      transitions: [
        { orderId: 'a', from: 'PENDING', to: 'SUCCEEDED', reason: 'n', at: '' },
        { orderId: 'b', from: 'PENDING', to: 'CANCELLED', reason: 'x', at: '' },
      ],
      evidence: [{ orderId: 'a', source: 'notification', merchantId: 'M', merchantTransId: 'Ta', amount: 1000, currency: 'HKD' }],
      notifications: [{ channel: 'alipayhk', identity: 'Ta:1:S', orderId: 'a', outcome: 'PAID', deliveries: 1 }],
      refunds: [],
      checks: [{ orderId: 'b', lastCheckedAt: '2026-11-22T11:16:00Z' }],
    },
    ledger: {
      payments: [
        { merchantTransId: 'Ta', status: 'PAID', orderAmount: { currency: 'HKD', value: '1000' }, refundedMinor: 0 },
        { merchantTransId: 'Tb', status: 'CLOSED', orderAmount: { currency: 'HKD', value: '1000' }, refundedMinor: 0 },
      ],
      refunds: [],
      notifications: [{ merchantTransId: 'Ta', status: 'acknowledged' }],
    },
  };
}

const options = { merchantIds: { alipayhk: 'M' }, reconcilePeriodMs: 60_000, now };

describe('invariant checker', () => {
  it('passes a consistent store and ledger', () => {
    const { store, ledger } = healthy();
    const report = checkInvariants(store, ledger, options);
    expect(report.results.map((r) => [r.id, r.violations])).toEqual(['I1', 'I2', 'I3', 'I4', 'I5', 'I6'].map((id) => [id, []]));
    expect(report).toMatchObject({ ok: true, lost: 0, doubled: 0 });
  });

  it.each([
    ['I1', (d: Data): unknown => d.store.transitions.push({ orderId: 'a', from: 'PENDING', to: 'SUCCEEDED', reason: 'again', at: '' })],
    ['I1', (d: Data): unknown => d.store.transitions.push({ orderId: 'b', from: 'CANCELLED', to: 'SUCCEEDED', reason: 'x', at: '' })],
    ['I2', (d: Data): unknown => (d.store.evidence[0]!.amount = 1)],
    ['I3', (d: Data): unknown => (d.ledger.payments[1]!.status = 'PAID')],
    ['I3', (d: Data): unknown => (d.ledger.payments[0]!.status = 'CLOSED')],
    [
      'I4',
      (d: Data): unknown =>
        d.ledger.refunds.push(
          { merchantRefundId: 'R1', merchantTransId: 'Ta', refundAmount: { value: '1' } },
          { merchantRefundId: 'R1', merchantTransId: 'Ta', refundAmount: { value: '1' } },
        ),
    ],
    ['I5', (d: Data): unknown => (d.store.notifications = [])],
    ['I6', (d: Data): unknown => d.store.orders.push(order('c', 'PENDING'))],
  ] as const)('reports a broken %s', (id, breakIt) => {
    const data = healthy();
    breakIt(data);
    const report = checkInvariants(data.store, data.ledger, options);
    expect(report.ok).toBe(false);
    expect(report.results.find((r) => r.id === id)!.violations.length).toBeGreaterThan(0);
  });

  it('counts a late payment refunded by us as settled, not lost', () => {
    const data = healthy();
    data.ledger.payments[1]!.status = 'PAID';
    data.store.refunds.push({
      id: 'rf',
      orderId: 'b',
      merchantRefundId: 'LATETb',
      amount: 1000,
      currency: 'HKD',
      reason: 'late',
      source: 'late-payment',
      status: 'SUCCEEDED',
      gatewayRefundId: null,
      failureCode: null,
      attempts: 1,
      nextAttemptAt: null,
      createdAt: '',
      updatedAt: '',
    });
    expect(checkInvariants(data.store, data.ledger, options).lost).toBe(0);
  });
});
