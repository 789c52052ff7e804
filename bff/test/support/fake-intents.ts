/**
 * A scripted payment-intents aggregator behind a `fetch` function, for tests that need the H5
 * channel without a sandbox process: token, create, query, cancel and refund, with every request
 * recorded. Tests change `answers` to script refusals or outages.
 */
export interface FakeIntent {
  order_id: string;
  merchant_order_id: string;
  amount: string;
  currency: string;
  status: 'PENDING' | 'SUCCEEDED' | 'CANCELLED';
}

export interface RecordedRequest {
  method: string;
  query: Record<string, string>;
  path: string;
  body: any;
  authorization: string | null;
}

export interface FakeAggregator {
  fetch: typeof fetch;
  requests: RecordedRequest[];
  intents: Map<string, FakeIntent>;
  tokensIssued: number;
  /** Per path, a scripted answer used instead of the normal behaviour (removed after use when `once`). */
  override(path: string, answer: { status: number; body: unknown } | 'network-error', once?: boolean): void;
  /** Makes every token issued so far invalid (as after a key rotation). */
  revokeTokens(): void;
}

export function fakeAggregator(options: { cashierBase?: string; expiresIn?: number } = {}): FakeAggregator {
  const requests: RecordedRequest[] = [];
  const intents = new Map<string, FakeIntent>();
  const valid = new Set<string>();
  const overrides = new Map<string, { answer: { status: number; body: unknown } | 'network-error'; once: boolean }>();
  let tokens = 0;
  let seq = 0;
  const cashierBase = options.cashierBase ?? 'https://cashier.example/pay';

  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  const fake: FakeAggregator = {
    requests,
    intents,
    get tokensIssued() {
      return tokens;
    },
    override(path, answer, once = true) {
      overrides.set(path, { answer, once });
    },
    revokeTokens() {
      valid.clear();
    },
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const path = url.pathname;
      const headers = new Headers(init?.headers);
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      const authorization = headers.get('authorization');
      requests.push({ path, method: init?.method ?? 'GET', query: Object.fromEntries(url.searchParams), body, authorization });
      const scripted = overrides.get(path);
      if (scripted) {
        if (scripted.once) overrides.delete(path);
        if (scripted.answer === 'network-error') throw new TypeError('fetch failed');
        return json(scripted.answer.status, scripted.answer.body);
      }
      if (path === '/mch-api/v1/auth') {
        // GET …/auth?grant_type=client_credentials&uid=…&client_secret=… → a top-level access_token (docs/protocols/intents.md).
        if (
          url.searchParams.get('grant_type') !== 'client_credentials' ||
          !url.searchParams.get('uid') ||
          !url.searchParams.get('client_secret')
        ) {
          return json(400, { code: 40001, message: 'grant_type, uid and client_secret are required' });
        }
        tokens += 1;
        const token = `tok-${tokens}`;
        valid.add(token);
        return json(200, { access_token: token, expires_in: options.expiresIn ?? 7200 });
      }
      if (!authorization || !valid.has(authorization.replace(/^Bearer /, ''))) return json(401, { code: 40100, message: 'invalid token' });
      const find = () => intents.get(body.merchant_order_id) ?? [...intents.values()].find((i) => i.order_id === body.order_id);
      switch (path) {
        case '/mch-api/v1/pa/payment_intents/create': {
          const existing = intents.get(body.merchant_order_id);
          const intent = existing ?? {
            order_id: `C${String(++seq).padStart(21, '0')}`,
            merchant_order_id: body.merchant_order_id,
            amount: body.amount,
            currency: body.currency,
            status: 'PENDING' as const,
          };
          intents.set(intent.merchant_order_id, intent);
          return json(200, {
            code: 0,
            data: { ...intent, next_action: { type: 'redirect', url: `${cashierBase}/${intent.order_id}` } },
            message: 'ok',
          });
        }
        case '/mch-api/v1/pa/payment_intents/query': {
          const intent = find();
          return intent ? json(200, { code: 0, data: intent, message: 'ok' }) : json(404, { code: 40400, message: 'order not found' });
        }
        case '/mch-api/v1/pa/payment_intents/cancel': {
          const intent = find();
          if (!intent) return json(404, { code: 40400, message: 'order not found' });
          if (intent.status === 'SUCCEEDED') return json(409, { code: 40901, message: 'paid' });
          intent.status = 'CANCELLED';
          return json(200, { code: 0, data: intent, message: 'ok' });
        }
        case '/mch-api/v1/acq/wechat/create_refund': {
          const intent = intents.get(body.merchant_payment_order_id);
          if (!intent) return json(404, { code: 40400, message: 'order not found' });
          return json(200, {
            code: 0,
            data: {
              refund_id: `R${body.merchant_refund_id}`,
              merchant_refund_id: body.merchant_refund_id,
              amount: body.refund_amount,
              currency: intent.currency,
              status: 'SUCCEEDED',
            },
            message: 'ok',
          });
        }
        default:
          return json(404, { error: 'NOT_FOUND' });
      }
    }) as typeof fetch,
  };
  return fake;
}
