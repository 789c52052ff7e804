/**
 * `pnpm sandbox <command>`: drive the running sandbox gateway from a terminal, over its control and
 * wallet routes (and the BFF's admin API, to turn an order id into what the wallet needs):
 *
 *   pnpm sandbox pay <orderId> [--outcome success|fail|cancel|processing|unknown|network]
 *   pnpm sandbox notify <orderId>                 send the payment notification again, now
 *   pnpm sandbox drop-next <n>                    the next n payments are never notified
 *   pnpm sandbox fail-next <function> [--status U|F] [--count n]
 *   pnpm sandbox advance <duration>               e.g. 90s, 15m, 2h, 1d, 1h30m
 *   pnpm sandbox unbind <merchantAgreementId>     the user unbinds in the wallet app
 *   pnpm sandbox ledger [--order <orderId>]
 *
 * SANDBOX_URL (default http://127.0.0.1:$SANDBOX_PORT, 3100), BFF_URL (default http://127.0.0.1:$PORT,
 * 3000) and ADMIN_TOKEN (sandbox mode: $DATA_DIR/keys/admin-token) come from the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatMoney, isCurrency } from '@tradepay/shared';
import { ALIPAYHK_FUNCTIONS } from '../alipayhk/functions';

export interface SandboxCliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The commands that name what they act on (`ledger` alone takes none). */
const COMMANDS_WITH_ARG = ['pay', 'notify', 'drop-next', 'fail-next', 'advance', 'unbind'];

const USAGE = `usage: pnpm sandbox <command>
  pay <orderId> [--outcome success|fail|cancel|processing|unknown|network]
  notify <orderId>
  drop-next <n>
  fail-next <function> [--status U|F] [--count N]   function: ${Object.keys(ALIPAYHK_FUNCTIONS).join(', ')} (or its full name)
  advance <duration>                                e.g. 90s, 15m, 2h, 1d, 1h30m
  unbind <merchantAgreementId>
  ledger [--order <orderId>]`;

