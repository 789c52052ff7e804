/**
 * Wallets for `my.tradePay`: the sandbox's (real HTTP, for the end-to-end tests over `startStack()`)
 * and a fake that mimics each sandbox outcome on the fake BFF. One table says what the buyer must
 * see for each outcome; both wallets are held to it.
 */
import type { OrderStatus, UiState } from '@tradepay/shared';
import { orderIdOf, type FakeBff } from './fake-bff';
import type { SignContractFn, WalletFn } from './load-miniapp';

/** `POST {sandboxUrl}/sandbox/wallet/tradePay` outcomes (design.md, "Sandbox"). */
export const SANDBOX_OUTCOMES = ['success', 'fail', 'cancel', 'processing', 'unknown', 'network'] as const;
export type SandboxOutcome = (typeof SANDBOX_OUTCOMES)[number];

/** What the checkout page's `data.state` must go through for each outcome. */
export const EXPECTED_STATES: Record<SandboxOutcome, UiState[]> = {
  success: ['idle', 'creating', 'paying', 'confirming', 'succeeded'],
  processing: ['idle', 'creating', 'paying', 'confirming', 'succeeded'],
  unknown: ['idle', 'creating', 'paying', 'confirming', 'succeeded'],
  network: ['idle', 'creating', 'paying', 'confirming', 'succeeded'],
  fail: ['idle', 'creating', 'paying', 'failed'],
  cancel: ['idle', 'creating', 'paying', 'cancelled'],
};

/** The sandbox wallet: what the AlipayHK app does when the mini program calls `my.tradePay`. */
export function sandboxWallet(sandboxUrl: string, outcome: SandboxOutcome): WalletFn {
  return async (orderStr) => {
    const res = await fetch(`${sandboxUrl.replace(/\/+$/, '')}/sandbox/wallet/tradePay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderStr, outcome }),
    });
    const body = (await res.json()) as { resultCode?: unknown };
    if (!res.ok || body.resultCode === undefined) throw new Error(`sandbox wallet answered ${res.status}: ${JSON.stringify(body)}`);
    return { resultCode: String(body.resultCode) };
  };
}

/** `my.getAuthCode` answered by the sandbox wallet (`POST /sandbox/wallet/authCode`), for a wallet-backed session. */
export function sandboxAuthCode(sandboxUrl: string, customerId?: string): () => Promise<string> {
  return async () => {
    const res = await fetch(`${sandboxUrl.replace(/\/+$/, '')}/sandbox/wallet/authCode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(customerId === undefined ? {} : { customerId }),
    });
    const body = (await res.json()) as { authCode?: unknown };
    if (!res.ok || typeof body.authCode !== 'string') throw new Error(`sandbox authCode answered ${res.status}: ${JSON.stringify(body)}`);
    return body.authCode;
  };
}

/** `my.signContract` answered by the sandbox wallet (`POST /sandbox/wallet/signContract`): the in-app consent. */
export function sandboxSignContract(
  sandboxUrl: string,
  options: { customerId?: string; decision?: 'agree' | 'decline' } = {},
): SignContractFn {
  return async (signStr) => {
    const res = await fetch(`${sandboxUrl.replace(/\/+$/, '')}/sandbox/wallet/signContract`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signStr, ...options }),
    });
    const body = (await res.json()) as { authCode?: unknown; authState?: unknown; error?: unknown; errMessage?: unknown };
    if (typeof body.error === 'string' && /^\d+$/.test(body.error)) return { error: body.error, errMessage: String(body.errMessage ?? '') };
    if (!res.ok || typeof body.authCode !== 'string' || typeof body.authState !== 'string')
      throw new Error(`sandbox signContract answered ${res.status}: ${JSON.stringify(body)}`);
    return { authCode: body.authCode, authState: body.authState };
  };
}

/** The sandbox's outcomes replayed on the fake BFF: the code the app returns, and what a gateway query finds. */
const FAKE_OUTCOMES: Record<SandboxOutcome, { resultCode: string; status: OrderStatus | null; afterGets: number }> = {
  success: { resultCode: '9000', status: 'SUCCEEDED', afterGets: 0 },
  fail: { resultCode: '4000', status: 'FAILED', afterGets: 0 },
  cancel: { resultCode: '6001', status: null, afterGets: 0 },
  // Settles later: the first GETs still see PENDING.
  processing: { resultCode: '8000', status: 'SUCCEEDED', afterGets: 2 },
  // Paid, no notification: only the confirm's query finds it.
  unknown: { resultCode: '6004', status: 'SUCCEEDED', afterGets: 0 },
  network: { resultCode: '6002', status: 'SUCCEEDED', afterGets: 1 },
};

export function fakeWallet(bff: FakeBff, outcome: SandboxOutcome): WalletFn {
  return async (orderStr) => {
    const { resultCode, status, afterGets } = FAKE_OUTCOMES[outcome];
    if (status) bff.settle(orderIdOf(orderStr), status, afterGets);
    return { resultCode };
  };
}
