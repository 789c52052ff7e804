/** Error codes the sandbox's own (non-gateway) endpoints answer with, as `{error, message}`. */
export type SandboxErrorCode =
  'BAD_REQUEST' | 'UNKNOWN_FIELD' | 'INVALID_SIGNATURE' | 'INVALID_ORDER' | 'MALFORMED_ENVELOPE' | 'NOT_FOUND' | 'INTERNAL';

/** Untrusted input was refused: always a 4xx, never a crash. */
export class SandboxInputError extends Error {
  override readonly name = 'SandboxInputError';
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}
