/** Operator routes: refunds and order lists. Every route needs Bearer $ADMIN_TOKEN. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  OrderParamsSchema,
  OrderSchema,
  OrderStatusSchema,
  PaymentActionSchema,
  RefundBodySchema,
  RefundResponseSchema,
  RefundSchema,
} from '@tradepay/shared';
import { AppError } from '../errors';
import { toOrderView } from '../payments/order-service';
import { toRefundView } from '../payments/refund-service';
import { answer } from './refusals';
import { ERROR_RESPONSES, IdempotencyKeySchema } from './schemas';

export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticateAdmin);

  app.post(
    '/admin/orders/:id/refunds',
    {
      schema: {
        tags: ['admin'],
        summary: 'Refund a paid order, fully or partly (Idempotency-Key required)',
        params: OrderParamsSchema,
        headers: Type.Object({ 'idempotency-key': IdempotencyKeySchema }),
        body: Type.Optional(RefundBodySchema),
        response: { 201: RefundResponseSchema, 202: RefundResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const result = answer(
        await app.refunds.refund(
          {
            orderId: request.params.id,
            amount: body.amount === undefined ? undefined : Number(body.amount),
            reason: body.reason,
            idempotencyKey: request.headers['idempotency-key'],
          },
          { requestId: request.id },
        ),
      );
      request.log.info({ orderId: request.params.id, refundId: result.refund.id, status: result.refund.status }, 'refund');
      // 201: final answer; 202: accepted, the gateway has not confirmed yet (it will be retried).
      return reply.code(result.refund.status === 'PENDING' ? 202 : 201).send(result);
    },
  );

  app.get(
    '/admin/orders',
    {
      schema: {
        tags: ['admin'],
        summary: 'List orders, newest first',
        querystring: Type.Object(
          { status: Type.Optional(OrderStatusSchema), limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ orders: Type.Array(OrderSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const orders = await app.store.listOrders({ status: request.query.status, limit: Number(request.query.limit ?? 50) });
      return { orders: orders.map(toOrderView) };
    },
  );

  // What the buyer's app was handed (orderStr or redirect URL): lets `pnpm sandbox pay <orderId>` play the wallet.
  app.get(
    '/admin/orders/:id/payment',
    {
      schema: {
        tags: ['admin'],
        summary: "The order's payment action, as the buyer received it",
        params: OrderParamsSchema,
        response: { 200: Type.Object({ payment: Type.Union([PaymentActionSchema, Type.Null()]) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const order = await app.store.getOrder(request.params.id);
      if (!order) throw new AppError('ORDER_NOT_FOUND');
      return { payment: order.payment };
    },
  );

  app.get(
    '/admin/orders/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'One order with its refunds',
        params: OrderParamsSchema,
        response: { 200: Type.Object({ order: OrderSchema, refunds: Type.Array(RefundSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const order = await app.store.getOrder(request.params.id);
      if (!order) throw new AppError('ORDER_NOT_FOUND');
      return { order: toOrderView(order), refunds: (await app.store.listRefunds(order.id)).map(toRefundView) };
    },
  );
};
