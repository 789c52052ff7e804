/**
 * Gateway notifications. This scope replaces the JSON parser with a raw-string one, because a
 * signature is verified over the exact bytes received. Order of work: verify → check the facts
 * against our order → commit → acknowledge. Nothing is acknowledged that is not durable.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ChannelName } from '@tradepay/shared';
import { AppError, ERROR_CODES, GatewayUnknownError, NotificationRejectedError } from '../errors';
import type { AgreementNoticeChannel } from '../payments/channel';

const NOTIFY_BODY_LIMIT = 64 * 1024;

export const notifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: NOTIFY_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.post(
    '/notify/:channel',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Gateway payment notification (raw body, verified, acknowledged after commit)',
        params: Type.Object({ channel: Type.Union([Type.Literal('alipayhk'), Type.Literal('latipay'), Type.Literal('intents')]) }),
      },
    },
    async (request, reply) => {
      const name: ChannelName = request.params.channel === 'intents' ? 'h5' : request.params.channel;
      const channel = app.channels.get(name);
      if (!channel) throw new AppError('NOT_FOUND');
      const raw = typeof request.body === 'string' ? request.body : '';
      // AlipayHK also sends notify.cancel here (the user unbound in the wallet): the agreement ends, then the ack.
      const notices = 'parseAgreementEnd' in channel ? (channel as unknown as AgreementNoticeChannel) : null;
      const logDiagnosis = (error: unknown) => {
        // The same diagnosis `pnpm run doctor verify` prints, so an operator sees the cause in the log.
        if (error instanceof NotificationRejectedError && error.diagnosis) {
          request.log.warn({ channel: name, diagnosis: error.diagnosis }, 'notification signature not verified');
        }
      };
      const end = notices
        ? await notices.parseAgreementEnd(raw).catch((error: unknown) => {
            logDiagnosis(error);
            throw error;
          })
        : null;
      if (notices && end) {
        const about = { reqMsgId: end.messageId, merchantAgreementId: end.merchantAgreementId };
        for (const warning of end.warnings ?? []) request.log.warn(about, warning);
        const agreement = await app.agreements.endByWallet(end.merchantAgreementId);
        request.log.info(
          { ...about, agreementId: agreement?.id ?? null, status: agreement?.status ?? null, cancelTime: end.cancelTime },
          'agreement notice committed',
        );
        const ack = await notices.acknowledgeAgreementEnd(end);
        return reply.code(ack.statusCode).type(ack.contentType).send(ack.body);
      }
      let notification;
      try {
        // Latipay and intents may ask the gateway to confirm: under this request's id.
        notification = await channel.parseNotification(raw, request.headers, { requestId: request.id });
      } catch (error) {
        logDiagnosis(error);
        // Verified, but its facts cannot be had yet (e.g. a paid webhook the query does not confirm):
        // not our fault nor the gateway's, so 503 and a warning; the gateway's retry asks again.
        if (!(error instanceof GatewayUnknownError)) throw error;
        request.log.warn({ channel: name, reason: error.message }, 'notification deferred: outcome not confirmed yet');
        const { statusCode, message } = ERROR_CODES.NOTIFICATION_DEFERRED;
        return reply.code(statusCode).send({ error: { code: 'NOTIFICATION_DEFERRED', message }, requestId: request.id });
      }
      // The fields on each line rather than a child logger: a child serialises its bindings when it is
      // made, even when every line it would write is below the level (all of them at LOG_LEVEL=warn).
      const about = { reqMsgId: notification.messageId, merchantTransId: notification.merchantTransId };
      for (const warning of notification.warnings ?? []) request.log.warn(about, warning);
      const result = await app.orders.acceptNotification(notification);
      request.log.info(
        { ...about, orderId: result.order.id, duplicate: result.duplicate, transitioned: result.transitioned, status: result.order.status },
        'notification committed',
      );
      const ack = await channel.acknowledge(notification);
      return reply.code(ack.statusCode).type(ack.contentType).send(ack.body);
    },
  );
};
