/**
 * Latipay's HTTP endpoints (docs/protocols/latipay.md): `POST /v2/minialipay`, `GET /v2/transaction/:ref`,
 * `POST /refund`. Answers are HTTP 200 JSON `{code, message, …}` like Latipay's, except the
 * scripted transport failures of `control.failNext` (timeout: no answer; 5xx: HTTP 503).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ControlStore } from '../control';
import { SandboxInputError } from '../errors';
import { readObject, rejectUnknownKeys, requireString } from '../input';
import type { LatipayGateway, LatipayReply } from './gateway';
import { latipayError } from './gateway';
import type { LatipayLedger } from './ledger';

/** How long a `failNext: timeout` call is held: longer than any sane client timeout. */
const HOLD_MS = 30_000;

export interface LatipayRouteDeps {
  gateway: LatipayGateway;
  ledger: LatipayLedger;
  control: ControlStore;
  /** Release functions of held calls; the app releases them all before closing. */
  holds: Set<() => void>;
}

function hold(request: FastifyRequest, reply: FastifyReply, holds: Set<() => void>): void {
  reply.hijack();
  const socket = request.raw.socket;
  const release = (): void => {
    clearTimeout(timer);
    holds.delete(release);
    socket.destroy();
  };
  const timer = setTimeout(release, HOLD_MS);
  timer.unref();
  holds.add(release);
  socket.once('close', release);
}

/**
 * The answer's JSON. With `number`, a decimal `amount` is written as a JSON number with its digits
 * kept (`"amount": 120.00`), as Latipay's query example prints it; with `string`, as a string.
 */
export function toLatipayJson(answer: unknown, amountForm: 'number' | 'string'): string {
  const text = JSON.stringify(answer);
  const amount = (answer as { amount?: unknown } | null)?.amount;
  if (amountForm === 'string' || typeof amount !== 'string' || !/^\d+(\.\d+)?$/.test(amount)) return text;
  // `amount` is a top-level key of a flat object: its one `"amount":"…"` is replaced.
  return text.replace(`"amount":${JSON.stringify(amount)}`, `"amount":${amount}`);
}

export function createLatipayRoutes(deps: LatipayRouteDeps): FastifyPluginAsync {
  const { gateway, ledger, control } = deps;

  /** Counts the call, then applies scripted failures before the real handler runs. */
  async function handle(endpoint: string, request: FastifyRequest, reply: FastifyReply, run: () => unknown): Promise<FastifyReply | void> {
    ledger.countCall(endpoint);
    const failure = control.takeFailure();
    if (failure === 'timeout') return hold(request, reply, deps.holds);
    if (failure === '5xx') return reply.code(503).send({ error: 'SERVICE_UNAVAILABLE', message: 'scripted failure (control.failNext)' });
    // `U` has no Latipay form: code 1 ("FAIL") says as little, and nothing happened.
    if (failure === 'U') return reply.send(latipayError(1, 'scripted failure (control.failNext)'));
    const scripted: LatipayReply | undefined = gateway.takeScriptedError();
    if (scripted) return reply.send(scripted);
    const answer = run();
    // Done, but the answer is lost on the way back: the caller cannot tell it from a timeout.
    if (failure === 'lost') return hold(request, reply, deps.holds);
    return reply.type('application/json; charset=utf-8').send(toLatipayJson(answer, control.current.forms.latipayAmount));
  }

  return async (scope) => {
    scope.post('/v2/minialipay', (request, reply) => handle('minialipay', request, reply, () => gateway.createMiniAlipay(request.body)));
    scope.get<{ Params: { ref: string }; Querystring: Record<string, unknown> }>('/v2/transaction/:ref', (request, reply) =>
      handle('transaction', request, reply, () => gateway.queryTransaction(request.params.ref, request.query ?? {})),
    );
    scope.post('/refund', (request, reply) => handle('refund', request, reply, () => gateway.refund(request.body)));
    // Sandbox only: Latipay closes an unpaid payment as `canceled` or `rejected` and calls back.
    scope.post('/sandbox/latipay/close', async (request) => {
      const body = readObject(request.body, 'body');
      rejectUnknownKeys(body, ['merchant_reference', 'status'], 'body');
      const reference = requireString(body, 'merchant_reference', 'body', { max: 64 });
      const status = body.status;
      if (status !== 'canceled' && status !== 'rejected') throw new SandboxInputError('BAD_REQUEST', 'body.status must be canceled or rejected');
      if (!gateway.close(reference, status)) throw new SandboxInputError('BAD_REQUEST', 'no open Latipay payment with this merchant_reference');
      return { merchant_reference: reference, status };
    });
  };
}
