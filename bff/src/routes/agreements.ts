/**
 * Auto-debit routes. Every route acts for the signed-in buyer (another buyer's agreement is a 404),
 * except the wallet's redirect back (`GET /api/agreements/return`): a browser arrives there without a
 * session, and the unguessable `state` ties it to the buyer's PENDING agreement instead. No route
 * returns or logs a wallet token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AgreementListResponseSchema,
  AgreementParamsSchema,
  AgreementResponseSchema,
  AgreementReturnQuerySchema,
  CreateAgreementResponseSchema,
  CreateChargeBodySchema,
  ErrorResponseSchema,
  OrderResponseSchema,
  SignContractBodySchema,
} from '@tradepay/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import { AGREEMENT_PAGE_HEADERS, renderAgreementPage, type AgreementPageKind } from './agreement-page';
import { answer } from './refusals';
import { ERROR_RESPONSES, IdempotencyHeaders } from './schemas';

/** 403: a guest cannot bind (WALLET_SIGN_IN_REQUIRED). */
const errors = { ...ERROR_RESPONSES, 403: ErrorResponseSchema };

/** The schema of a route on one agreement (`/api/agreements/:id…`) that answers `{agreement}`. */
function oneAgreement(summary: string) {
  return { tags: ['agreements'], summary, params: AgreementParamsSchema, response: { 200: AgreementResponseSchema, ...errors } };
}

/** These routes take no body: anything but nothing (or `{}`) is refused, like every unknown field. */
function noBody(request: FastifyRequest): void {
  const body = request.body as unknown;
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw new AppError('VALIDATION_FAILED', 'This route takes no request body');
}

function sendPage(reply: FastifyReply, status: number, kind: AgreementPageKind, code: string | null = null) {
  return reply.code(status).headers(AGREEMENT_PAGE_HEADERS).send(renderAgreementPage(kind, code));
}

