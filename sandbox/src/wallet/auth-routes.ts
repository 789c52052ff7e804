/**
 * The auto-debit authorisation page a browser can click: `GET /sandbox/auth?authId=…` (the
 * `authSiteUrl` that prepareForRedirect returns) and `POST /sandbox/auth/decision` (its two forms),
 * which 302-redirects to the merchant's `merchantRedirectUrl`. Its own scope: the forms arrive as
 * `application/x-www-form-urlencoded`, parsed here only.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AuthDecision, Oauth } from '../alipayhk/oauth';
import { CUSTOMER_ID_PATTERN } from '../alipayhk/oauth';
import { isObject } from '../input';
import { DECISION_PATH, pageHeaders, renderAuthMessage, renderAuthPage } from './auth-page';

export interface AuthPageDeps {
  oauth: Oauth;
}

const AUTH_ID_MAX = 64;
const FORM_LIMIT = 4 * 1024;
const FORM_FIELDS = ['authId', 'decision', 'customerId'];

const MESSAGES = {
  notFound: {
    titleEn: 'Link not valid',
    titleZh: '連結無效',
    textEn: 'This authorisation link is unknown or was cleared. Go back to the merchant and start again.',
    textZh: '此授權連結不存在或已被清除。請返回商戶並重新開始。',
  },
  decided: {
    titleEn: 'Already decided',
    titleZh: '已作出選擇',
    textEn: 'You already answered this request with the other choice. Go back to the merchant and start again.',
    textZh: '你已對此請求作出另一選擇。請返回商戶並重新開始。',
  },
  badRequest: {
    titleEn: 'Something is missing',
    titleZh: '資料不完整',
    textEn: 'This request is incomplete or malformed.',
    textZh: '此請求不完整或格式錯誤。',
  },
} as const;

function sendMessage(reply: FastifyReply, status: number, message: (typeof MESSAGES)[keyof typeof MESSAGES]): FastifyReply {
  return reply.code(status).headers(pageHeaders()).send(renderAuthMessage(message));
}

/** A single query value (repeated keys are refused: an array never reaches the page). */
function queryValue(query: unknown, key: string): string | undefined | null {
  if (!isObject(query) || !Object.hasOwn(query, key)) return undefined;
  const value = query[key];
  return typeof value === 'string' ? value : null;
}

function validCustomerId(value: string | undefined | null): boolean {
  return value === undefined || (value !== null && CUSTOMER_ID_PATTERN.test(value));
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function createAuthPageRoutes(deps: AuthPageDeps): FastifyPluginAsync {
  return async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, done) =>
      done(null, body),
    );

    scope.get('/sandbox/auth', async (request, reply) => {
      const authId = queryValue(request.query, 'authId');
      const customerId = queryValue(request.query, 'customerId');
      if (typeof authId !== 'string' || authId.length > AUTH_ID_MAX || !validCustomerId(customerId))
        return sendMessage(reply, 400, MESSAGES.badRequest);
      const authRequest = deps.oauth.findAuthRequest(authId);
      if (!authRequest) return sendMessage(reply, 404, MESSAGES.notFound);
      const target = originOf(authRequest.merchantRedirectUrl);
      return reply
        .code(200)
        .headers(pageHeaders(target === null ? [] : [target]))
        .send(renderAuthPage(authRequest, { customerId: customerId ?? undefined }));
    });

    scope.post(DECISION_PATH, async (request, reply) => {
      if (typeof request.body !== 'string') return sendMessage(reply, 415, MESSAGES.badRequest);
      const form = new URLSearchParams(request.body);
      for (const key of new Set(form.keys())) {
        if (!FORM_FIELDS.includes(key) || form.getAll(key).length > 1) return sendMessage(reply, 400, MESSAGES.badRequest);
      }
      const authId = form.get('authId');
      const decision = form.get('decision');
      const customerId = form.get('customerId') ?? undefined;
      if (
        authId === null ||
        authId === '' ||
        authId.length > AUTH_ID_MAX ||
        (decision !== 'agree' && decision !== 'decline') ||
        !validCustomerId(customerId)
      ) {
        return sendMessage(reply, 400, MESSAGES.badRequest);
      }
      const result = deps.oauth.decide(authId, decision as AuthDecision, customerId);
      if (!result.ok)
        return result.reason === 'NOT_FOUND' ? sendMessage(reply, 404, MESSAGES.notFound) : sendMessage(reply, 409, MESSAGES.decided);
      return reply.code(302).header('location', result.location).header('cache-control', 'no-store').send();
    });
  };
}
