/**
 * Latipay's HTTP endpoints (docs/protocols/latipay.md): `POST /v2/minialipay`, `GET /v2/transaction/:ref`,
 * `POST /refund`. Answers are HTTP 200 JSON `{code, message, …}` like Latipay's, except the
 * scripted transport failures of `control.failNext` (timeout: no answer; 5xx: HTTP 503).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ControlStore } from '../control';
import { SandboxInputError } from '../errors';
import { SCRIPTED_MESSAGE, takeScriptedFailure } from '../scripted-failure';
import { readObject, rejectUnknownKeys, requireString } from '../input';
import type { LatipayGateway, LatipayReply } from './gateway';
import { latipayError } from './gateway';
import type { LatipayLedger } from './ledger';

export interface LatipayRouteDeps {
  gateway: LatipayGateway;
  ledger: LatipayLedger;
  control: ControlStore;
  /** Release functions of held calls; the app releases them all before closing. */
  holds: Set<() => void>;
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
    const failure = takeScriptedFailure(control, deps.holds);
    const early =
      failure.transport(request, reply, () => reply.code(503).send({ error: 'SERVICE_UNAVAILABLE', message: SCRIPTED_MESSAGE })) ??
      // `U` has no Latipay form: code 1 ("FAIL") says as little, and nothing happened.
      failure.beforeEffect(() => reply.send(latipayError(1, SCRIPTED_MESSAGE)));
    if (early) return early;
    const scripted: LatipayReply | undefined = gateway.takeScriptedError();
    if (scripted) return reply.send(scripted);
    const answer = run();
    // Done, but the answer is lost on the way back: the caller cannot tell it from a timeout.
    // SYSTEM_ERROR has no Latipay form: no effect here.
    const lost = failure.afterEffect(request, reply, { lost: true });
    if (lost) return lost;
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
      if (status !== 'canceled' && status !== 'rejected')
        throw new SandboxInputError('BAD_REQUEST', 'body.status must be canceled or rejected');
      if (!gateway.close(reference, status))
        throw new SandboxInputError('BAD_REQUEST', 'no open Latipay payment with this merchant_reference');
      return { merchant_reference: reference, status };
    });
  };
}
