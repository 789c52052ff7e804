/**
 * The aggregator's merchant API (docs/protocols/intents.md): token [likely], create, query, cancel [guess],
 * refund [likely, both spellings served; ./refund-route]. Every answer is `{code, data?, message, rid}`; refusals also carry a 4xx status.
 * Calls other than the token need `Authorization: Bearer <access_token>`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import {
  bodyOf,
  CURRENCIES,
  cashierPath,
  decimalToMinor,
  digest,
  field,
  findIntent,
  httpUrl,
  IntentsError,
  intentView,
  newOrderId,
  ok,
  onlyKeys,
  rid,
  sendIntentsError,
  WALLETS,
} from './api-fields';
import type { ControlStore } from '../control';
import { isObject } from '../input';
import { SCRIPTED_MESSAGE, takeScriptedFailure } from '../scripted-failure';
import type { IntentsLedger, IntentWallet } from './ledger';
import type { IntentsNotifier } from './notifier';
import { createRefundHandler } from './refund-route';
import { INTENTS_CODES, INTENTS_PATHS, INTENTS_TOKEN_TTL_SECONDS, SANDBOX_INTENTS_MERCHANT_ID, type IntentsCall } from './paths';

export interface IntentsApiDeps {
  ledger: IntentsLedger;
  control: ControlStore;
  clock: Clock;
  notifier: IntentsNotifier;
  apiKey: string;
  /** Live access tokens → expiry (sandbox clock, ms). Cleared by a sandbox reset. */
  tokens: Map<string, number>;
  /** Release functions of held (timeout-mode) calls; the app releases them all before closing. */
  holds: Set<() => void>;
}

