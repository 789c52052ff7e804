/**
 * The scripted failures of `control.failNext` / `control.failRate`, applied the same way by every
 * gateway (AlipayHK, Latipay, intents). Each gateway says only how its protocol answers a mode;
 * a mode a gateway has no answer for has no effect there (see `FailMode` in ./control).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControlStore, FailMode } from './control';

/** How long a `failNext: timeout` (or `lost`) call is held without an answer: longer than any sane client timeout. */
export const HOLD_MS = 30_000;

/** Never answers: the socket is dropped when the client gives up, after HOLD_MS, or on close. */
export function hold(request: FastifyRequest, reply: FastifyReply, holds: Set<() => void>): FastifyReply {
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
  return reply;
}

/** What a protocol answers once the call took effect; an absent entry means the mode has no effect. */
export interface AfterEffectAnswers {
  /** `SYSTEM_ERROR`: it happened, but the caller is told a system error. */
  systemError?: () => FastifyReply;
  /** `lost`: it happened, then the answer never comes. */
  lost?: boolean;
}

/**
 * One call's scripted failure, drawn once at the start of the call. Each stage answers (and the
 * gateway returns that answer) or gives `undefined` and the call goes on.
 */
export interface ScriptedFailure {
  readonly mode: FailMode | undefined;
  /** Before anything is read: `timeout` holds the call, `5xx` answers `unavailable()`. */
  transport(request: FastifyRequest, reply: FastifyReply, unavailable: () => FastifyReply): FastifyReply | undefined;
  /** Before the handler runs: `U` answers `unknown()`, an answer that says nothing was done. */
  beforeEffect(unknown: () => FastifyReply): FastifyReply | undefined;
  /** After the handler ran: `SYSTEM_ERROR` and `lost`, where the protocol speaks them. */
  afterEffect(request: FastifyRequest, reply: FastifyReply, answers: AfterEffectAnswers): FastifyReply | undefined;
}

/** Consumes one scripted failure (or draws one at `failRate`) for the call starting now. */
export function takeScriptedFailure(control: ControlStore, holds: Set<() => void>): ScriptedFailure {
  const mode = control.takeFailure();
  return {
    mode,
    transport(request, reply, unavailable) {
      if (mode === 'timeout') return hold(request, reply, holds);
      if (mode === '5xx') return unavailable();
      return undefined;
    },
    beforeEffect(unknown) {
      return mode === 'U' ? unknown() : undefined;
    },
    afterEffect(request, reply, answers) {
      if (mode === 'SYSTEM_ERROR' && answers.systemError) return answers.systemError();
      if (mode === 'lost' && answers.lost) return hold(request, reply, holds);
      return undefined;
    },
  };
}

/** The message every scripted `failNext` answer carries. */
export const SCRIPTED_MESSAGE = 'scripted failure (control.failNext)';
