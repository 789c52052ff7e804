/**
 * The buyer session: `my.getAuthCode` → `POST /api/session {authCode}` → `{token}`, sent as
 * `Authorization: Bearer <token>` on every `/api/orders*` call.
 *
 * - When `my.getAuthCode` fails in the IDE/sandbox build (no app id there), the BFF is asked for a
 *   guest session (`{}`): the buyer can still pay; their orders follow that token only. A release build
 *   never falls back silently: the failure is an ApiError of kind `sign-in`, shown with Retry.
 * - A 404 from `/api/session` means a BFF without sessions: remembered for the app's lifetime, and
 *   calls go out without a token.
 * - Any other failure is an ApiError the buyer sees (with a retry), never a silent anonymous call.
 */
import type { AppGlobal, HttpRequester } from '../platform/types';
import { ApiError, toApiError } from './errors';
import { parseErrorBody } from './parse';

export interface SessionProvider {
  /** The bearer token, or null when the BFF has no sessions. Rejects with ApiError when the BFF failed. */
  token(): Promise<string | null>;
  /** Forget the token (after a 401) so the next `token()` signs in again. */
  invalidate(): void;
}

export type SessionState = NonNullable<AppGlobal['session']>;

export interface SessionOptions {
  request: HttpRequester;
  baseUrl: string;
  getAuthCode(): Promise<string>;
  /** Where the token lives; shared by every page through `getApp().globalData`. */
  state: SessionState;
  /** A release build: no guest session when `my.getAuthCode` fails. */
  release?: boolean;
  timeoutMs?: number;
}

export function createSessionProvider(options: SessionOptions): SessionProvider {
  const { request, baseUrl, state } = options;
  let pending: Promise<string | null> | null = null;

  async function signIn(): Promise<string | null> {
    let authCode: string | undefined;
    try {
      authCode = await options.getAuthCode();
    } catch (error) {
      if (options.release) throw new ApiError('sign-in', error instanceof Error ? error.message : String(error));
      authCode = undefined;
    }
    let response;
    try {
      const body = authCode ? { authCode } : {};
      response = await request({ method: 'POST', url: `${baseUrl}/api/session`, body, timeoutMs: options.timeoutMs ?? 10_000 });
    } catch (error) {
      throw toApiError(error);
    }
    if (response.status === 404) {
      state.unsupported = true;
      return null;
    }
    const body = response.body as { token?: unknown } | undefined;
    if (response.status >= 200 && response.status < 300 && typeof body?.token === 'string' && body.token !== '') {
      state.token = body.token;
      return body.token;
    }
    const { code, message } = parseErrorBody(response.body);
    throw new ApiError(
      response.status < 300 ? 'bad-response' : 'http',
      message ?? `POST /api/session answered ${response.status}`,
      response.status,
      code,
    );
  }

  return {
    async token() {
      if (state.unsupported) return null;
      if (state.token) return state.token;
      if (!pending) {
        // No Promise#finally: it is ES2018 and missing from older mini program engines.
        const clear = () => (pending = null);
        pending = signIn().then(
          (token) => (clear(), token),
          (error: unknown) => {
            clear();
            throw error;
          },
        );
      }
      return pending;
    },
    invalidate() {
      delete state.token;
    },
  };
}