export const agreementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const buyer = { onRequest: app.authenticateBuyer };

  app.post(
    '/api/agreements',
    {
      ...buyer,
      schema: {
        tags: ['agreements'],
        summary: 'Start binding the wallet for auto-debit: a PENDING agreement and the wallet consent page to open (web-view)',
        response: { 201: CreateAgreementResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      noBody(request);
      const started = answer(await app.agreements.create(request.buyerId, { requestId: request.id }));
      return reply.code(201).send({ agreement: started.agreement, authUrl: started.authUrl });
    },
  );

  app.get(
    '/api/agreements',
    {
      ...buyer,
      schema: {
        tags: ['agreements'],
        summary: "The buyer's agreements, newest first",
        response: { 200: AgreementListResponseSchema, ...errors },
      },
    },
    async (request) => ({ agreements: await app.agreements.list(request.buyerId) }),
  );

  // The wallet's redirect after the consent page. Answers a small HTML page (or, with
  // AGREEMENT_RETURN_PAGE_URL, a redirect there): a person is looking at it, not a program.
  app.get(
    '/api/agreements/return',
    {
      schema: {
        tags: ['agreements'],
        summary: 'Where the wallet returns the shopper (merchantRedirectUrl): completes the binding; answers an HTML page',
        querystring: AgreementReturnQuerySchema,
      },
      errorHandler: (error, request, reply) => {
        if (error instanceof AppError && error.code === 'GATEWAY_UNAVAILABLE') return sendPage(reply, 502, 'unavailable');
        const status = error instanceof AppError ? error.statusCode : (error as { validation?: unknown }).validation ? 400 : 500;
        if (status >= 500) request.log.error({ err: error }, 'agreement return failed');
        else
          request.log.info(
            { code: error instanceof AppError ? error.code : 'VALIDATION_FAILED', message: error.message },
            'agreement return rejected',
          );
        return sendPage(reply, status >= 500 ? 500 : 400, status >= 500 ? 'unavailable' : 'rejected');
      },
    },
    async (request, reply) => {
      const query = request.query;
      // Only the documented parameters are read; anything else in the URL is ignored.
      const authCode = query.auth_code ?? query.authCode;
      if (query.auth_code !== undefined && query.authCode !== undefined && query.auth_code !== query.authCode)
        throw new AppError('AGREEMENT_RETURN_REJECTED', 'authCode and auth_code differ');
      if (query.client_id !== undefined && query.client_id !== app.config.alipayhk.clientId)
        request.log.warn({ clientId: query.client_id }, 'agreement return names another client_id');
      const result = answer(
        await app.agreements.completeBinding(
          {
            merchantAgreementId: query.merchantAgreementId,
            state: query.state,
            authCode,
            authResult: query.authResult,
            error: query.error,
          },
          { requestId: request.id },
        ),
      );
      const status = result.outcome === 'bound' ? 'ACTIVE' : result.agreement.status;
      const target = app.config.autoDebit?.returnPageUrl;
      if (target) {
        const url = new URL(target);
        url.searchParams.set('agreementId', result.agreement.id);
        url.searchParams.set('status', status);
        if (result.code) url.searchParams.set('code', result.code);
        return reply.code(302).header('location', url.href).header('cache-control', 'no-store').send();
      }
      if (result.outcome === 'failed') return sendPage(reply, 422, 'failed', result.code);
      return sendPage(reply, 200, result.outcome);
    },
  );

  // The binding inside the mini program: `my.signContract` returns `{authCode, authState}` to the app
  // instead of redirecting a browser (a released mini program cannot show the wallet's page in a
  // web-view). `completeBinding` is the return URL's exchange and checks (state, single use, granted
  // scope, wallet user = buyer), for an agreement of this buyer only.
  app.post(
    '/api/agreements/:id/sign-contract',
    {
      ...buyer,
      schema: {
        tags: ['agreements'],
        summary: "Complete a binding with my.signContract's {authCode, authState}: ACTIVE, or DECLINED/FAILED with the wallet's code",
        params: AgreementParamsSchema,
        body: SignContractBodySchema,
        response: { 200: AgreementResponseSchema, ...errors },
      },
    },
    async (request) => {
      // Another buyer's agreement is a 404, as on every route here; then the one binding function.
      const call = { requestId: request.id };
      const agreement = answer(await app.agreements.get(request.params.id, request.buyerId, call));
      const result = answer(
        await app.agreements.completeBinding(
          {
            agreementId: agreement.id,
            state: request.body.authState,
            authCode: request.body.authCode,
            buyerId: request.buyerId,
          },
          call,
        ),
      );
      return { agreement: answer(await app.agreements.get(result.agreement.id, request.buyerId, call)) };
    },
  );

  app.get(
    '/api/agreements/:id',
    { ...buyer, schema: oneAgreement('Read an agreement (asks the wallet when the stored status is older than a minute)') },
    async (request) => ({ agreement: answer(await app.agreements.get(request.params.id, request.buyerId, { requestId: request.id })) }),
  );

  /** DELETE and its POST twin: no body, then the one unbinding. */
  const revoke = async (request: FastifyRequest, id: string) => {
    noBody(request);
    return { agreement: answer(await app.agreements.revoke(id, request.buyerId, { requestId: request.id })) };
  };

  app.delete(
    '/api/agreements/:id',
    { ...buyer, schema: oneAgreement('Unbind: cancelled at the wallet, then REVOKED; later charges are refused') },
    async (request) => revoke(request, request.params.id),
  );

  // The same, for clients that can only send GET and POST: Alipay+ `my.request` documents no DELETE
  // (https://miniprogram.alipay.com/docs/miniprogram/mpdev/api_network_request).
  app.post(
    '/api/agreements/:id/revoke',
    { ...buyer, schema: oneAgreement('Unbind (POST twin of DELETE /api/agreements/:id, for the mini program): body empty or {}') },
    async (request) => revoke(request, request.params.id),
  );

  app.post(
    '/api/agreements/:id/charges',
    {
      ...buyer,
      schema: {
        tags: ['agreements'],
        summary: 'Charge the bound wallet without the shopper: SKUs and quantities only; 201 paid, 202 still being confirmed',
        params: AgreementParamsSchema,
        headers: IdempotencyHeaders,
        body: CreateChargeBodySchema,
        response: { 201: OrderResponseSchema, 202: OrderResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = answer(
        await app.agreements.charge(
          {
            agreementId: request.params.id,
            buyerId: request.buyerId,
            items: request.body.items,
            idempotencyKey: request.headers['idempotency-key'],
          },
          { requestId: request.id },
        ),
      );
      if (result.replayed) request.log.info({ agreementId: request.params.id, statusCode: result.statusCode }, 'charge replayed');
      const body = result.statusCode >= 400 ? { ...(result.body as object), requestId: request.id } : result.body;
      return reply.code(result.statusCode).send(body as never);
    },
  );
};
