import type { AgreementStatus, AgreementView } from '@tradepay/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { messagesFor } from '../../i18n';
import type { HttpRequest } from '../../platform/types';
import { RECENT_ORDERS_KEY } from '../../storage/recent-orders';
import { PRODUCTS, createFakePlatform, fakePageInstance, json, makeOrder, pathOf } from '../../testing/fakes';
import { createAutodebitPage } from './page';
import { currentAgreement, toAgreementCard, toAutodebitView, toChargePanel, type AutodebitModel } from './view';

const t = messagesFor('en');
const zh = messagesFor('zh-HK');
const AGREEMENT_ID = 'agr_test0000000000000001';

function agreement(status: AgreementStatus, overrides: Partial<AgreementView> = {}): AgreementView {
  return {
    id: AGREEMENT_ID,
    merchantAgreementId: 'TPA20251122ABCDEFGHJKMNPQRSTVWX',
    status,
    failureCode: null,
    dailyLimit: { currency: 'HKD', value: '100000' },
    chargedToday: { currency: 'HKD', value: '4800' },
    createdAt: '2025-11-22T10:00:00.000Z',
    updatedAt: '2025-11-22T10:00:00.000Z',
    activatedAt: status === 'PENDING' ? null : '2025-11-22T10:01:00.000Z',
    endedAt: null,
    ...overrides,
  };
}

function model(overrides: Partial<AutodebitModel> = {}): AutodebitModel {
  return {
    t,
    agreement: { status: 'ready', agreement: agreement('ACTIVE') },
    busy: null,
    actionError: null,
    bindNote: null,
    catalog: { status: 'ready', products: PRODUCTS },
    selectedSku: 'TEA-001',
    state: 'idle',
    outcome: null,
    ...overrides,
  };
}

describe('auto-debit view: the agreement card', () => {
  it('picks the active agreement, else a pending one, else the newest', () => {
    expect(
      currentAgreement([agreement('REVOKED', { id: 'a' }), agreement('ACTIVE', { id: 'b' }), agreement('PENDING', { id: 'c' })])?.id,
    ).toBe('b');
    expect(currentAgreement([agreement('REVOKED', { id: 'a' }), agreement('PENDING', { id: 'c' })])?.id).toBe('c');
    expect(currentAgreement([agreement('DECLINED', { id: 'a' }), agreement('REVOKED', { id: 'b' })])?.id).toBe('a');
    expect(currentAgreement([])).toBeNull();
  });

  it.each([
    [null, 'muted', t.autodebit.noneTitle, t.autodebit.none],
    ['PENDING', 'warning', t.autodebit.pendingTitle, t.autodebit.pending],
    ['ACTIVE', 'success', t.autodebit.activeTitle, t.autodebit.active],
    ['DECLINED', 'muted', t.autodebit.noneTitle, t.autodebit.declined],
    ['FAILED', 'error', t.autodebit.noneTitle, 'The last authorisation could not be completed (AUTH_CODE_EXPIRED).'],
    ['REVOKED', 'muted', t.autodebit.noneTitle, t.autodebit.revoked],
    ['EXPIRED', 'warning', t.autodebit.noneTitle, t.autodebit.expired],
  ] as const)('%s → a %s card', (status, tone, title, message) => {
    const card = toAgreementCard(status ? agreement(status, { failureCode: status === 'FAILED' ? 'AUTH_CODE_EXPIRED' : null }) : null, t);
    expect(card).toMatchObject({ tone, title, message });
    expect(card.limitText).toBe(status === 'ACTIVE' ? 'Daily limit HK$1,000.00 · charged today HK$48.00' : '');
  });

  it('offers bind when nothing is active (start again when pending), unbind and charging only when active', () => {
    expect(toAutodebitView(model({ agreement: { status: 'ready', agreement: null } }))).toMatchObject({
      canBind: true,
      bindLabel: t.autodebit.bind,
      canUnbind: false,
      showCharge: false,
    });
    expect(toAutodebitView(model({ agreement: { status: 'ready', agreement: agreement('PENDING') } }))).toMatchObject({
      canBind: true,
      bindLabel: t.autodebit.bindAgain,
      showCharge: false,
    });
    expect(toAutodebitView(model())).toMatchObject({
      canBind: false,
      canUnbind: true,
      showCharge: true,
      chargeDisabled: false,
      chargeLabel: 'Charge HK$48.00 with auto-debit',
    });
    expect(toAutodebitView(model({ busy: 'unbind' }))).toMatchObject({
      canUnbind: false,
      unbindLoading: true,
      unbindLabel: t.autodebit.working,
      chargeDisabled: true,
    });
    expect(toAutodebitView(model({ agreement: { status: 'loading' } }))).toMatchObject({
      agreementStatus: 'loading',
      canBind: false,
      showCharge: false,
    });
    const failed = toAutodebitView(model({ agreement: { status: 'error', error: new ApiError('network', 'x') } }));
    expect(failed.agreementError).toBe(`${t.autodebit.loadError} ${t.errors.network}`);
    expect(toAutodebitView(model({ actionError: new ApiError('http', 'x', 502, 'GATEWAY_UNAVAILABLE') })).actionError).toBe(
      t.errors.server,
    );
  });

  it('needs a product before charging; a running charge disables charge, bind and unbind', () => {
    expect(toAutodebitView(model({ selectedSku: null }))).toMatchObject({ chargeDisabled: true, chargeLabel: t.autodebit.chargeNone });
    const running = toAutodebitView(model({ state: 'creating' }));
    expect(running).toMatchObject({ chargeDisabled: true, chargeLoading: true, canUnbind: false, state: 'creating' });
    expect(running.products.find((p) => p.sku === 'TEA-001')?.selected).toBe(true);
  });
});

