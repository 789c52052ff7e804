/** Test and developer controls: `/sandbox/control`, `/sandbox/ledger`, `/sandbox/reset`. */
import type { FastifyPluginAsync } from 'fastify';
import type { ControlStore } from './control';
import { parseControlPatch } from './control';
import type { Ledger } from './ledger';

export interface ControlRouteDeps {
  control: ControlStore;
  ledger: Ledger;
  /** Clears ledger and control and stops pending timers and deliveries. */
  reset(): void;
}

export function createControlRoutes(deps: ControlRouteDeps): FastifyPluginAsync {
  return async (scope) => {
    scope.get('/sandbox/control', async () => deps.control.snapshot());
    scope.post('/sandbox/control', async (request) => deps.control.update(parseControlPatch(request.body)));
    scope.get('/sandbox/ledger', async () => deps.ledger.snapshot());
    scope.post('/sandbox/reset', async () => {
      deps.reset();
      return { ok: true, control: deps.control.snapshot() };
    });
  };
}
