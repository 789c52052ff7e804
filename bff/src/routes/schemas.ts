/** Schemas the route families share: the Idempotency-Key header and the error answers. */
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@tradepay/shared';

/** Printable ASCII, 8 to 128 characters. */
export const IdempotencyKeySchema = Type.String({ minLength: 8, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' });

export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(IdempotencyKeySchema) });

/** The error answers of the buyer and operator routes (`{error:{code,message}, requestId}`). */
export const ERROR_RESPONSES = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
  422: ErrorResponseSchema,
  502: ErrorResponseSchema,
};
