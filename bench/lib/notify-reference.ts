/**
 * The notification reference: the least a correct notification endpoint can do, on this stack.
 * Its one route cuts the signed parts out of the raw body and verifies them with the BFF's verifier
 * (cutSignedParts + createRsaVerifier), parses the verified bytes, reads the order by its
 * merchantTransId, checks the amount, commits the same rows the BFF commits — the notification, the
 * evidence, the order's move to SUCCEEDED and its transition, in the BFF's own tables (WAL,
 * `synchronous=FULL`, one group commit per event-loop turn) — and answers with a signed
 * acknowledgement (the BFF's signer, on the thread pool). No logging, no routing beyond one path.
 * Run as its own process: `node --import tsx bench/lib/notify-reference.ts` with PORT, DB_FILE (a
 * copy of the BFF's store holding the same orders), GATEWAY_KEY_FILE and MERCHANT_KEY_FILE.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { cutSignedParts, toEnvelopeText } from '../../bff/src/channels/alipayhk/sign-content';
import { createRsaSigner, createRsaVerifier, parseRsaKey } from '../../bff/src/channels/alipayhk/signing';
import { referenceGroupCommit } from './reference-commit';

const port = Number(process.env.PORT);
const verifier = createRsaVerifier(parseRsaKey(readFileSync(process.env.GATEWAY_KEY_FILE!, 'utf8'), 'public'), 'RSA2');
const signer = createRsaSigner(parseRsaKey(readFileSync(process.env.MERCHANT_KEY_FILE!, 'utf8'), 'private'), 'RSA2');

const db = new Database(process.env.DB_FILE!);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const stmt = {
  order: db.prepare('SELECT id, status, amount, currency FROM orders WHERE merchant_trans_id = ?'),
  notification: db.prepare(`INSERT INTO notifications (channel, identity, order_id, outcome, raw, received_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (channel, identity) DO NOTHING`),
  evidence:
    db.prepare(`INSERT INTO payment_evidence (order_id, source, merchant_id, merchant_trans_id, gateway_transaction_id, amount, currency, paid_at, raw, received_at)
    VALUES (?, 'notification', ?, ?, ?, ?, ?, ?, ?, ?)`),
  paid: db.prepare(
    `UPDATE orders SET status = 'SUCCEEDED', paid_at = ?, gateway_transaction_id = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'`,
  ),
  transition: db.prepare('INSERT INTO order_transitions (order_id, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?)'),
};

const write = referenceGroupCommit(db);

interface Notify {
  head: { reqMsgId: string; clientId: string };
  body: {
    merchantTransId: string;
    acquirementId: string;
    paymentTime?: string;
    orderAmount: { currency: string; value: string };
    resultInfo: { resultStatus: string };
  };
}

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/notify/alipayhk', async (request, reply) => {
  const raw = typeof request.body === 'string' ? request.body : '';
  let payload: Notify;
  try {
    const parts = cutSignedParts(raw, 'request');
    verifier.verify(parts.content, parts.signature);
    payload = JSON.parse(parts.content) as Notify;
  } catch (error) {
    return reply.code(400).send({ error: (error as Error).message });
  }
  const { head, body } = payload;
  const order = stmt.order.get(body.merchantTransId) as { id: string; status: string; amount: number; currency: string } | undefined;
  if (!order || String(order.amount) !== body.orderAmount.value || order.currency !== body.orderAmount.currency)
    return reply.code(400).send({ error: 'no such order' });
  const at = new Date().toISOString();
  await write(() => {
    const identity = `${body.merchantTransId}:${body.acquirementId}:${body.resultInfo.resultStatus}`;
    if (stmt.notification.run('alipayhk', identity, order.id, 'PAID', raw, at).changes !== 1) return;
    stmt.evidence.run(
      order.id,
      head.clientId,
      body.merchantTransId,
      body.acquirementId,
      order.amount,
      order.currency,
      body.paymentTime ?? at,
      raw,
      at,
    );
    if (stmt.paid.run(body.paymentTime ?? at, body.acquirementId, at, order.id).changes === 1)
      stmt.transition.run(order.id, order.status, 'SUCCEEDED', `notification ${identity}`, at);
  });
  const content = JSON.stringify({
    head: {
      version: '2.0.0',
      function: 'alipay.intl.acquiring.common.notify.pay',
      clientId: head.clientId,
      respTime: at,
      reqMsgId: head.reqMsgId,
      reserve: '{}',
    },
    body: { resultInfo: { resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' } },
  });
  return reply
    .code(200)
    .type('application/json; charset=UTF-8')
    .send(toEnvelopeText('response', content, await signer.sign(content)));
});
app.get('/healthz', async () => ({ status: 'ok' }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
await app.listen({ port, host: '127.0.0.1' });
