/**
 * The operators' command line, talking to a running BFF over its admin API (so refunds keep their
 * idempotency and every rule of the server):
 *
 *   pnpm admin orders [--status PENDING] [--limit 20]
 *   pnpm admin order <orderId>
 *   pnpm admin refund <orderId> [amount, e.g. 10.00] [--reason text] [--key idempotency-key]
 *
 * Amounts print for people (`HK$84.00`) and are typed as people write them (`10.00`, `10.5`); the
 * admin API itself keeps minor units.
 *
 * BFF_URL (default http://127.0.0.1:$PORT) and ADMIN_TOKEN (sandbox mode: read from
 * $DATA_DIR/keys/admin-token) come from the environment.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatMoney, isCurrency, parseMoneyInput, type Amount } from '@tradepay/shared';

export interface AdminIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: typeof fetch;
}

const USAGE = `usage:
  pnpm admin orders [--status PENDING|SUCCEEDED|FAILED|CANCELLED|PARTIALLY_REFUNDED|REFUNDED] [--limit N]
  pnpm admin order <orderId>
  pnpm admin refund <orderId> [AMOUNT, e.g. 10.00 or 10.5] [--reason TEXT] [--key IDEMPOTENCY_KEY]`;

/** A wire amount (minor units) for people: `HK$84.00`. */
function money(amount: Amount | { currency: string; value: string }): string {
  return isCurrency(amount.currency)
    ? formatMoney(Number(amount.value), amount.currency)
    : `${amount.currency} ${amount.value} (minor units)`;
}

function adminToken(env: AdminIo['env']): string | undefined {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  const file = join(resolve(env.DATA_DIR || '.data'), 'keys', 'admin-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const token = adminToken(io.env);
  if (!token) {
    io.err('ADMIN_TOKEN is not set (and no sandbox admin-token file was found under $DATA_DIR/keys)');
    return 2;
  }
  const base = (io.env.BFF_URL || `http://127.0.0.1:${io.env.PORT || 3000}`).replace(/\/+$/, '');
  const doFetch = io.fetch ?? fetch;
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await doFetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${res.status} ${json?.error?.code ?? ''}: ${json?.error?.message ?? JSON.stringify(json)}`);
    return json;
  }
  try {
    if (command === 'orders') {
      const query = new URLSearchParams();
      if (values.status) query.set('status', values.status);
      if (values.limit) query.set('limit', values.limit);
      const { orders } = await call('GET', `/admin/orders${query.size ? `?${query}` : ''}`);
      if (orders.length === 0) io.out('no orders');
      for (const o of orders) {
        io.out(
          [o.id, o.status.padEnd(18), money(o.amount).padStart(14), `refunded ${money(o.refundedAmount)}`.padEnd(24), o.createdAt].join(
            '  ',
          ),
        );
      }
      return 0;
    }
    if (command === 'order' && rest[0]) {
      const { order, refunds } = await call('GET', `/admin/orders/${rest[0]}`);
      io.out(
        `order ${order.id} ${order.status} ${money(order.amount)} (refunded ${money(order.refundedAmount)}), channel ${order.channel}, created ${order.createdAt}`,
      );
      for (const item of order.items) io.out(`  ${item.quantity} × ${item.sku} (${item.title}) at ${money(item.unitPrice)}`);
      for (const r of refunds)
        io.out(`  refund ${r.id} ${r.status} ${money(r.amount)} (merchantRefundId ${r.merchantRefundId}) ${r.createdAt}`);
      return 0;
    }
    if (command === 'refund' && rest[0]) {
      const [orderId, typed] = rest;
      let amount: string | undefined;
      if (typed !== undefined) {
        // The order's currency decides how the typed amount reads (HK$ has cents, JP¥ has none).
        const { order } = await call('GET', `/admin/orders/${orderId}`);
        try {
          amount = String(parseMoneyInput(typed, order.amount.currency));
        } catch (error) {
          io.err(`amount: ${(error as Error).message}`);
          return 2;
        }
        if (amount === '0') {
          io.err('amount: a refund must be more than zero');
          return 2;
        }
      }
      // One key per invocation unless given: rerun with --key to retry the very same refund.
      const key = values.key ?? `cli-${randomUUID()}`;
      const body = { ...(amount ? { amount } : {}), ...(values.reason ? { reason: values.reason } : {}) };
      const { refund, order } = await call('POST', `/admin/orders/${orderId}/refunds`, body, { 'idempotency-key': key });
      io.out(`refund ${refund.id} ${refund.status} ${money(refund.amount)} (merchantRefundId ${refund.merchantRefundId}, key ${key})`);
      io.out(`order ${order.id} is now ${order.status}, refunded ${money(order.refundedAmount)} of ${money(order.amount)}`);
      if (refund.status === 'PENDING') io.out('the gateway has not confirmed yet: the reconciler retries it with the same id');
      return refund.status === 'FAILED' ? 1 : 0;
    }
    io.err(USAGE);
    return 2;
  } catch (error) {
    io.err(`admin: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAdmin(process.argv.slice(2), { env: process.env, out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) =>
    process.exit(code),
  );
}
