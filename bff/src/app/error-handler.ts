/** Error mapping: every failure leaves as `{error:{code,message}, requestId}`; 5xx messages are masked. */
import type { FastifyInstance } from 'fastify';
import { AppError, ERROR_CODES } from '../errors';
import { ChannelNotConfiguredError } from '../payments/channel';

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { code, statusCode, message } = toErrorBody(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, message }, 'request rejected');
    return reply.code(statusCode).send({ error: { code, message }, requestId: request.id });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: ERROR_CODES.NOT_FOUND.message }, requestId: request.id }),
  );
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message: string;
}

export function toErrorBody(error: unknown): { code: string; statusCode: number; message: string } {
  if (error instanceof AppError) return { code: error.code, statusCode: error.statusCode, message: error.message };
  // A stored order's channel configured out since: the same answer as a request naming it.
  if (error instanceof ChannelNotConfiguredError) return { code: 'CHANNEL_UNAVAILABLE', statusCode: 400, message: error.message };
  const e = error as FastifyLikeError;
  if (e.validation) return { code: 'VALIDATION_FAILED', statusCode: 400, message: e.message };
  if (e.statusCode === 429) return { code: 'RATE_LIMITED', statusCode: 429, message: e.message || ERROR_CODES.RATE_LIMITED.message };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { code: 'BODY_TOO_LARGE', statusCode: 413, message: ERROR_CODES.BODY_TOO_LARGE.message };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { code: 'UNSUPPORTED_MEDIA_TYPE', statusCode: 415, message: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE.message };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { code: 'VALIDATION_FAILED', statusCode: e.statusCode, message: e.message };
  }
  return { code: 'INTERNAL', statusCode: 500, message: ERROR_CODES.INTERNAL.message };
}