const OUTCOMES = ['success', 'fail', 'cancel', 'processing', 'unknown', 'network'];
/** What the wallet's resultCode means (the my.tradePay table, shared/src/trade-pay-result.ts). */
const LEFT_BEHIND: Record<string, string> = {
  success: 'paid; the signed notification follows',
  fail: "the sandbox closed its transaction (FAILED); the order stays PENDING until the reconciler's payQuery sees it closed and marks it FAILED",
  cancel:
    'the buyer left the cashier; the transaction stays open, so the order stays PENDING and payable again until it expires (then the reconciler cancels it)',
  processing: 'settles later; the notification follows then',
  unknown: 'paid, no notification: POST /api/orders/:id/confirm (or the reconciler) finds it by query',
  network: 'paid, the notification comes late',
};

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1h30m" → 5400000; refuses anything else. */
export function parseDuration(text: string): number {
  if (!/^(\d+(ms|s|m|h|d))+$/.test(text)) throw new Error(`not a duration: ${JSON.stringify(text)} (write e.g. 90s, 15m, 2h, 1d, 1h30m)`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * UNITS_MS[unit!]!;
  return total;
}

function money(amount: { currency: string; value: string } | null | undefined): string {
  if (!amount) return '—';
  return isCurrency(amount.currency) ? formatMoney(Number(amount.value), amount.currency) : `${amount.currency} ${amount.value}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

function adminToken(env: SandboxCliIo['env']): string | undefined {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  const file = join(resolve(env.DATA_DIR || '.data'), 'keys', 'admin-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

const OPTIONS = {
  outcome: { type: 'string' },
  status: { type: 'string' },
  count: { type: 'string' },
  order: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The command line read, or the error `parseArgs` gave (an unknown flag, a missing value). */
function readArgs(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return error as Error;
  }
}

export async function runSandboxCli(argv: string[], io: SandboxCliIo): Promise<number> {
  const parsed = readArgs(argv);
  if (parsed instanceof Error) {
    io.err(`${parsed.message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, arg] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  if (command !== 'ledger' && !(COMMANDS_WITH_ARG.includes(command) && arg)) {
    io.err(USAGE);
    return 2;
  }
  const sandboxUrl = (io.env.SANDBOX_URL || `http://127.0.0.1:${io.env.SANDBOX_PORT || 3100}`).replace(/\/+$/, '');
  const bffUrl = (io.env.BFF_URL || `http://127.0.0.1:${io.env.PORT || 3000}`).replace(/\/+$/, '');

  async function request(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new Error(`${base} does not answer (${(error as Error).message}): is \`pnpm start\` running?`);
    }
    const text = await res.text();
    const json = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const error = json?.error;
      throw new Error(
        `${method} ${path}: ${res.status} ${typeof error === 'object' ? `${error.code}: ${error.message}` : `${error ?? ''} ${json?.message ?? ''}`}`.trim(),
      );
    }
    return json;
  }
  const sandbox = (method: string, path: string, body?: unknown) => request(sandboxUrl, method, path, body);
  async function bff(path: string) {
    const token = adminToken(io.env);
    if (!token) throw new Error('ADMIN_TOKEN is not set (and no sandbox admin-token file was found under $DATA_DIR/keys)');
    return request(bffUrl, 'GET', path, undefined, { authorization: `Bearer ${token}` });
  }
  const orderOf = async (orderId: string) => (await bff(`/admin/orders/${encodeURIComponent(orderId)}`)).order;

  try {
    if (command === 'pay' && arg) {
      const outcome = values.outcome ?? 'success';
      if (!OUTCOMES.includes(outcome)) {
        io.err(`--outcome must be one of ${OUTCOMES.join(', ')}`);
        return 2;
      }
      const { payment } = await bff(`/admin/orders/${encodeURIComponent(arg)}/payment`);
      if (!payment) throw new Error(`order ${arg} has no payment action yet`);
      if (payment.type === 'redirect') {
        io.out(`order ${arg} is an H5 order: open ${payment.url} and press Pay or Cancel`);
        return 2;
      }
      const res = await fetch(`${sandboxUrl}/sandbox/wallet/tradePay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderStr: payment.orderStr, outcome }),
      });
      const answer = (await res.json()) as { resultCode: string; message?: string };
      if (!res.ok) throw new Error(`the wallet refused the orderStr: ${answer.resultCode} ${answer.message ?? ''}`);
      io.out(`order ${arg}: wallet answered resultCode ${answer.resultCode} (${outcome}): ${LEFT_BEHIND[outcome]}`);
      return 0;
    }
    if (command === 'notify' && arg) {
      const order = await orderOf(arg);
      const { notification } = await sandbox('POST', '/sandbox/notifications/resend', { merchantTransId: order.merchantTransId });
      io.out(
        `order ${arg}: notification ${notification.id} (merchantTransId ${order.merchantTransId}) sent again to ${notification.notifyUrl}`,
      );
      return 0;
    }
    if (command === 'drop-next' && arg) {
      if (!/^\d+$/.test(arg)) throw new Error(`drop-next wants a count, got ${arg}`);
      const control = await sandbox('POST', '/sandbox/control', { dropNext: Number(arg) });
      io.out(`the next ${control.dropNext} paid payment(s) will not be notified (confirm or the reconciler must find them)`);
      return 0;
    }
    if (command === 'fail-next' && arg) {
      const fn = (ALIPAYHK_FUNCTIONS as Record<string, string>)[arg] ?? arg;
      if (!(Object.values(ALIPAYHK_FUNCTIONS) as string[]).includes(fn))
        throw new Error(`unknown function ${arg}: one of ${Object.keys(ALIPAYHK_FUNCTIONS).join(', ')}`);
      const status = (values.status ?? 'U').toUpperCase();
      const count = values.count ? Number(values.count) : 1;
      const control = await sandbox('POST', '/sandbox/control', { failFunction: { function: fn, count, status } });
      io.out(
        `the next ${control.failFunction.count} call(s) of ${fn} answer ${status === 'U' ? 'U (result unknown)' : 'F (refused)'}, doing nothing`,
      );
      return 0;
    }
    if (command === 'advance' && arg) {
      const ms = parseDuration(arg);
      const result = await sandbox('POST', '/sandbox/clock/advance', { ms });
      io.out(
        `sandbox clock +${arg} (offset now ${result.clockOffsetMs} ms): ${result.timersRun} due timer(s) ran, ${result.timersPending} pending`,
      );
      return 0;
    }
    if (command === 'unbind' && arg) {
      const answer = await sandbox('POST', `/sandbox/wallet/agreements/${encodeURIComponent(arg)}/unbind`, {});
      io.out(
        `agreement ${arg} unbound in the wallet${answer?.agreement?.status ? ` (${answer.agreement.status})` : ''}: the shop is notified; later charges are refused`,
      );
      return 0;
    }
    // ledger [--order <orderId>]: the only command left once the others have answered.
    const ledger = await sandbox('GET', '/sandbox/ledger');
    const merchantTransId = values.order ? (await orderOf(values.order)).merchantTransId : undefined;
    const payments = (ledger.payments as any[]).filter((p) => !merchantTransId || p.merchantTransId === merchantTransId);
    if (payments.length === 0) {
      io.out(
        merchantTransId ? `no AlipayHK payment for order ${values.order} (merchantTransId ${merchantTransId}) yet` : 'the ledger is empty',
      );
      return 0;
    }
    const notes = (id: string) => (ledger.notifications as any[]).filter((n) => n.acquirementId === id);
    const rows = [['merchantTransId', 'status', 'amount', 'refunded', 'outcome', 'notifications', 'created']];
    for (const p of payments) {
      const n = notes(p.acquirementId);
      const currency = p.orderAmount?.currency ?? 'HKD';
      rows.push([
        p.merchantTransId,
        p.status,
        money(p.orderAmount),
        p.refundedMinor ? money({ currency, value: String(p.refundedMinor) }) : '—',
        p.outcome ?? '—',
        n.length ? n.map((x) => `${x.id} ${x.status} (${x.deliveries.length})`).join(', ') : '—',
        p.createdAt,
      ]);
    }
    for (const line of table(rows)) io.out(line);
    return 0;
  } catch (error) {
    io.err(`sandbox: ${(error as Error).message}`);
    return 1;
  }
}

/** `pnpm sandbox …`: the process ends with the command's exit code. */
async function main(): Promise<void> {
  const io: SandboxCliIo = { env: process.env, out: (line) => console.log(line), err: (line) => console.error(line) };
  process.exit(await runSandboxCli(process.argv.slice(2), io));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
