import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ConfirmBodySchema,
  CreateOrderBodySchema,
  CreateOrderResponseSchema,
  OrderParamsSchema,
  OrderResponseSchema,
} from '@tradepay/shared';
import { toOrderView } from '../payments/order-service';
import { answer } from './refusals';
import { ERROR_RESPONSES, IdempotencyHeaders } from './schemas';

/** The schema of a route on one order (`/api/orders/:id…`) that answers `{order}`. */
function oneOrder(summary: string) {
  return { tags: ['orders'], summary, params: OrderParamsSchema, response: { 200: OrderResponseSchema, ...ERROR_RESPONSES } };
}

const CREATE_ORDER_SCHEMA = {
  tags: ['orders'],
  summary: 'Create an order from SKUs and quantities; the server prices it and signs the payment',
  headers: IdempotencyHeaders,
  body: CreateOrderBodySchema,
  response: { 200: CreateOrderResponseSchema, 201: CreateOrderResponseSchema, ...ERROR_RESPONSES },
};

export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every order route acts for the signed-in buyer; another buyer's order is a 404.
  app.addHook('onRequest', app.authenticateBuyer);

  app.post('/api/orders', { schema: CREATE_ORDER_SCHEMA }, async (request, reply) => {
    const result = answer(
      await app.orders.createOrder(
        {
          items: request.body.items,
          channel: request.body.channel,
          wallet: request.body.wallet,
          clientIp: request.ip,
          buyerId: request.buyerId,
          idempotencyKey: request.headers['idempotency-key'],
        },
        { requestId: request.id },
      ),
    );
    request.log.info(
      { orderId: result.body.order.id, merchantTransId: result.body.order.merchantTransId, replayed: result.replayed },
      'order created',
    );
    return reply.code(201).send(result.body);
  });

  app.get('/api/orders/:id', { schema: oneOrder('Read an order (status from the store)') }, async (request) => ({
    order: toOrderView(answer(await app.orders.getOrder(request.params.id, request.buyerId))),
  }));

  app.post(
    '/api/orders/:id/confirm',
    {
      schema: {
        ...oneOrder('Report the my.tradePay resultCode; the BFF queries the gateway when money may have moved'),
        body: ConfirmBodySchema,
      },
    },
    async (request) => ({
      order: toOrderView(
        answer(await app.orders.confirm(request.params.id, request.body.resultCode, request.buyerId, { requestId: request.id })),
      ),
    }),
  );

  app.post(
    '/api/orders/:id/cancel',
    { schema: oneOrder('Cancel an unpaid order (queried first, then closed at the gateway)') },
    async (request) => ({
      order: toOrderView(answer(await app.orders.cancel(request.params.id, request.buyerId, { requestId: request.id }))),
    }),
  );
};
