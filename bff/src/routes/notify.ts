/**
 * Gateway notifications. This scope replaces the JSON parser with a raw-string one, because a
 * signature is verified over the exact bytes received. Order of work: verify → check the facts
 * against our order → commit → acknowledge. Nothing is acknowledged that is not durable.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ChannelName } from '@tradepay/shared';
import { AppError, NotificationRejectedError } from '../errors';

const NOTIFY_BODY_LIMIT = 64 * 1024;

export const notifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: NOTIFY_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.post('/notify/:channel', {
    schema: {
      tags: ['notifications'],
      summary: 'Gateway payment notification (raw body, verified, acknowledged after commit)',
      params: Type.Object({ channel: Type.Union([Type.Literal('alipayhk'), Type.Literal('latipay'), Type.Literal('intents')]) }),
    },
  }, async (request, reply) => {
    const name: ChannelName = request.params.channel === 'intents' ? 'h5' : request.params.channel;
    const channel = app.channels.get(name);
    if (!channel) throw new AppError('NOT_FOUND');
    const raw = typeof request.body === 'string' ? request.body : '';
    let notification;
    try {
      notification = await channel.parseNotification(raw, request.headers);
    } catch (error) {
      // The same diagnosis `pnpm run doctor verify` prints, so an operator sees the cause in the log.
      if (error instanceof NotificationRejectedError && error.diagnosis) {
        request.log.warn({ channel: name, diagnosis: error.diagnosis }, 'notification signature not verified');
      }
      throw error;
    }
    const log = request.log.child({ reqMsgId: notification.messageId, merchantTransId: notification.merchantTransId });
    const result = await app.orders.acceptNotification(notification);
    log.info({ orderId: result.order.id, duplicate: result.duplicate, transitioned: result.transitioned, status: result.order.status }, 'notification committed');
    const ack = await channel.acknowledge(notification);
    return reply.code(ack.statusCode).type(ack.contentType).send(ack.body);
  });
};
