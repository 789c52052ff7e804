/** Request-head checks and signed replies shared by every gateway function. */
import type { FastifyReply } from 'fastify';
import type { Clock } from '../clock';
import { formatRfc3339 } from '../clock';
import type { JsonObject } from '../input';
import { isObject } from '../input';
import { PROTOCOL_VERSION } from './functions';
import type { ResultInfo } from './result-codes';
import type { RsaKey } from './rsa-key';
import { signEnvelope } from './signature';

export const JSON_UTF8 = 'application/json; charset=UTF-8';

/**
 * The head every envelope carries, fields in their order (docs/protocols/alipayhk.md#envelope): a
 * request stamps `reqTime`, a response `respTime`.
 */
export function envelopeHead<T extends { reqTime: string } | { respTime: string }>(
  fn: string,
  clientId: string,
  time: T,
  reqMsgId: string,
) {
  return { version: PROTOCOL_VERSION, function: fn, clientId, ...time, reqMsgId, reserve: '{}' };
}

export type ResponseHead = ReturnType<typeof responseHead>;

function echo(head: JsonObject | undefined, key: string, fallback: string, max: number): string {
  const value = head?.[key];
  return typeof value === 'string' && value.length <= max ? value : fallback;
}

/** Echoes function, clientId and reqMsgId from the request head (when they are usable strings). */
export function responseHead(requestHead: unknown, fallback: { fn: string; clientId: string }, clock: Clock) {
  const head = isObject(requestHead) ? requestHead : undefined;
  return envelopeHead(
    echo(head, 'function', fallback.fn, 128),
    echo(head, 'clientId', fallback.clientId, 32),
    { respTime: formatRfc3339(clock.now()) },
    echo(head, 'reqMsgId', '', 64),
  );
}

/** `{"response":{"head":…,"body":{resultInfo,…}},"signature":"…"}` signed with the gateway key. */
export function sendSignedResponse(
  reply: FastifyReply,
  gatewayKey: RsaKey,
  head: ResponseHead,
  info: ResultInfo,
  fields: Record<string, unknown> = {},
): FastifyReply {
  const text = signEnvelope('response', { head, body: { resultInfo: info, ...fields } }, gatewayKey);
  return reply.code(200).header('content-type', JSON_UTF8).send(text);
}

/** Best effort: the head of a body whose signature failed, so the refusal can echo reqMsgId. */
export function peekRequestHead(rawBody: string): unknown {
  try {
    const parsed: unknown = JSON.parse(rawBody);
    return isObject(parsed) && isObject(parsed.request) ? parsed.request.head : undefined;
  } catch {
    return undefined;
  }
}