describe('auto-debit view: the charge panel', () => {
  const order = makeOrder('SUCCEEDED');
  it.each([
    ['idle', null, false, '', ''],
    ['creating', null, true, t.autodebit.creating, ''],
    ['confirming', null, true, t.autodebit.confirming, ''],
    ['confirming', { state: 'confirming', orderId: order.id }, true, t.autodebit.stillConfirmingTitle, t.autodebit.stillConfirming],
    [
      'succeeded',
      { state: 'succeeded', order },
      true,
      t.autodebit.succeededTitle,
      `HK$96.00 was charged to your wallet (order ${order.id}).`,
    ],
    ['failed', { state: 'failed', reason: 'declined' }, true, t.autodebit.failedTitle, t.autodebit.chargeDeclined],
    ['failed', { state: 'failed', reason: 'inactive' }, true, t.autodebit.failedTitle, t.autodebit.inactive],
    ['failed', { state: 'failed', reason: 'over-limit' }, true, t.autodebit.failedTitle, t.autodebit.overLimit],
    [
      'failed',
      { state: 'failed', reason: 'order-failed', order: makeOrder('FAILED') },
      true,
      t.autodebit.failedTitle,
      t.autodebit.orderFailed,
    ],
    [
      'failed',
      { state: 'failed', reason: 'request-error', error: new ApiError('timeout', 'x') },
      true,
      t.autodebit.failedTitle,
      t.errors.timeout,
    ],
  ] as const)('%s %o', (state, outcome, visible, title, message) => {
    const panel = toChargePanel(state, outcome as never, t);
    expect(panel).toMatchObject({ visible, title, message });
  });

  it('still confirming: check again or view the order; no "New charge" beside "don\'t charge again", no second charge meanwhile', () => {
    const view = toAutodebitView(model({ state: 'confirming', outcome: { state: 'confirming', orderId: 'ord_x' } }));
    expect(view.panel).toMatchObject({ checkAgain: true, viewOrder: true, newOrder: false, tone: 'warning' });
    expect(view).toMatchObject({ chargeDisabled: true, chargeLoading: false });
  });

  it('speaks Traditional Chinese', () => {
    const view = toAutodebitView(model({ t: zh }));
    expect(view.card.title).toBe('自動扣款已啟用');
    expect(view.chargeLabel).toBe('以自動扣款支付 HK$48.00');
  });
});

