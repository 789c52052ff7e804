import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ConfirmBodySchema,
  CreateOrderBodySchema,
  CreateOrderResponseSchema,
  ErrorResponseSchema,
  OrderParamsSchema,
  OrderResponseSchema,
} from '@tradepay/shared';
import { toOrderView } from '../payments/order-service';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' })),
});

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
  422: ErrorResponseSchema,
  502: ErrorResponseSchema,
};

export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every order route acts for the signed-in buyer; another buyer's order is a 404.
  app.addHook('onRequest', app.authenticateBuyer);

  app.post(
    '/api/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Create an order from SKUs and quantities; the server prices it and signs the payment',
        headers: IdempotencyHeaders,
        body: CreateOrderBodySchema,
        response: { 200: CreateOrderResponseSchema, 201: CreateOrderResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await app.orders.createOrder({
        items: request.body.items,
        channel: request.body.channel,
        wallet: request.body.wallet,
        clientIp: request.ip,
        buyerId: request.buyerId,
        idempotencyKey: request.headers['idempotency-key'],
      });
      request.log.info(
        { orderId: result.body.order.id, merchantTransId: result.body.order.merchantTransId, replayed: result.replayed },
        'order created',
      );
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get(
    '/api/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'Read an order (status from the store)',
        params: OrderParamsSchema,
        response: { 200: OrderResponseSchema, ...errors },
      },
    },
    async (request) => ({ order: toOrderView(await app.orders.getOrder(request.params.id, request.buyerId)) }),
  );

  app.post(
    '/api/orders/:id/confirm',
    {
      schema: {
        tags: ['orders'],
        summary: 'Report the my.tradePay resultCode; the BFF queries the gateway when money may have moved',
        params: OrderParamsSchema,
        body: ConfirmBodySchema,
        response: { 200: OrderResponseSchema, ...errors },
      },
    },
    async (request) => ({ order: toOrderView(await app.orders.confirm(request.params.id, request.body.resultCode, request.buyerId)) }),
  );

  app.post(
    '/api/orders/:id/cancel',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an unpaid order (queried first, then closed at the gateway)',
        params: OrderParamsSchema,
        response: { 200: OrderResponseSchema, ...errors },
      },
    },
    async (request) => ({ order: toOrderView(await app.orders.cancel(request.params.id, request.buyerId)) }),
  );
};
