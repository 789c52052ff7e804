/**
 * POST /api/session: a buyer signs in. With an `authCode` from `my.getAuthCode`, the wallet vouches
 * for the buyer (applyToken) and the session names them, so their orders follow them across
 * devices. Without one (a mobile browser), the session is a fresh guest: the orders it creates are
 * visible only to whoever holds that token.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema, SessionBodySchema, SessionResponseSchema } from '@tradepay/shared';
import { BuyerAuthError } from '../auth/identity';
import { AppError } from '../errors';

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Exchange a wallet authCode (or nothing, for a guest) for a session token',
        body: SessionBodySchema,
        response: { 200: SessionResponseSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema, 502: ErrorResponseSchema },
      },
    },
    async (request) => {
      let buyerId: string;
      if (request.body.authCode) {
        try {
          buyerId = (await app.identity.exchangeAuthCode(request.body.authCode, { requestId: request.id })).buyerId;
        } catch (error) {
          if (error instanceof BuyerAuthError) {
            throw error.kind === 'rejected'
              ? new AppError('UNAUTHORIZED', 'The wallet did not accept this authCode')
              : new AppError('GATEWAY_UNAVAILABLE');
          }
          throw error;
        }
      } else {
        buyerId = `guest:${randomBytes(16).toString('base64url')}`;
      }
      request.log.info({ buyerKind: buyerId.split(':')[0] }, 'session issued');
      return { ...app.issueSession(buyerId), buyer: buyerId.startsWith('guest:') ? ('guest' as const) : ('wallet' as const) };
    },
  );
};
