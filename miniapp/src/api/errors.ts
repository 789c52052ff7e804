import { TransportError } from '../platform/types';

/**
 * Why a BFF call failed, in the terms the UI needs:
 * - `network` / `timeout`: no answer (the request may or may not have reached the BFF);
 * - `http`: the BFF answered 4xx/5xx (`code` is its SCREAMING_SNAKE error code when it sent one);
 * - `http-unknown`: an HTTP error whose status the platform did not report (`my.request` fail `{error: 19}`);
 * - `sign-in`: `my.getAuthCode` failed in a release build (no guest fallback there);
 * - `bad-response`: it answered 2xx with a body that is not contract v1.
 */
export type ApiErrorKind = 'network' | 'timeout' | 'http' | 'http-unknown' | 'bad-response' | 'sign-in';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the outcome is unknown (the BFF may have acted): retrying must reuse the same idempotency key. */
  get ambiguous(): boolean {
    if (this.kind === 'sign-in') return false;
    return this.kind !== 'http' || (this.status ?? 500) >= 500;
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TransportError) return new ApiError(error.kind === 'http' ? 'http-unknown' : error.kind, error.message);
  return new ApiError('network', error instanceof Error ? error.message : String(error));
}
