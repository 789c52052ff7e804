/**
 * The aggregator's hosted cashier, as a page a browser (or Playwright) can click: what the shopper
 * sees after the merchant redirects to `next_action.url`. Pay marks the intent SUCCEEDED and starts
 * the webhook; Cancel closes it (CANCELLED, no webhook: the aggregator documents only
 * `payment_success`). Both then send the browser back to the intent's return_url with a 302.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Clock } from '../clock';
import { WALLET_OUTCOMES } from '../wallet/outcomes';
import type { IntentsLedger, LedgerIntent } from './ledger';
import type { IntentsNotifier } from './notifier';
import type { IntentsCall } from './paths';

export interface CashierDeps {
  ledger: IntentsLedger;
  clock: Clock;
  notifier: IntentsNotifier;
}

const WALLET_NAMES: Record<string, string> = { ALIPAYHK: 'AlipayHK 支付寶香港', ALIPAYCN: 'Alipay 支付寶' };
const STATUS_TEXT: Record<string, string> = {
  PENDING: 'Waiting for payment · 等待付款',
  SUCCEEDED: 'Paid · 已付款',
  CANCELLED: 'Cancelled · 已取消',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, "Noto Sans CJK TC", sans-serif; margin: 0; background: #eef3fb; color: #1a1a1a; }
  main { max-width: 28rem; margin: 0 auto; padding: 1.5rem 1rem; }
  .card { background: #fff; border-radius: 12px; padding: 1.25rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  .banner { background: #1677ff; color: #fff; padding: .75rem 1rem; font-weight: 600; }
  .amount { font-size: 2rem; font-weight: 700; margin: .5rem 0; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem .75rem; font-size: .9rem; }
  h1 { font-size: 1.4rem; margin: 0; }
  dt { color: #666; white-space: nowrap; }
  dd { margin: 0; overflow-wrap: anywhere; }
  form { margin-top: 1rem; }
  button { width: 100%; font-size: 1.1rem; padding: .8rem; border-radius: 8px; border: 0; cursor: pointer; }
  .pay { background: #1677ff; color: #fff; }
  .cancel { background: #f0f0f0; color: #333; }
  .note { font-size: .8rem; color: #666; margin-top: 1rem; }
</style>
</head>
<body>
<div class="banner">TradePay sandbox cashier · 沙盒收銀台</div>
<main>${body}</main>
</body>
</html>`;
}

function cashierPage(intent: LedgerIntent): string {
  const actions =
    intent.status === 'PENDING'
      ? `<form method="post" action="${escapeHtml(intent.orderId)}/pay"><button class="pay" type="submit">Pay 付款 ${escapeHtml(intent.currency)} ${escapeHtml(intent.amount)}</button></form>
<form method="post" action="${escapeHtml(intent.orderId)}/cancel"><button class="cancel" type="submit">Cancel 取消</button></form>`
      : intent.returnUrl
        ? `<p><a href="${escapeHtml(intent.returnUrl)}">Back to the shop · 返回商店</a></p>`
        : '';
  return page(
    'Sandbox cashier',
    `<div class="card">
<h1>${escapeHtml(WALLET_NAMES[intent.wallet] ?? intent.wallet)}</h1>
<p class="amount">${escapeHtml(intent.currency)} ${escapeHtml(intent.amount)}</p>
<dl>
<dt>Order 訂單</dt><dd>${escapeHtml(intent.description)}</dd>
<dt>Reference 參考</dt><dd>${escapeHtml(intent.merchantOrderId)}</dd>
<dt>Status 狀態</dt><dd id="status">${escapeHtml(STATUS_TEXT[intent.status] ?? intent.status)}</dd>
</dl>
${actions}
<p class="note">No money moves: this page plays the wallet for the local sandbox. 沙盒模擬付款，不涉及真實款項。</p>
</div>`,
  );
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

export function createCashierRoutes(deps: CashierDeps): FastifyPluginAsync {
  const { ledger, clock, notifier } = deps;

  function back(reply: FastifyReply, intent: LedgerIntent): FastifyReply {
    if (intent.returnUrl) return reply.code(302).header('location', intent.returnUrl).send();
    return sendHtml(reply, 200, cashierPage(intent));
  }

  function action(call: IntentsCall, apply: (intent: LedgerIntent, reply: FastifyReply) => FastifyReply) {
    return async (request: { params: unknown }, reply: FastifyReply) => {
      ledger.countCall(call);
      const { id } = request.params as { id: string };
      const intent = ledger.find({ orderId: id });
      if (!intent) return sendHtml(reply, 404, page('Not found', '<div class="card"><h1>No such payment · 找不到付款</h1></div>'));
      return apply(intent, reply);
    };
  }

  return async (scope) => {
    // The buttons are plain HTML forms: accept their (empty) url-encoded bodies in this scope only.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) =>
      done(null, body),
    );

    scope.get('/sandbox/intents/cashier/:id', async (request, reply) => {
      const intent = ledger.find({ orderId: (request.params as { id: string }).id });
      if (!intent) return sendHtml(reply, 404, page('Not found', '<div class="card"><h1>No such payment · 找不到付款</h1></div>'));
      return sendHtml(reply, 200, cashierPage(intent));
    });

    scope.post(
      '/sandbox/intents/cashier/:id/pay',
      action('cashier.pay', (intent, reply) => {
        if (intent.status === 'CANCELLED') return sendHtml(reply, 409, cashierPage(intent));
        if (intent.status === 'PENDING') {
          intent.status = WALLET_OUTCOMES.success.status.intents;
          intent.paidAt = new Date(clock.now()).toISOString();
          notifier.schedule(intent, 'payment_success');
        }
        return back(reply, intent);
      }),
    );

    scope.post(
      '/sandbox/intents/cashier/:id/cancel',
      action('cashier.cancel', (intent, reply) => {
        if (intent.status === 'PENDING') {
          intent.status = WALLET_OUTCOMES.cancel.status.intents;
          intent.cancelledAt = new Date(clock.now()).toISOString();
          intent.cancelledBy = 'shopper';
        }
        return back(reply, intent);
      }),
    );
  };
}
