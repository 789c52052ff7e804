import { createSecretKey, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgreementGateway, GatewayAnswer } from '../agreement-gateway';
import { createOrderService } from '../order-service';
import type { Store } from '../store';
import { MERCHANT_ID, openTestStore, scriptedChannel, testCatalog } from '../testing';
import { createTokenCipher } from '../token-cipher';
import { createAgreementService, type AgreementService } from './index';

const WALLET_BUYER = 'alipayhk:2088000000000001';

/** A wallet that starts bindings (or does not answer) and is never asked anything else here. */
function wallet(prepare: GatewayAnswer<{ authUrl: string }>): AgreementGateway {
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    merchantId: MERCHANT_ID,
    prepare: async () => prepare,
    exchangeAuthCode: unused,
    userId: unused,
    refresh: unused,
    query: unused,
    cancel: unused,
    pay: unused,
  };
}

/** The auto-debit service's refusals, as outcomes: no HTTP, no thrown AppError. */
describe('agreement service outcomes', () => {
  let store: Store;

  beforeEach(async () => {
    store = await openTestStore();
  });
  afterEach(() => store.close());

  function service(gateway: AgreementGateway | null): AgreementService {
    const channels = new Map([['alipayhk' as const, scriptedChannel().channel]]);
    const orders = createOrderService({ store, catalog: testCatalog, channels, defaultChannel: 'alipayhk', orderTtlMs: 60_000 });
    return createAgreementService({
      store,
      catalog: testCatalog,
      orders,
      gateway,
      cipher: gateway ? createTokenCipher(createSecretKey(randomBytes(32))) : null,
      redirectUrl: 'https://shop.example/api/agreements/return',
      dailyCap: 10_000,
      currency: 'HKD',
      orderTtlMs: 60_000,
    });
  }

  it('answers auto-debit-unavailable when auto-debit is off', async () => {
    const agreements = service(null);
    expect(await agreements.create(WALLET_BUYER)).toEqual({ kind: 'auto-debit-unavailable' });
    expect(await agreements.completeBinding({ state: 's', merchantAgreementId: 'm' })).toEqual({ kind: 'auto-debit-unavailable' });
    expect(await agreements.charge({ agreementId: 'agr_x', buyerId: WALLET_BUYER, items: [] })).toEqual({
      kind: 'auto-debit-unavailable',
    });
  });

  it('binds wallet buyers only; a wallet refusal or silence is its own refusal', async () => {
    const ok = service(wallet({ ok: true, value: { authUrl: 'https://wallet.example/consent' } }));
    expect(await ok.create('guest:1')).toEqual({ kind: 'wallet-sign-in-required' });
    const started = await ok.create(WALLET_BUYER);
    expect(started.kind === 'ok' && started.value.authUrl).toBe('https://wallet.example/consent');
    expect(await service(wallet({ ok: false, code: 'NO_PERMISSION' })).create(WALLET_BUYER)).toEqual({
      kind: 'wallet-refused',
      step: 'prepare',
      code: 'NO_PERMISSION',
    });
    expect(await service(wallet({ ok: false, status: 'UNKNOWN', reason: 'timeout' })).create(WALLET_BUYER)).toEqual({
      kind: 'gateway-unknown',
    });
  });

  it('rejects a return that matches no PENDING agreement, and changes nothing', async () => {
    const agreements = service(wallet({ ok: true, value: { authUrl: 'https://wallet.example/consent' } }));
    const started = await agreements.create(WALLET_BUYER);
    if (started.kind !== 'ok') throw new Error(started.kind);
    expect(await agreements.completeBinding({ state: 'forged', agreementId: started.value.agreement.id })).toEqual({
      kind: 'return-rejected',
      why: 'the state does not match the agreement',
    });
    expect(await agreements.completeBinding({ merchantAgreementId: started.value.agreement.merchantAgreementId })).toEqual({
      kind: 'return-rejected',
      why: 'state and merchantAgreementId are required',
    });
    const again = await agreements.get(started.value.agreement.id, WALLET_BUYER);
    expect(again.kind === 'ok' && again.value.status).toBe('PENDING');
  });

  it("answers agreement-not-found for another buyer's agreement; refuses a charge it cannot make", async () => {
    const agreements = service(wallet({ ok: true, value: { authUrl: 'https://wallet.example/consent' } }));
    const started = await agreements.create(WALLET_BUYER);
    if (started.kind !== 'ok') throw new Error(started.kind);
    const id = started.value.agreement.id;
    expect(await agreements.get(id, 'alipayhk:someone-else')).toEqual({ kind: 'agreement-not-found' });
    expect(await agreements.revoke(id, 'alipayhk:someone-else')).toEqual({ kind: 'agreement-not-found' });
    const charge = (items: { sku: string; quantity: number }[]) => agreements.charge({ agreementId: id, buyerId: WALLET_BUYER, items });
    expect(await charge([{ sku: 'yen', quantity: 1 }])).toEqual({ kind: 'currency-not-supported', currency: 'HKD' });
    expect(await charge([{ sku: 'tea', quantity: 1 }])).toEqual({ kind: 'agreement-not-active', status: 'PENDING' });
    expect(await charge([{ sku: 'nope', quantity: 1 }])).toEqual({ kind: 'unknown-sku', sku: 'nope' });
  });
});
