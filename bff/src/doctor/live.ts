/**
 * `doctor --live`: harmless signed calls to the configured gateways. AlipayHK gets a payQuery of a
 * merchantTransId that cannot exist, and the other documented forms when the configured one fails
 * (alipayhk-live.ts, alipayhk-probe.ts). Latipay gets a signed query of an unknown reference, the
 * aggregator a token request.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { createIntentsClient } from '../channels/intents/client';
import { createLatipayClient, LATIPAY_PATHS } from '../channels/latipay/client';
import { createLatipaySigner } from '../channels/latipay/signing';
import { codeOf, ORDER_NOT_EXIST_CODE, SUCCESS_CODE } from '../channels/latipay/status-map';
import { checkAlipayHk } from './alipayhk-live';
import type { Check, DoctorReport } from './report';

export interface LiveOptions {
  fetch?: typeof fetch;
}

async function checkLatipay(config: Readonly<Config>, fetchFn: typeof fetch): Promise<Check> {
  const latipay = config.latipay;
  if (!latipay) return { id: 'latipay.live', status: 'ok', message: 'Latipay is off: not probed', fix: '' };
  const client = createLatipayClient({
    gatewayUrl: latipay.gatewayUrl,
    signer: createLatipaySigner(latipay.apiKey),
    timeoutMs: latipay.timeoutMs,
    fetch: fetchFn,
  });
  const reference = `DOCTOR-PROBE-${randomUUID()}`;
  const started = performance.now();
  try {
    const reply = await client.get<{ code?: unknown; message?: unknown }>(
      LATIPAY_PATHS.transaction(reference),
      { user_id: latipay.userId },
      { merchant_reference: reference, user_id: latipay.userId },
    );
    const ms = Math.round(performance.now() - started);
    const code = codeOf(reply.body.code);
    if (code === ORDER_NOT_EXIST_CODE)
      return {
        id: 'latipay.live',
        status: 'ok',
        message: `Latipay at ${latipay.gatewayUrl}: signature accepted (201 order not exist for an unknown reference; ${ms} ms)`,
        fix: '',
      };
    if (code === '206')
      return {
        id: 'latipay.live',
        status: 'fail',
        message: `Latipay at ${latipay.gatewayUrl}: our signature is refused (206)`,
        fix: 'check LATIPAY_API_KEY against the Latipay merchant portal',
      };
    if (code === '205')
      return {
        id: 'latipay.live',
        status: 'fail',
        message: `Latipay at ${latipay.gatewayUrl}: no key for LATIPAY_USER_ID ${latipay.userId} (205)`,
        fix: 'check LATIPAY_USER_ID',
      };
    return {
      id: 'latipay.live',
      status: code === SUCCESS_CODE ? 'warn' : 'fail',
      message:
        `Latipay at ${latipay.gatewayUrl}: a query of an unknown reference answered HTTP ${reply.status} code ${code ?? 'none'} ${String(reply.body.message ?? '')}`.trim(),
      fix: 'ask Latipay what this code means for your account',
    };
  } catch (error) {
    return {
      id: 'latipay.live',
      status: 'fail',
      message: `Latipay at ${latipay.gatewayUrl}: ${(error as Error).message}`,
      fix: 'check LATIPAY_GATEWAY_URL, DNS, the firewall and TLS',
    };
  }
}

async function checkIntents(config: Readonly<Config>, fetchFn: typeof fetch): Promise<Check> {
  const intents = config.intents;
  if (!intents) return { id: 'intents.live', status: 'ok', message: 'H5 aggregator is off: not probed', fix: '' };
  const client = createIntentsClient({
    gatewayUrl: intents.gatewayUrl,
    uid: intents.uid,
    clientSecret: intents.clientSecret,
    timeoutMs: intents.timeoutMs,
    fetch: fetchFn,
  });
  const started = performance.now();
  try {
    await client.accessToken();
    return {
      id: 'intents.live',
      status: 'ok',
      message: `H5 aggregator at ${intents.gatewayUrl}: token issued (${Math.round(performance.now() - started)} ms)`,
      fix: '',
    };
  } catch (error) {
    return {
      id: 'intents.live',
      status: 'fail',
      message: `H5 aggregator at ${intents.gatewayUrl}: ${(error as Error).message}`,
      fix: 'check INTENTS_GATEWAY_URL, INTENTS_UID and INTENTS_CLIENT_SECRET (default: INTENTS_API_KEY)',
    };
  }
}

export async function runLiveChecks(config: Readonly<Config>, options: LiveOptions): Promise<DoctorReport> {
  const fetchFn = options.fetch ?? fetch;
  const alipayhk = await checkAlipayHk(config, fetchFn);
  const [latipay, intents] = await Promise.all([checkLatipay(config, fetchFn), checkIntents(config, fetchFn)]);
  return { checks: [...alipayhk.checks, latipay, intents], settings: alipayhk.settings };
}
