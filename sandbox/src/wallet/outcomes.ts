/**
 * What the wallet does for each scripted `my.tradePay` outcome, once for every gateway: whether and
 * when the money moves, when the first notification goes out, the `resultCode` the mini program sees,
 * and per protocol the status the transaction takes at once. AlipayHK and Latipay read the table
 * through `applyWalletOutcome`; the intents cashier (pay / cancel buttons) reads its status column.
 */
import type { ControlStore } from '../control';
import type { IntentStatus } from '../intents/ledger';
import type { LatipayPaymentStatus } from '../latipay/ledger';
import type { PaymentStatus, TradePayOutcome } from '../ledger';
import type { Timers } from '../timers';

export interface WalletOutcome {
  /** `my.tradePay`'s result code (docs/protocols/alipayhk.md#mini-program-result-codes), a string like the real API's. */
  resultCode: string;
  /** `now`: paid at once; `settles`: in progress, paid after `processingDelayMs` (scaled) unless closed meanwhile; `no`: not paid. */
  paid: 'now' | 'settles' | 'no';
  /** Once paid, the first notification: after `notifyDelayMs`, after `lateNotifyDelayMs` (scaled), or never. */
  notify: 'on-time' | 'late' | 'never';
  /** The status the transaction takes at once, per protocol; `null`: unchanged (still open, payable again). */
  status: { alipayhk: PaymentStatus | null; latipay: LatipayPaymentStatus | null; intents: IntentStatus | null };
}

export const WALLET_OUTCOMES = {
  success: { resultCode: '9000', paid: 'now', notify: 'on-time', status: { alipayhk: 'PAID', latipay: 'paid', intents: 'SUCCEEDED' } },
  fail: { resultCode: '4000', paid: 'no', notify: 'never', status: { alipayhk: 'FAILED', latipay: 'failed', intents: null } },
  // The buyer left: the transaction stays open and can be paid again. (The intents cashier's Cancel
  // button is the buyer closing the order, so there it is CANCELLED.)
  cancel: { resultCode: '6001', paid: 'no', notify: 'never', status: { alipayhk: null, latipay: null, intents: 'CANCELLED' } },
  processing: {
    resultCode: '8000',
    paid: 'settles',
    notify: 'on-time',
    status: { alipayhk: 'PROCESSING', latipay: 'processing', intents: null },
  },
  // Paid, but the gateway never notifies: only a query finds it.
  unknown: { resultCode: '6004', paid: 'now', notify: 'never', status: { alipayhk: 'PAID', latipay: 'paid', intents: null } },
  // Paid; the first notification comes late.
  network: { resultCode: '6002', paid: 'now', notify: 'late', status: { alipayhk: 'PAID', latipay: 'paid', intents: null } },
} as const satisfies Record<TradePayOutcome, WalletOutcome>;

/** How one gateway carries out a row of the table on its own transaction. */
export interface OutcomeHooks {
  /** Takes the row's status (its own protocol's column) when the outcome is not a payment: refused, left open, or in progress. */
  setStatus(status: WalletOutcome['status']): void;
  markPaid(): void;
  /** True while a `settles` transaction is still in progress (not closed meanwhile). */
  stillSettling(): boolean;
  /** Schedules the first notification after `delayMs`. */
  notify(delayMs: number): void;
}

/** Carries out `outcome` with the gateway's hooks; answers the row. */
export function applyWalletOutcome(outcome: TradePayOutcome, hooks: OutcomeHooks, control: ControlStore, timers: Timers): WalletOutcome {
  const row: WalletOutcome = WALLET_OUTCOMES[outcome];
  const paid = (): void => {
    hooks.markPaid();
    if (row.notify === 'on-time') hooks.notify(control.current.notifyDelayMs);
    if (row.notify === 'late') hooks.notify(control.scaled(control.current.lateNotifyDelayMs));
  };
  if (row.paid === 'now') {
    paid();
    return row;
  }
  hooks.setStatus(row.status);
  if (row.paid === 'settles') {
    timers.after(control.scaled(control.current.processingDelayMs), () => {
      // A cancel or close in the meantime wins: a closed transaction never settles.
      if (hooks.stillSettling()) paid();
    });
  }
  return row;
}
