/**
 * The one gateway transport, against real HTTP servers on loopback: a redirecting gateway address
 * receives the request, but nothing reaches the redirect's target and the call is "unknown"; answers
 * are capped; a silent gateway times out; every call is reported to the observer. Each of the three
 * channel clients is checked against the redirect, since each must go through the transport. The
 * request id given with a call is logged with it, and sent as x-request-id only when forwarding is on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/fixtures';
import { GatewayUnknownError } from '../errors';
import { createAlipayHkClient } from './alipayhk/client';
import { ALIPAYHK_FUNCTIONS } from './alipayhk/functions';
import { createRsaSigner, createRsaVerifier, parseRsaKey } from './alipayhk/signing';
import { createGatewayTransport, GatewayTransportError, type GatewayCallEvent, type GatewayCallLog } from './gateway-transport';
import { createIntentsClient } from './intents/client';
import { createLatipayClient, LATIPAY_PATHS } from './latipay/client';
import { createLatipaySigner } from './latipay/signing';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback server recording every request it receives. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A gateway address that answers every request with a redirect to `target`. */
function redirectingTo(target: string, status = 302) {
  return serve((_req, res) => {
    res.writeHead(status, { location: `${target}/captured` });
    res.end();
  });
}

/** A redirecting gateway, the target it points at (which records what reaches it), and an observer's events. */
async function redirectScene() {
  const target = await serve((_req, res) => res.end('{}'));
  const gateway = await redirectingTo(target.url);
  const events: GatewayCallEvent[] = [];
  return { target, gateway, events, observe: (event: GatewayCallEvent) => events.push(event) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('gateway transport', () => {
  it.each([301, 302, 303, 307, 308])('HTTP %i: the call is unknown and nothing is sent to the redirect target', async (code) => {
    const target = await serve((_req, res) => res.end('{"ok":true}'));
    const gateway = await redirectingTo(target.url, code);
    const events: GatewayCallEvent[] = [];
    const transport = createGatewayTransport({ gateway: 'alipayhk', timeoutMs: 5000, observe: (event) => events.push(event) });

    const error = await rejection(
      transport.send('fn', `${gateway.url}/api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"secret":"signed"}',
      }),
    );

    expect(error).toBeInstanceOf(GatewayUnknownError);
    expect((error as GatewayTransportError).reason).toBe('redirect');
    expect(gateway.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
    expect(events).toEqual([expect.objectContaining({ gateway: 'alipayhk', name: 'fn', outcome: 'unknown', reason: 'redirect' })]);
  });

  it('a fetch that ignores redirect: "error" still gets no answer from a 3xx', async () => {
    const seen: RequestInit[] = [];
    const lenient: typeof fetch = async (_url, init) => {
      seen.push(init ?? {});
      return new Response(null, { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    };
    const transport = createGatewayTransport({ gateway: 'latipay', timeoutMs: 5000, fetch: lenient });
    const error = await rejection(transport.send('x', 'http://127.0.0.1:1/', { method: 'GET', headers: {} }));
    expect((error as GatewayTransportError).reason).toBe('redirect');
    expect(seen[0]?.redirect).toBe('error');
  });

  it('reads an answer up to the cap and refuses a larger one, declared or streamed', async () => {
    const cap = 1024;
    const exact = 'a'.repeat(cap);
    const gateway = await serve((req, res) => {
      if (req.url === '/exact') return res.end(exact);
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(cap + 1) });
        return res.end('b'.repeat(cap + 1));
      }
      // Chunked, no length: the cap is counted while reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 8; i += 1) res.write('c'.repeat(cap / 2));
      res.end();
    });
    const events: GatewayCallEvent[] = [];
    const transport = createGatewayTransport({
      gateway: 'intents',
      timeoutMs: 5000,
      maxAnswerBytes: cap,
      observe: (event) => events.push(event),
    });

    await expect(transport.send('exact', `${gateway.url}/exact`, { method: 'GET', headers: {} })).resolves.toEqual({
      status: 200,
      text: exact,
    });
    for (const path of ['/declared', '/streamed']) {
      const error = await rejection(transport.send(path, gateway.url + path, { method: 'GET', headers: {} }));
      expect(error).toBeInstanceOf(GatewayUnknownError);
      expect((error as GatewayTransportError).reason).toBe('too-large');
    }
    expect(events.map((event) => [event.name, event.outcome, event.reason])).toEqual([
      ['exact', 'ok', undefined],
      ['/declared', 'unknown', 'too-large'],
      ['/streamed', 'unknown', 'too-large'],
    ]);
  });

  it('counts bytes, not characters, against the cap', async () => {
    const gateway = await serve((_req, res) => res.end('茶'.repeat(400))); // 1200 bytes of UTF-8
    const transport = createGatewayTransport({ gateway: 'alipayhk', timeoutMs: 5000, maxAnswerBytes: 1024 });
    const error = await rejection(transport.send('tea', gateway.url, { method: 'GET', headers: {} }));
    expect((error as GatewayTransportError).reason).toBe('too-large');
  });

  it('a gateway that never answers is unknown once the deadline passes', async () => {
    await serve(() => {
      // never answers
    }).then(async (gateway) => {
      const transport = createGatewayTransport({ gateway: 'latipay', timeoutMs: 200 });
      const error = await rejection(transport.send('slow', gateway.url, { method: 'POST', headers: {}, body: '{}' }));
      expect(error).toBeInstanceOf(GatewayUnknownError);
      expect((error as GatewayTransportError).reason).toBe('timeout');
    });
  });

  it('no listener is "no-answer"; 5xx is "server-error"; 4xx is an answer for the caller to read', async () => {
    const gateway = await serve((req, res) => {
      res.writeHead(req.url === '/boom' ? 503 : 404, { 'content-type': 'application/json' });
      res.end('{"code":404}');
    });
    const closed = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const events: GatewayCallEvent[] = [];
    const transport = createGatewayTransport({ gateway: 'intents', timeoutMs: 5000, observe: (event) => events.push(event) });

    expect(((await rejection(transport.send('down', closed.url, { method: 'GET', headers: {} }))) as GatewayTransportError).reason).toBe(
      'no-answer',
    );
    expect(
      ((await rejection(transport.send('boom', `${gateway.url}/boom`, { method: 'GET', headers: {} }))) as GatewayTransportError).reason,
    ).toBe('server-error');
    await expect(transport.send('missing', `${gateway.url}/missing`, { method: 'GET', headers: {} })).resolves.toEqual({
      status: 404,
      text: '{"code":404}',
    });
    expect(events.map(({ name, outcome, reason, status }) => ({ name, outcome, reason, status }))).toEqual([
      { name: 'down', outcome: 'unknown', reason: 'no-answer', status: undefined },
      { name: 'boom', outcome: 'unknown', reason: 'server-error', status: 503 },
      { name: 'missing', outcome: 'answered', reason: undefined, status: 404 },
    ]);
    expect(events.every((event) => event.durationMs >= 0)).toBe(true);
  });

  it('an observer that throws changes nothing', async () => {
    const gateway = await serve((_req, res) => res.end('fine'));
    const transport = createGatewayTransport({
      gateway: 'alipayhk',
      timeoutMs: 5000,
      observe: () => {
        throw new Error('metrics broke');
      },
    });
    await expect(transport.send('x', gateway.url, { method: 'GET', headers: {} })).resolves.toEqual({ status: 200, text: 'fine' });
  });
});

describe('every channel client goes through the transport', () => {
  it('AlipayHK: a 302 gateway never forwards the signed request or the access token', async () => {
    const { target, gateway, events, observe } = await redirectScene();
    const client = createAlipayHkClient({
      gatewayUrl: gateway.url,
      clientId: 'TEST_CLIENT',
      signer: createRsaSigner(parseRsaKey(fixture('test-merchant-private.pem'), 'private'), 'RSA2'),
      verifier: createRsaVerifier(parseRsaKey(fixture('test-merchant-public.pem'), 'public'), 'RSA2'),
      timeoutMs: 5000,
      observe,
    });

    const error = await rejection(
      client.call(ALIPAYHK_FUNCTIONS.payQuery, { merchantTransId: 'TP1' }, undefined, { accessToken: 'access-token-secret' }),
    );

    expect(error).toBeInstanceOf(GatewayUnknownError);
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]!.body).toContain('access-token-secret');
    expect(target.requests).toHaveLength(0);
    expect(events).toEqual([
      expect.objectContaining({ gateway: 'alipayhk', name: ALIPAYHK_FUNCTIONS.payQuery, outcome: 'unknown', reason: 'redirect' }),
    ]);
  });

  it('Latipay: a 302 on create and on query is unknown, and the target sees nothing', async () => {
    const { target, gateway, events, observe } = await redirectScene();
    const client = createLatipayClient({
      gatewayUrl: gateway.url,
      signer: createLatipaySigner('latipay-key'),
      timeoutMs: 5000,
      observe,
    });

    expect(await rejection(client.post(LATIPAY_PATHS.miniAlipay, { user_id: 'U1' }))).toBeInstanceOf(GatewayUnknownError);
    expect(
      await rejection(client.get(LATIPAY_PATHS.transaction('TP123'), { user_id: 'U1' }, { merchant_reference: 'TP123' })),
    ).toBeInstanceOf(GatewayUnknownError);
    expect(gateway.requests).toHaveLength(2);
    expect(target.requests).toHaveLength(0);
    // One name per call kind, whatever the order: fit for a metrics label.
    expect(events.map((event) => [event.gateway, event.name, event.reason])).toEqual([
      ['latipay', 'Latipay POST /v2/minialipay', 'redirect'],
      ['latipay', 'Latipay GET /v2/transaction/{merchant_reference}', 'redirect'],
    ]);
  });

  it('intents: a 302 on the token request is unknown; the client secret goes nowhere else', async () => {
    const { target, gateway } = await redirectScene();
    const client = createIntentsClient({ gatewayUrl: gateway.url, uid: 'TPUID', clientSecret: 'intents-client-secret', timeoutMs: 5000 });

    expect(await rejection(client.call('/mch-api/v1/pa/payment_intents/query', { merchant_order_id: 'TP1' }))).toBeInstanceOf(
      GatewayUnknownError,
    );
    expect(gateway.requests).toHaveLength(1);
    // The token call carries the secret in its query string (docs/protocols/intents.md).
    expect(gateway.requests[0]!.url).toContain('client_secret=intents-client-secret');
    expect(target.requests).toHaveLength(0);
  });
});

describe('the request id of a call', () => {
  /** A fetch that records the headers it was given, and a call log that records its lines. */
  function scene(forwardRequestId: boolean) {
    const sent: Headers[] = [];
    const fetchImpl: typeof fetch = async (_url, init) => {
      sent.push(new Headers(init?.headers));
      return new Response('{}', { status: 200 });
    };
    const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
    const callLog: GatewayCallLog = {
      logger: { info: (fields, msg) => lines.push({ fields: fields as Record<string, unknown>, msg }) },
      forwardRequestId,
    };
    return { sent, lines, callLog, fetchImpl };
  }

  const request = {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: '{"request":{"head":{"function":"alipay.intl.acquiring.common.payQuery","reqMsgId":"abc123"}}}',
  };

  it('forwarding on (sandbox mode): sent as x-request-id and logged beside the reqMsgId and path', async () => {
    const { sent, lines, callLog, fetchImpl } = scene(true);
    const transport = createGatewayTransport({ gateway: 'alipayhk', timeoutMs: 5000, fetch: fetchImpl, callLog });
    await transport.send('payQuery', 'http://gateway.test/api/payQuery?x=1', request, { requestId: 'mp-attempt-1' });
    expect(sent[0]?.get('x-request-id')).toBe('mp-attempt-1');
    expect(sent[0]?.get('content-type')).toBe('application/json');
    expect(lines).toEqual([{ fields: { reqId: 'mp-attempt-1', reqMsgId: 'abc123', gatewayPath: '/api/payQuery' }, msg: 'gateway call' }]);
  });

  it('forwarding off (live gateways): no x-request-id reaches the fetch, and the call is still logged', async () => {
    const { sent, lines, callLog, fetchImpl } = scene(false);
    const transport = createGatewayTransport({ gateway: 'alipayhk', timeoutMs: 5000, fetch: fetchImpl, callLog });
    await transport.send('payQuery', 'http://gateway.test/api/payQuery', request, { requestId: 'mp-attempt-1' });
    expect([...sent[0]!.keys()]).toEqual(['content-type']);
    expect(lines).toEqual([{ fields: { reqId: 'mp-attempt-1', reqMsgId: 'abc123', gatewayPath: '/api/payQuery' }, msg: 'gateway call' }]);
  });

  it('no id (the reconciler): no header even when forwarding, and the line has no reqId', async () => {
    const { sent, lines, callLog, fetchImpl } = scene(true);
    const transport = createGatewayTransport({ gateway: 'latipay', timeoutMs: 5000, fetch: fetchImpl, callLog });
    await transport.send('Latipay GET', 'http://gateway.test/v2/transaction/TP1?signature=s', { method: 'GET', headers: {} });
    expect(sent[0]?.has('x-request-id')).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.fields.reqId).toBeUndefined();
    // The path only: the query string (a signature, a client secret) is never logged.
    expect(lines[0]!.fields).toEqual({ gatewayPath: '/v2/transaction/TP1', reqId: undefined });
  });

  it("each channel client hands its call's id to the transport", async () => {
    const { sent, lines, callLog, fetchImpl } = scene(true);
    const call = { requestId: 'h5-attempt-7' };
    const latipay = createLatipayClient({
      gatewayUrl: 'http://latipay.test',
      signer: createLatipaySigner('k'),
      timeoutMs: 5000,
      fetch: fetchImpl,
      callLog,
    });
    await latipay.post(LATIPAY_PATHS.miniAlipay, { user_id: 'U1' }, call);
    await latipay.get(LATIPAY_PATHS.transaction('TP1'), { user_id: 'U1' }, { merchant_reference: 'TP1' }, call);
    const intents = createIntentsClient({
      gatewayUrl: 'http://intents.test',
      uid: 'TPUID',
      clientSecret: 'intents-client-secret',
      timeoutMs: 5000,
      fetch: async (url, init) => {
        await fetchImpl(url, init);
        return new Response(String(url).includes('/auth') ? '{"access_token":"t","expires_in":300}' : '{"code":0}', { status: 200 });
      },
      callLog,
    });
    await intents.call('/mch-api/v1/pa/payment_intents/query', { merchant_order_id: 'TP1' }, call);
    // Latipay create and query, then the intents token request and query: all four under the id.
    expect(sent.map((headers) => headers.get('x-request-id'))).toEqual(Array(4).fill('h5-attempt-7'));
    expect(lines.map((line) => [line.fields.reqId, line.fields.gatewayPath])).toEqual([
      ['h5-attempt-7', '/v2/minialipay'],
      ['h5-attempt-7', '/v2/transaction/TP1'],
      ['h5-attempt-7', '/mch-api/v1/auth'],
      ['h5-attempt-7', '/mch-api/v1/pa/payment_intents/query'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('intents-client-secret');
  });
});