export function createIntentsApiRoutes(deps: IntentsApiDeps): FastifyPluginAsync {
  const { ledger, control, clock } = deps;
  const expectedKey = digest(deps.apiKey);

  function authenticate(request: FastifyRequest): void {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const expiresAt = deps.tokens.get(token);
    if (expiresAt === undefined || clock.now() >= expiresAt) {
      if (expiresAt !== undefined) deps.tokens.delete(token);
      throw new IntentsError(INTENTS_CODES.UNAUTHORIZED, 'invalid or expired access token', 401);
    }
  }

  /** Counts the call, applies a scripted failure, then runs the handler; refusals become answers. */
  function route(call: IntentsCall, handler: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
      ledger.countCall(call);
      // SYSTEM_ERROR and lost have no intents form: no effect here.
      const failure = takeScriptedFailure(control, deps.holds);
      const early =
        failure.transport(request, reply, () =>
          reply.code(503).send({ code: INTENTS_CODES.SYSTEM_BUSY, message: SCRIPTED_MESSAGE, rid: rid() }),
        ) ??
        failure.beforeEffect(() =>
          reply
            .code(200)
            .send({ code: INTENTS_CODES.SYSTEM_BUSY, message: 'system busy, nothing was done (control.failNext)', rid: rid() }),
        );
      if (early) return early;
      try {
        if (call !== 'token') authenticate(request);
        return await handler(request, reply);
      } catch (error) {
        if (error instanceof IntentsError) return sendIntentsError(reply, error);
        throw error;
      }
    };
  }

  return async (scope) => {
    scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status < 500) return sendIntentsError(reply, new IntentsError(INTENTS_CODES.BAD_REQUEST, error.message, status));
      request.log.error({ err: error }, 'intents sandbox error');
      return reply.code(500).send({ code: INTENTS_CODES.SYSTEM_BUSY, message: 'internal sandbox error', rid: rid() });
    });

    scope.get(
      INTENTS_PATHS.token,
      route('token', (request, reply) => {
        const query = isObject(request.query) ? request.query : {};
        onlyKeys(query, ['grant_type', 'uid', 'client_secret'], '');
        if (field(query, 'grant_type', { max: 64 }) !== 'client_credentials')
          throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'grant_type must be client_credentials');
        const uid = field(query, 'uid', { max: 64 }) as string;
        const secret = field(query, 'client_secret', { max: 256 }) as string;
        // The sandbox's client secret is its API key (the BFF's default for INTENTS_CLIENT_SECRET).
        if (uid !== SANDBOX_INTENTS_MERCHANT_ID || !timingSafeEqual(digest(secret), expectedKey)) {
          throw new IntentsError(INTENTS_CODES.UNAUTHORIZED, 'unknown uid or client_secret', 401);
        }
        const token = `itk_${randomBytes(24).toString('base64url')}`;
        deps.tokens.set(token, clock.now() + INTENTS_TOKEN_TTL_SECONDS * 1000);
        ledger.countToken();
        // A top-level `access_token`, as the twin's merchant code reads it.
        return reply.code(200).send({ access_token: token, token_type: 'Bearer', expires_in: INTENTS_TOKEN_TTL_SECONDS });
      }),
    );

    scope.post(
      INTENTS_PATHS.create,
      route('create', (request, reply) => {
        const body = bodyOf(request);
        onlyKeys(body, ['amount', 'currency', 'merchant_order_id', 'description', 'notify_url', 'return_url', 'payment_method'], '');
        const amountText = field(body, 'amount', { max: 32 }) as string;
        const amountMinor = decimalToMinor(amountText);
        if (amountMinor === null || amountMinor <= 0)
          throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'amount must be a positive decimal with at most 2 fraction digits');
        const currency = field(body, 'currency', { max: 32 }) as string;
        if (!CURRENCIES.includes(currency)) throw new IntentsError(INTENTS_CODES.CURRENCY_NOT_SUPPORTED, 'alipay hk only supports HKD');
        const merchantOrderId = field(body, 'merchant_order_id', { max: 32 }) as string;
        const description = field(body, 'description', { max: 256 }) as string;
        const notifyUrl = httpUrl(body, 'notify_url');
        const returnUrl = httpUrl(body, 'return_url');
        const method = body.payment_method;
        if (!isObject(method)) throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'payment_method is required');
        if (Object.hasOwn(method, 'wechat')) {
          throw new IntentsError(
            INTENTS_CODES.BAD_REQUEST,
            'payment_method.wechat: the flow object of type alipayhk is named "alipayhk" (the seed document shows "wechat" by mistake)',
          );
        }
        onlyKeys(method, ['type', 'alipayhk'], 'payment_method.');
        if (method.type !== 'alipayhk') throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'payment_method.type must be alipayhk');
        const flow = method.alipayhk;
        if (!isObject(flow)) throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'payment_method.alipayhk is required');
        onlyKeys(flow, ['flow', 'payment_method'], 'payment_method.alipayhk.');
        if (flow.flow !== 'mobile_web')
          throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'payment_method.alipayhk.flow must be mobile_web');
        const wallet = flow.payment_method as IntentWallet;
        if (!WALLETS.includes(wallet))
          throw new IntentsError(INTENTS_CODES.BAD_REQUEST, 'payment_method.alipayhk.payment_method must be ALIPAYCN or ALIPAYHK');

        const origin = `${request.protocol}://${request.host}`;
        const existing = ledger.find({ merchantOrderId });
        if (existing) {
          // A retry of the same create (same id, same money) gets the same intent; anything else is a conflict.
          if (existing.amountMinor !== amountMinor || existing.currency !== currency) {
            throw new IntentsError(INTENTS_CODES.CONFLICT, 'merchant_order_id was used with another amount', 409);
          }
          return ok(reply, intentView(existing, origin + cashierPath(existing.orderId), control.current.forms.intentsRedirect));
        }
        const intent = ledger.add({
          orderId: newOrderId(ledger),
          merchantOrderId,
          amount: amountText,
          amountMinor,
          currency,
          description,
          notifyUrl,
          returnUrl,
          wallet,
          status: 'PENDING',
          createdAt: new Date(clock.now()).toISOString(),
          paidAt: null,
          cancelledAt: null,
          cancelledBy: null,
          refundedMinor: 0,
        });
        return ok(reply, intentView(intent, origin + cashierPath(intent.orderId), control.current.forms.intentsRedirect));
      }),
    );

    scope.post(
      INTENTS_PATHS.query,
      route('query', (request, reply) => {
        const body = bodyOf(request);
        onlyKeys(body, ['order_id', 'merchant_order_id'], '');
        return ok(reply, intentView(findIntent(ledger, body)));
      }),
    );

    scope.post(
      INTENTS_PATHS.cancel,
      route('cancel', (request, reply) => {
        const body = bodyOf(request);
        onlyKeys(body, ['order_id', 'merchant_order_id'], '');
        const intent = findIntent(ledger, body);
        if (intent.status === 'SUCCEEDED')
          throw new IntentsError(INTENTS_CODES.ALREADY_PAID, 'order is already paid: refund it instead', 409);
        if (intent.status === 'PENDING') {
          intent.status = 'CANCELLED';
          intent.cancelledAt = new Date(clock.now()).toISOString();
          intent.cancelledBy = 'merchant';
        }
        return ok(reply, intentView(intent));
      }),
    );

    const refundHandler = createRefundHandler({ ledger, clock });
    scope.post(INTENTS_PATHS.refund, route('refund', refundHandler));
    scope.post(INTENTS_PATHS.intentsRefund, route('refund', refundHandler));
  };
}
