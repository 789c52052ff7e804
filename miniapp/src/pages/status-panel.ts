/**
 * The status panel under a page's main action (the checkout's payment, the auto-debit page's charge):
 * its tone, texts and next steps, and what both pages show while a payment has not ended.
 */
import type { ApiError } from '../api/errors';
import type { Messages } from '../i18n';

export type PanelTone = 'progress' | 'success' | 'warning' | 'error' | 'muted';

export interface StatusPanel {
  visible: boolean;
  tone: PanelTone;
  title: string;
  message: string;
  /** Small print: the error code behind the message, or ''. */
  code: string;
  checkAgain: boolean;
  viewOrder: boolean;
  newOrder: boolean;
}

/** The status panel when nothing is to be said. */
export const HIDDEN: StatusPanel = {
  visible: false,
  tone: 'muted',
  title: '',
  message: '',
  code: '',
  checkAgain: false,
  viewOrder: false,
  newOrder: false,
};

export function panel(
  tone: PanelTone,
  title: string,
  message: string,
  actions: Partial<Pick<StatusPanel, 'checkAgain' | 'viewOrder' | 'newOrder'>> = {},
): StatusPanel {
  return { ...HIDDEN, visible: true, tone, title, message, ...actions };
}

/** The texts of a payment (the checkout's `status`) or a charge (`autodebit`) while it runs. */
export interface RunningTexts {
  creating: string;
  confirming: string;
  stillConfirmingTitle: string;
  stillConfirming: string;
}

/**
 * The panel while a payment or a charge has not ended: hidden before it starts, progress while it is
 * created and confirmed, then "still confirming" when polling stopped. No "New order" or "New charge"
 * beside "don't pay again": the payment may still go through.
 */
export function runningPanel(
  state: 'idle' | 'creating' | 'confirming',
  outcome: { state: string; error?: ApiError } | null,
  texts: RunningTexts,
  t: Messages,
): StatusPanel {
  if (state === 'idle') return HIDDEN;
  if (state === 'creating') return panel('progress', texts.creating, '');
  if (outcome?.state !== 'confirming') return panel('progress', texts.confirming, '');
  const message = outcome.error ? `${texts.stillConfirming} ${t.status.unreachable}` : texts.stillConfirming;
  return panel('warning', texts.stillConfirmingTitle, message, { checkAgain: true, viewOrder: true });
}
