/**
 * The AlipayHK gateway endpoints. This plugin is its own encapsulation scope: its JSON parser hands
 * the raw body text to the handlers, because signatures cover the exact bytes sent.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import type { ControlStore } from '../control';
import { SandboxInputError } from '../errors';
import { SCRIPTED_MESSAGE, takeScriptedFailure } from '../scripted-failure';
import type { JsonObject } from '../input';
import { isObject } from '../input';
import type { Ledger } from '../ledger';
import type { Acquiring } from './acquiring';
import { JSON_UTF8, peekRequestHead, responseHead, sendSignedResponse } from './envelope';
import type { GatewayFunction } from './functions';
import { GATEWAY_FUNCTIONS, MERCHANT_FIELD, PROTOCOL_VERSION, gatewayPaths } from './functions';
import type { SandboxVariant } from '../config';
import { GATEWAY_HANDLERS } from './gateway-handlers';
import type { Oauth } from './oauth';
import { resultInfo } from './result-codes';
import type { ResultCode } from './result-codes';
import type { RsaKey } from './rsa-key';
import { SandboxSignatureError, verifyEnvelope } from './signature';

export interface GatewayDeps {
  ledger: Ledger;
  control: ControlStore;
  clock: Clock;
  acquiring: Acquiring;
  oauth: Oauth;
  /** The sandbox's base URL as this caller reaches it (for links such as `authSiteUrl`). */
  siteUrl(request: FastifyRequest): string;
  clientId: string;
  merchantId: string;
  gatewayKey: RsaKey;
  merchantKey: RsaKey;
  /** Release functions of held (timeout-mode) calls; the app releases them all before closing. */
  holds: Set<() => void>;
  variant: Readonly<SandboxVariant>;
}

function checkHead(head: unknown, fn: GatewayFunction, clientId: string): ResultCode | null {
  if (!isObject(head)) return 'PARAM_ILLEGAL';
  if (head.version !== PROTOCOL_VERSION) return 'PARAM_ILLEGAL';
  if (head.function !== fn) return 'FUNCTION_NOT_MATCH';
  if (head.clientId !== clientId) return 'INVALID_CLIENT_ID';
  const reqMsgId = head.reqMsgId;
  if (typeof reqMsgId !== 'string' || reqMsgId === '' || reqMsgId.length > 64) return 'PARAM_ILLEGAL';
  if (typeof head.reqTime !== 'string' || head.reqTime === '') return 'PARAM_ILLEGAL';
  return null;
}

export function createGatewayRoutes(deps: GatewayDeps): FastifyPluginAsync {
  const { ledger, control, clock, gatewayKey, merchantKey } = deps;

  async function handle(fn: GatewayFunction, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    ledger.countCall(fn);
    const failure = takeScriptedFailure(control, deps.holds);
    const unavailable = failure.transport(request, reply, () =>
      reply.code(503).header('content-type', JSON_UTF8).send({ error: 'SERVICE_UNAVAILABLE', message: SCRIPTED_MESSAGE }),
    );
    if (unavailable) return unavailable;
    const raw = typeof request.body === 'string' ? request.body : '';
    const fallback = { fn, clientId: deps.clientId };
    let payload: Record<string, unknown>;
    try {
      payload = verifyEnvelope('request', raw, merchantKey);
    } catch (error) {
      if (!(error instanceof SandboxSignatureError)) throw error;
      if (error.reason === 'MALFORMED_ENVELOPE') throw new SandboxInputError('MALFORMED_ENVELOPE', error.message);
      const head = responseHead(peekRequestHead(raw), fallback, clock);
      return sendSignedResponse(reply, gatewayKey, head, resultInfo('INVALID_SIGNATURE', error.message));
    }
    const head = responseHead(payload.head, fallback, clock);
    // Scripted unknown result: signed like a real answer, and nothing happened.
    const unknown = failure.beforeEffect(() =>
      sendSignedResponse(reply, gatewayKey, head, resultInfo('UNKNOWN_EXCEPTION', SCRIPTED_MESSAGE)),
    );
    if (unknown) return unknown;
    const scripted = control.takeFunctionFailure(fn);
    if (scripted) {
      // `pnpm sandbox fail-next <function>`: a signed U or F answer to that function only; nothing happened.
      return sendSignedResponse(
        reply,
        gatewayKey,
        head,
        resultInfo(scripted === 'U' ? 'UNKNOWN_EXCEPTION' : 'SCRIPTED_FAILURE', 'scripted failure (control.failFunction)'),
      );
    }
    const headProblem = checkHead(payload.head, fn, deps.clientId);
    if (headProblem) return sendSignedResponse(reply, gatewayKey, head, resultInfo(headProblem));
    const body = payload.body;
    if (!isObject(body)) return sendSignedResponse(reply, gatewayKey, head, resultInfo('PARAM_ILLEGAL', 'body must be an object'));
    if (body[MERCHANT_FIELD[fn]] !== deps.merchantId) return sendSignedResponse(reply, gatewayKey, head, resultInfo('MERCHANT_NOT_MATCH'));
    try {
      const context = { head: payload.head as JsonObject, siteUrl: deps.siteUrl(request) };
      const result = GATEWAY_HANDLERS[fn](body, { acquiring: deps.acquiring, oauth: deps.oauth, clock, variant: deps.variant }, context);
      // Scripted SYSTEM_ERROR: it happened, but the merchant is told F / SYSTEM_ERROR.
      const systemError = failure.afterEffect(request, reply, {
        systemError: () => sendSignedResponse(reply, gatewayKey, head, resultInfo('SYSTEM_ERROR', SCRIPTED_MESSAGE)),
      });
      if (systemError) return systemError;
      return sendSignedResponse(reply, gatewayKey, head, result.info, result.fields);
    } catch (error) {
      if (error instanceof SandboxInputError)
        return sendSignedResponse(reply, gatewayKey, head, resultInfo('PARAM_ILLEGAL', error.message));
      throw error;
    }
  }

  return async (scope) => {
    // Raw text in this scope only (the rest of the sandbox keeps Fastify's JSON parser). AlipayHK
    // speaks application/json only: any other content type gets 415, which catches client mistakes.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    for (const fn of GATEWAY_FUNCTIONS) {
      for (const path of gatewayPaths(fn, deps.variant)) scope.post(path, (request, reply) => handle(fn, request, reply));
    }
  };
}
