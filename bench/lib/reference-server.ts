/**
 * The reference routes `POST /api/orders` is rated against: the least a durable, authenticated order
 * can cost on this stack (Fastify, better-sqlite3, node:crypto). Nothing of the BFF beyond the
 * catalog, the body schema and the session secret.
 *
 *   REFERENCE=store (the reference): the body validated by the BFF's schema, the HS256 session
 *   verified, a per-buyer counter, the order priced from the catalog, an orderStr of the BFF's size
 *   signed on the thread pool, then the order and its payment committed in one write (WAL,
 *   `synchronous=FULL`, one group commit per event-loop turn), answered after the commit.
 *
 *   REFERENCE=sdk (the peer): the same validation and session, then alipay-sdk's `sdkExecute`
 *   (synchronous signing on the event loop) and no store at all.
 *
 * Run as its own process: `node --import tsx bench/lib/reference-server.ts` with PORT, DATA_DIR,
 * SESSION_SECRET, KEY_FILE (the merchant's private key, PEM) and REFERENCE.
 */
import { createHmac, createPrivateKey, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyRequest } from 'fastify';
import { AlipaySdk } from 'alipay-sdk';
import { CreateOrderBodySchema, type CreateOrderBody } from '@tradepay/shared';
import { loadCatalog } from '../../bff/src/catalog/catalog';
import { referenceGroupCommit } from './reference-commit';

const mode = process.env.REFERENCE === 'sdk' ? 'sdk' : 'store';
const port = Number(process.env.PORT);
const secret = Buffer.from(process.env.SESSION_SECRET ?? '', 'utf8');
const keyPem = readFileSync(process.env.KEY_FILE!, 'utf8');
const key = createPrivateKey(keyPem);
const catalog = loadCatalog(new URL('../../bff/data/catalog.json', import.meta.url).pathname);

/** HS256 compact JWS with `sub` and `exp`: the subject, or null. */
function verifySession(header: string | undefined): string | null {
  if (!header?.startsWith('Bearer ')) return null;
  const [head, payload, mac] = header.slice(7).split('.');
  if (!head || !payload || !mac) return null;
  const expected = createHmac('sha256', secret).update(`${head}.${payload}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
  if (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')).alg !== 'HS256') return null;
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return null;
  return claims.sub;
}

const perBuyer = new Map<string, number>();

function price(body: CreateOrderBody) {
  let total = 0;
  const lines = body.items.map((item) => {
    const product = catalog.get(item.sku);
    if (!product) throw Object.assign(new Error(`unknown sku ${item.sku}`), { statusCode: 422 });
    total += product.price * item.quantity;
    return { sku: item.sku, title: product.title, quantity: item.quantity, unitPrice: product.price };
  });
  return { total, lines, currency: catalog.get(body.items[0]!.sku)!.currency };
}

function signAsync(text: string): Promise<string> {
  return new Promise((resolve, reject) =>
    sign('sha256', Buffer.from(text), key, (error, signature) => (error ? reject(error) : resolve(signature.toString('base64')))),
  );
}

// The durable write: one row per order, one transaction (and fsync) per event-loop turn.
const db = new Database(join(process.env.DATA_DIR!, 'reference.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, merchant_trans_id TEXT UNIQUE NOT NULL, buyer_id TEXT,
  status TEXT NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL, items TEXT NOT NULL, payment TEXT NOT NULL, created_at TEXT NOT NULL)`);
const insert = db.prepare(
  'INSERT INTO orders (id, merchant_trans_id, buyer_id, status, currency, amount, items, payment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const write = referenceGroupCommit(db);

const sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: keyPem, keyType: 'PKCS1', signType: 'RSA2' });

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/api/orders', { schema: { body: CreateOrderBodySchema } }, async (request: FastifyRequest<{ Body: CreateOrderBody }>, reply) => {
  const buyer = verifySession(request.headers.authorization);
  if (!buyer) return reply.code(401).send({ error: { code: 'UNAUTHORIZED' } });
  perBuyer.set(buyer, (perBuyer.get(buyer) ?? 0) + 1);
  const cart = price(request.body);
  const createdAt = new Date();
  const id = `ord_${randomBytes(12).toString('hex')}`;
  const merchantTransId = `${createdAt.getTime()}${randomBytes(6).toString('hex')}`;
  const title = `${cart.lines[0]!.title} and ${cart.lines.length - 1} more`;
  let orderStr: string;
  if (mode === 'sdk') {
    orderStr = sdk.sdkExecute('alipay.trade.app.pay', {
      bizContent: {
        outTradeNo: merchantTransId,
        totalAmount: (cart.total / 100).toFixed(2),
        subject: title,
        productCode: 'QUICK_MSECURITY_PAY',
        timeoutExpress: '15m',
      },
    });
  } else {
    // The same shape and size as the BFF's signed cashierWapPay body.
    const body = JSON.stringify({
      merchantId: '2160120000000000',
      productCode: 'AGREEMENT_OR_CASHIER_PAY',
      merchantTransId,
      order: {
        orderAmount: { currency: cart.currency, value: String(cart.total) },
        orderTitle: title,
        orderDetail: cart.lines.map((l) => `${l.quantity} x ${l.sku}`).join(', '),
        seller: { sellerId: '2160120000000000', sellerName: 'TradePay Demo Shop', mcc: '5812' },
      },
      notifyUrl: 'https://shop.example.com/notify/alipayhk',
      extendInfo: JSON.stringify({ productScene: 'Prepay' }),
    });
    const head = `POST /ams/api/v1/payments/cashierWapPay\n2021000000000001.${createdAt.toISOString()}.${randomBytes(16).toString('hex')}.`;
    const signature = await signAsync(`${head}${body}`);
    orderStr = `${body}&sign=${encodeURIComponent(signature)}`;
    const row = [
      id,
      merchantTransId,
      buyer,
      'PENDING',
      cart.currency,
      cart.total,
      JSON.stringify(cart.lines),
      JSON.stringify({ type: 'tradePay', orderStr }),
      createdAt.toISOString(),
    ];
    await write(() => insert.run(...row));
  }
  return reply.code(201).send({
    order: {
      id,
      merchantTransId,
      status: 'PENDING',
      amount: { currency: cart.currency, value: String(cart.total) },
      items: cart.lines,
      createdAt: createdAt.toISOString(),
    },
    payment: { type: 'tradePay', orderStr },
  });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
await app.listen({ port, host: '127.0.0.1' });