/** A scripted BFF for the page: agreements (list, create, revoke), catalog, charges, orders. */
function agreementsBff(script: { list?: AgreementView[]; charge?: () => ReturnType<typeof json> } = {}) {
  let list = [...(script.list ?? [])];
  return (request: HttpRequest) => {
    const path = pathOf(request);
    if (path === '/api/catalog') return json(200, { products: PRODUCTS });
    if (path === '/api/agreements' && request.method === 'GET') return json(200, { agreements: list });
    if (path === '/api/agreements' && request.method === 'POST') {
      list = [agreement('PENDING'), ...list];
      return json(201, { agreement: list[0], authUrl: 'http://127.0.0.1:3100/sandbox/auth?authId=abc&x=1' });
    }
    if (path === `/api/agreements/${AGREEMENT_ID}/sign-contract` && request.method === 'POST') {
      const body = request.body as { authCode?: string; authState?: string };
      const status = body.authCode === 'GOOD' ? ('ACTIVE' as const) : ('FAILED' as const);
      list = list.map((a) => (a.id === AGREEMENT_ID ? { ...a, status } : a));
      return json(200, { agreement: list.find((a) => a.id === AGREEMENT_ID) });
    }
    if (path === `/api/agreements/${AGREEMENT_ID}/revoke` && request.method === 'POST') {
      list = list.map((a) => (a.id === AGREEMENT_ID ? { ...a, status: 'REVOKED' as const } : a));
      return json(200, { agreement: list.find((a) => a.id === AGREEMENT_ID) });
    }
    if (path === `/api/agreements/${AGREEMENT_ID}/charges`)
      return script.charge ? script.charge() : json(201, { order: makeOrder('SUCCEEDED') });
    if (path.startsWith('/api/orders/')) return json(200, { order: makeOrder('SUCCEEDED') });
    return json(404, { error: { code: 'NOT_FOUND', message: path } });
  };
}

async function openPage(platform: ReturnType<typeof createFakePlatform>) {
  const options = createAutodebitPage(platform);
  const page = fakePageInstance(options.data);
  await options.onLoad.call(page);
  await options.onShow.call(page);
  return { options, page };
}

