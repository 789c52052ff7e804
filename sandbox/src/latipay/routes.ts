/**
 * Latipay's HTTP endpoints (docs/protocols/latipay.md): `POST /v2/minialipay`, `GET /v2/transaction/:ref`,
 * `POST /refund`. Answers are HTTP 200 JSON `{code, message, …}` like Latipay's, except the
 * scripted transport failures of `control.failNext` (timeout: no answer; 5xx: HTTP 503).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ControlStore } from '../control';
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
    return reply.send(run());
  }

  return async (scope) => {
    scope.post('/v2/minialipay', (request, reply) => handle('minialipay', request, reply, () => gateway.createMiniAlipay(request.body)));
    scope.get<{ Params: { ref: string }; Querystring: Record<string, unknown> }>('/v2/transaction/:ref', (request, reply) =>
      handle('transaction', request, reply, () => gateway.queryTransaction(request.params.ref, request.query ?? {})),
    );
    scope.post('/refund', (request, reply) => handle('refund', request, reply, () => gateway.refund(request.body)));
  };
}
