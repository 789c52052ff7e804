/**
 * Test and developer controls: `/sandbox/control`, `/sandbox/ledger`, `/sandbox/reset`, and for
 * `pnpm sandbox`: `/sandbox/clock/advance` and `/sandbox/notifications/resend`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Notifier } from './alipayhk/notifier';
import type { ControlStore } from './control';
import { parseControlPatch } from './control';
import { SandboxInputError } from './errors';
import { readNumber, readObject, readString, rejectUnknownKeys } from './input';
import type { Ledger } from './ledger';
import type { Timers } from './timers';

export interface ControlRouteDeps {
  control: ControlStore;
  ledger: Ledger;
  timers: Timers;
  notifier: Notifier;
  /** Clears ledger and control and stops pending timers and deliveries. */
  reset(): void;
}

const TEN_YEARS_MS = 3650 * 86_400_000;

export function createControlRoutes(deps: ControlRouteDeps): FastifyPluginAsync {
  return async (scope) => {
    scope.get('/sandbox/control', async () => deps.control.snapshot());
    scope.post('/sandbox/control', async (request) => deps.control.update(parseControlPatch(request.body)));
    scope.get('/sandbox/ledger', async () => deps.ledger.snapshot());
    scope.post('/sandbox/reset', async () => {
      deps.reset();
      return { ok: true, control: deps.control.snapshot() };
    });

    // `{ms}`: the sandbox clock moves forward (token expiry, cancel window) and every pending timer
    // (notification retries, settlements) comes `ms` closer; those now due run at once.
    scope.post('/sandbox/clock/advance', async (request) => {
      const body = readObject(request.body, 'body');
      rejectUnknownKeys(body, ['ms'], 'body');
      const ms = readNumber(body, 'ms', 'body', { min: 0, max: TEN_YEARS_MS, integer: true });
      if (ms === undefined) throw new SandboxInputError('BAD_REQUEST', 'body.ms is required');
      const control = deps.control.update({ clockOffsetMs: deps.control.current.clockOffsetMs + ms });
      return { clockOffsetMs: control.clockOffsetMs, timersRun: deps.timers.advance(ms), timersPending: deps.timers.pending };
    });

    // `{merchantTransId}`: a paid AlipayHK payment's notification chain starts again, now.
    scope.post('/sandbox/notifications/resend', async (request, reply) => {
      const body = readObject(request.body, 'body');
      rejectUnknownKeys(body, ['merchantTransId'], 'body');
      const merchantTransId = readString(body, 'merchantTransId', 'body', { max: 64 });
      const payment = deps.ledger.findPayment({ merchantTransId });
      if (!payment)
        return reply.code(404).send({ error: 'NOT_FOUND', message: `no AlipayHK payment with merchantTransId ${merchantTransId}` });
      if (payment.status !== 'PAID' || payment.notifyUrl === null) {
        return reply
          .code(409)
          .send({ error: 'NOT_PAID', message: `payment ${payment.acquirementId} is ${payment.status}: only a paid payment is notified` });
      }
      return { notification: deps.notifier.schedule(payment, 0) };
    });
  };
}
