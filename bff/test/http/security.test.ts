/**
 * Security hardening (issue 16): rate limits keyed on verified sessions only, session tokens that
 * must name a subject, an expiry, our issuer and audience, and the headers of API, admin and docs answers.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_AUDIENCE, SESSION_ISSUER } from '../../src/auth/session';
import { buildTestApp, type TestApp } from '../support/app';

const ORDER_URL = '/api/orders/ord_AAAAAAAAAAAAAAAAAAAAAAAA';

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An HS256 token over `claims`, signed with `secret` (the BFF's own, or an attacker's guess). */
function hs256(claims: Record<string, unknown>, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const content = `${b64url(header)}.${b64url(claims)}`;
  return `${content}.${createHmac('sha256', secret).update(content).digest('base64url')}`;
}

function subjectOf(authorization: string): string {
  return (JSON.parse(Buffer.from(authorization.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

describe('rate limits keyed on verified sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '20', SESSION_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => t.close());

  const get = (headers: Record<string, string>, remoteAddress: string) => t.app.inject({ url: ORDER_URL, headers, remoteAddress });

  it("a flood of fake tokens naming a buyer neither locks that buyer out nor escapes the flooder's IP limit", async () => {
    const victim = await t.newSession();
    const victimSub = subjectOf(victim.authorization);
    const now = Math.floor(Date.now() / 1000);
    const forged = hs256(
      { sub: victimSub, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, exp: now + 3600, iat: now },
      'not-the-session-secret-0123456789abcdef',
    );

    const codes: number[] = [];
    for (let i = 0; i < 30; i++) codes.push((await get({ authorization: `Bearer ${forged}` }, '203.0.113.7')).statusCode);
    // The flooder's own IP budget (20) is spent; the forged tokens were never accepted.
    expect(codes).toEqual([...Array<number>(20).fill(401), ...Array<number>(10).fill(429)]);

    // The named buyer, from elsewhere, still has their whole budget.
    const victimCodes: number[] = [];
    for (let i = 0; i < 20; i++) victimCodes.push((await get(victim, '198.51.100.20')).statusCode);
    expect(victimCodes).toEqual(Array<number>(20).fill(404));
  });

  it('a fresh fake subject per request shares one per-IP bucket', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 25; i++) {
      const fake = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: `buyer-${i}`, exp: 9999999999 })}.c2lnbmF0dXJl`;
      codes.push((await get({ authorization: `Bearer ${fake}` }, '203.0.113.8')).statusCode);
    }
    expect(codes).toEqual([...Array<number>(20).fill(401), ...Array<number>(5).fill(429)]);
    // Another IP is not affected by that bucket.
    expect((await get({}, '203.0.113.9')).statusCode).toBe(401);
  });

  it('a verified buyer is limited per buyer, whatever their IP', async () => {
    const buyer = await t.newSession();
    const codes: number[] = [];
    for (let i = 0; i < 22; i++) codes.push((await get(buyer, `192.0.2.${i + 1}`)).statusCode);
    expect(codes).toEqual([...Array<number>(20).fill(404), 429, 429]);
  });

  it('POST /api/session has a tighter limit per IP, which a bearer token does not lift', async () => {
    const buyer = await t.newSession();
    const post = (remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/api/session', payload: {}, headers: buyer, remoteAddress });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await post('203.0.113.50')).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect((await post('203.0.113.51')).statusCode).toBe(200);
  });

  it('a 429 carries its code, its message and when to retry', async () => {
    let res = await get({}, '203.0.113.60');
    for (let i = 0; i < 25 && res.statusCode !== 429; i++) res = await get({}, '203.0.113.60');
    expect(res.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many requests; retry in \d+ s$/) },
      requestId: expect.any(String),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('every limited answer says the limit, what is left and when the window resets; a 429 also when to retry', async () => {
    const buyer = await t.newSession();
    const first = await get(buyer, '203.0.113.80');
    expect(first.statusCode).toBe(404);
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '19', 'x-ratelimit-reset': '60' });
    expect(first.headers['retry-after']).toBeUndefined();
    let res = first;
    for (let i = 1; i < 20; i++) res = await get(buyer, '203.0.113.80');
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    const limited = await get(buyer, '203.0.113.80');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers).toMatchObject({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0' });
    expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(limited.headers['retry-after']).toBe(limited.headers['x-ratelimit-reset']);
    expect(limited.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('a sign-in over its limit answers 429 with when to retry, before the per-buyer count', async () => {
    const post = () => t.app.inject({ method: 'POST', url: '/api/session', payload: {}, remoteAddress: '203.0.113.90' });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post());
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[4]!.headers).toMatchObject({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '15' });
    const limited = answers[5]!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBeUndefined();
    expect(limited.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many requests; retry in \d+ s$/) },
      requestId: expect.any(String),
    });
    // The refused sign-in did not use up the IP's per-buyer budget.
    const after = await get({}, '203.0.113.90');
    expect(after.headers['x-ratelimit-remaining']).toBe('14');
  });
});

describe('the client IP behind a proxy', () => {
  it('by default X-Forwarded-For is ignored: a client cannot pick a fresh bucket', async () => {
    const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push(
          (await t.app.inject({ url: ORDER_URL, remoteAddress: '203.0.113.70', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } }))
            .statusCode,
        );
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await t.close();
    }
  });

  it('with TRUST_PROXY naming the load balancer, each client behind it has its own bucket', async () => {
    const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '10.0.0.0/8' });
    try {
      const from = (client: string) => t.app.inject({ url: ORDER_URL, remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': client } });
      const first: number[] = [];
      for (let i = 0; i < 4; i++) first.push((await from('198.51.100.1')).statusCode);
      expect(first).toEqual([401, 401, 401, 429]);
      expect((await from('198.51.100.2')).statusCode).toBe(401);
      // A peer that is not the named proxy cannot speak for anyone.
      const direct: number[] = [];
      for (let i = 0; i < 4; i++)
        direct.push(
          (await t.app.inject({ url: ORDER_URL, remoteAddress: '203.0.113.71', headers: { 'x-forwarded-for': `198.51.100.${50 + i}` } }))
            .statusCode,
        );
      expect(direct).toEqual([401, 401, 401, 429]);
    } finally {
      await t.close();
    }
  });

  it('TRUST_PROXY accepts addresses and CIDRs only', async () => {
    await expect(buildTestApp({ TRUST_PROXY: 'true' })).rejects.toThrow(/TRUST_PROXY/);
    await expect(buildTestApp({ TRUST_PROXY: '10.0.0.0/8, example.com' })).rejects.toThrow(/TRUST_PROXY/);
  });
});

describe('session tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => ({ sub: 'guest:handmade', iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, iat: now(), exp: now() + 600 });
  const status = async (token: string) =>
    (await t.app.inject({ url: ORDER_URL, headers: { authorization: `Bearer ${token}` } })).statusCode;

  it('an issued token names its subject, expiry, issuer and audience', () => {
    const claims = JSON.parse(Buffer.from(t.auth.authorization.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({
      sub: expect.stringMatching(/^guest:/),
      iss: SESSION_ISSUER,
      aud: SESSION_AUDIENCE,
      exp: expect.any(Number),
    });
    expect(claims.exp - claims.iat).toBe(t.config.sessionTtlSeconds);
  });

  it('a token with every claim, signed with the session secret, is accepted', async () => {
    expect(await status(hs256(valid(), t.config.sessionSecret))).toBe(404);
  });

  it.each([
    ['no exp', (c: Record<string, unknown>) => delete c.exp],
    ['no sub', (c: Record<string, unknown>) => delete c.sub],
    ['an empty sub', (c: Record<string, unknown>) => (c.sub = '')],
    ['no iss', (c: Record<string, unknown>) => delete c.iss],
    ['no aud', (c: Record<string, unknown>) => delete c.aud],
    ['another issuer', (c: Record<string, unknown>) => (c.iss = 'someone-else')],
    ['another audience', (c: Record<string, unknown>) => (c.aud = 'tradepay-admin')],
    ['an expiry in the past', (c: Record<string, unknown>) => (c.exp = now() - 60)],
  ])('a token with %s → 401', async (_name, change) => {
    const claims: Record<string, unknown> = valid();
    change(claims);
    const res = await t.app.inject({ url: ORDER_URL, headers: { authorization: `Bearer ${hs256(claims, t.config.sessionSecret)}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHORIZED');
  });

  it('an unsigned (alg none) token → 401', async () => {
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(valid())}.`;
    expect(await status(none)).toBe(401);
  });
});

describe('security headers', () => {
  let t: TestApp;
  let https: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    https = await buildTestApp({ PUBLIC_URL: 'https://shop.example' });
  });
  afterAll(async () => {
    await t.close();
    await https.close();
  });

  const admin = () => ({ authorization: `Bearer ${t.config.adminToken}` });

  it.each([
    ['GET /api/catalog', { url: '/api/catalog' }, 200],
    ['an API 401', { url: ORDER_URL }, 401],
    ['an API 404', { url: '/api/nothing-here' }, 404],
    ['an API 400', { method: 'POST' as const, url: '/api/session', payload: { unexpected: 1 } }, 400],
    ['an admin 401', { url: '/admin/orders' }, 401],
  ])('%s: nosniff and no-store', async (_name, request, code) => {
    const res = await t.app.inject(request);
    expect(res.statusCode).toBe(code);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it("an admin 200 and a buyer's order: nosniff and no-store", async () => {
    const list = await t.app.inject({ url: '/admin/orders', headers: admin() });
    expect(list.statusCode).toBe(200);
    expect(list.headers['x-content-type-options']).toBe('nosniff');
    expect(list.headers['cache-control']).toBe('no-store');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: t.auth,
      payload: { items: [{ sku: 'EGG-TART-6', quantity: 1 }] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
  });

  it.each(['/docs', '/docs/', '/docs/json', '/docs/static/index.html'])('%s cannot be framed', async (url) => {
    const res = await t.app.inject({ url });
    expect(res.statusCode).toBeLessThan(400);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('no Strict-Transport-Security while PUBLIC_URL is http', async () => {
    for (const url of ['/api/catalog', '/docs/json', '/health']) {
      expect((await t.app.inject({ url })).headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('Strict-Transport-Security on every answer when PUBLIC_URL is https', async () => {
    for (const url of ['/api/catalog', '/docs/json', '/health', '/admin/orders', '/h5/']) {
      expect((await https.app.inject({ url })).headers['strict-transport-security']).toBe('max-age=31536000');
    }
  });

  it('the H5 pages keep their own stricter headers', async () => {
    const res = await t.app.inject({ url: '/h5/' });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(res.headers['content-security-policy'])).toContain('script-src');
  });
});

describe('no cross-origin access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };

  it.each(['/api/orders', '/api/session', '/admin/orders', '/health', '/no-such-path'])(
    'a preflight for %s is an unknown route, with no CORS header',
    async (url) => {
      const res = await t.app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://elsewhere.example', ...preflight } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) }, requestId: res.headers['x-request-id'] });
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-') || name === 'vary')).toEqual([]);
    },
  );

  it('an API preflight keeps the API headers', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/orders',
      headers: { origin: 'https://elsewhere.example', ...preflight },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('a cross-origin request is answered without granting the origin anything', async () => {
    const res = await t.app.inject({ url: '/api/catalog', headers: { origin: 'https://elsewhere.example' } });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-') || name === 'vary')).toEqual([]);
  });
});