describe('auto-debit page', () => {
  it('binds: creates the agreement and opens its consent page in the web-view page; on return it shows the new status', async () => {
    const platform = createFakePlatform(agreementsBff());
    const { options, page } = await openPage(platform);
    expect(page.data).toMatchObject({ agreementStatus: 'ready', canBind: true, card: { title: t.autodebit.noneTitle } });
    await options.onBind.call(page);
    expect(platform.navigations).toEqual([
      `/pages/webview/index?url=${encodeURIComponent('http://127.0.0.1:3100/sandbox/auth?authId=abc&x=1')}`,
    ]);
    expect(page.data.card.title).toBe(t.autodebit.pendingTitle);
    expect(platform.titles).toContain(t.titles.autodebit);
  });

  it('where the app has my.signContract, binds inside the app: no web-view; the code goes to the BFF with its state', async () => {
    const signed: string[] = [];
    const platform = createFakePlatform(agreementsBff(), {
      signContract: async (signStr) => (signed.push(signStr), { kind: 'signed', authCode: 'GOOD', authState: 'st-1' }),
    });
    const { options, page } = await openPage(platform);
    await options.onBind.call(page);
    expect(signed).toEqual(['http://127.0.0.1:3100/sandbox/auth?authId=abc&x=1']);
    expect(platform.navigations).toEqual([]);
    const post = platform.requests.find((r) => pathOf(r).endsWith('/sign-contract'));
    expect(post?.body).toEqual({ authCode: 'GOOD', authState: 'st-1' });
    expect(page.data).toMatchObject({ card: { title: t.autodebit.activeTitle }, showCharge: true, bindNote: '' });
  });

  it.each([
    ['6001', t.autodebit.bindCancelled, 0],
    ['6002', t.autodebit.bindNetwork, 0],
    // Result unknown: not a cancel; the page asks the BFF again.
    ['7001', t.autodebit.bindChecking, 1],
  ])('my.signContract failing with %s says so and posts nothing', async (error, note, extraLists) => {
    const platform = createFakePlatform(agreementsBff(), { signContract: async () => ({ kind: 'fail', error }) });
    const { options, page } = await openPage(platform);
    const listsBefore = platform.requests.filter((r) => r.method === 'GET' && pathOf(r) === '/api/agreements').length;
    await options.onBind.call(page);
    expect(platform.requests.some((r) => pathOf(r).endsWith('/sign-contract'))).toBe(false);
    expect(page.data.bindNote).toBe(note);
    expect(platform.requests.filter((r) => r.method === 'GET' && pathOf(r) === '/api/agreements').length - listsBefore).toBe(extraLists);
  });

  it('unbinds an active agreement with POST …/revoke and a JSON body (no DELETE on Alipay+)', async () => {
    const platform = createFakePlatform(agreementsBff({ list: [agreement('ACTIVE')] }));
    const { options, page } = await openPage(platform);
    expect(page.data.canUnbind).toBe(true);
    await options.onUnbind.call(page);
    const del = platform.requests.find((r) => pathOf(r).endsWith('/revoke'));
    expect(del && [del.method, pathOf(del)]).toEqual(['POST', `/api/agreements/${AGREEMENT_ID}/revoke`]);
    expect(del?.body).toEqual({});
    expect(page.data).toMatchObject({ card: { message: t.autodebit.revoked }, canUnbind: false, showCharge: false, canBind: true });
  });

  it('charges the selected product: creating → succeeded, with an Idempotency-Key; the order is remembered on the device', async () => {
    const platform = createFakePlatform(agreementsBff({ list: [agreement('ACTIVE')] }));
    const { options, page } = await openPage(platform);
    await options.onCharge.call(page); // nothing selected yet: ignored
    expect(platform.requests.some((r) => pathOf(r).endsWith('/charges'))).toBe(false);
    options.onSelect.call(page, { currentTarget: { dataset: { sku: 'CUP-002' } } });
    expect(page.data.chargeLabel).toBe('Charge HK$120.50 with auto-debit');
    await options.onCharge.call(page);
    const post = platform.requests.find((r) => pathOf(r).endsWith('/charges'))!;
    expect(post.body).toEqual({ items: [{ sku: 'CUP-002', quantity: 1 }] });
    expect(post.headers?.['idempotency-key']).toMatch(/^mp-ad-/);
    expect(page.history.map((d) => d.state).filter((s, i, all) => s !== all[i - 1])).toEqual(['idle', 'creating', 'succeeded']);
    expect(page.data.panel).toMatchObject({ tone: 'success', viewOrder: true });
    expect(platform.store.get(RECENT_ORDERS_KEY)).toEqual([makeOrder('SUCCEEDED').id]);
    await options.onViewOrder.call(page);
    expect(platform.navigations).toEqual([`/pages/result/index?id=${makeOrder('SUCCEEDED').id}`]);
  });

  it('a PENDING charge goes through confirming (the flow’s polling) to the BFF’s answer', async () => {
    const platform = createFakePlatform(
      agreementsBff({ list: [agreement('ACTIVE')], charge: () => json(202, { order: makeOrder('PENDING') }) }),
    );
    const { options, page } = await openPage(platform);
    options.onSelect.call(page, { currentTarget: { dataset: { sku: 'TEA-001' } } });
    await options.onCharge.call(page);
    expect(page.history.map((d) => d.state).filter((s, i, all) => s !== all[i - 1])).toEqual([
      'idle',
      'creating',
      'confirming',
      'succeeded',
    ]);
    expect(platform.requests.some((r) => pathOf(r).endsWith('/confirm') && (r.body as { resultCode: string }).resultCode === '6004')).toBe(
      true,
    );
  });

  it('a charge over the daily limit fails with a clear message and refreshes the agreement', async () => {
    const platform = createFakePlatform(
      agreementsBff({ list: [agreement('ACTIVE')], charge: () => json(422, { error: { code: 'DAILY_CAP_EXCEEDED', message: 'over' } }) }),
      { language: 'zh-HK' },
    );
    const { options, page } = await openPage(platform);
    options.onSelect.call(page, { currentTarget: { dataset: { sku: 'TEA-001' } } });
    const lists = () => platform.requests.filter((r) => pathOf(r) === '/api/agreements' && r.method === 'GET').length;
    const before = lists();
    await options.onCharge.call(page);
    expect(page.data).toMatchObject({ state: 'failed', panel: { tone: 'error', message: zh.autodebit.overLimit } });
    expect(lists()).toBe(before + 1);
  });

  it('a failed load shows a retry that loads again', async () => {
    let fail = true;
    const bff = agreementsBff({ list: [agreement('ACTIVE')] });
    const platform = createFakePlatform((request) => (fail && pathOf(request) === '/api/agreements' ? json(503, {}) : bff(request)));
    const { options, page } = await openPage(platform);
    expect(page.data).toMatchObject({ agreementStatus: 'error', agreementError: `${t.autodebit.loadError} ${t.errors.server}` });
    fail = false;
    await options.onRetry.call(page);
    expect(page.data).toMatchObject({ agreementStatus: 'ready', showCharge: true });
  });
});
