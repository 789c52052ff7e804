/**
 * The sandbox as a library: `buildSandbox` wires keys, ledger, control and routes into one Fastify
 * app without listening, so tests in any package can start it on a loopback port.
 */
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Acquiring } from './alipayhk/acquiring';
import { createAcquiring } from './alipayhk/acquiring';
import { createGatewayRoutes } from './alipayhk/gateway-routes';
import { createNotifier } from './alipayhk/notifier';
import type { RsaKey } from './alipayhk/rsa-key';
import { parseRsaKey } from './alipayhk/rsa-key';
import type { Clock } from './clock';
import { createClock } from './clock';
import type { SignAlgorithm } from './config';
import { SANDBOX_CLIENT_ID, SANDBOX_MERCHANT_ID } from './config';
import type { ControlStore } from './control';
import { createControl } from './control';
import { createControlRoutes } from './control-routes';
import { SandboxInputError } from './errors';
import type { SandboxKeys } from './keys';
import { ensureSandboxKeys } from './keys';
import type { Ledger } from './ledger';
import { createLedger } from './ledger';
import { createTimers } from './timers';
import { createWalletRoutes } from './wallet/wallet-routes';

export interface BuildSandboxOptions {
  /** Keys live in `$dataDir/keys/` (created on first start). Ignored when `keys` is given. */
  dataDir: string;
  /** Port `listen()` uses; default 0 (any free port). */
  port?: number;
  /** Initial `control.retryScale` (and what `reset` returns to); default 1 = AlipayHK's real schedule. */
  retryScale?: number;
  /** Default `RSA2` (SHA256withRSA); `RSA` = SHA1withRSA. Applies to every signature both ways. */
  signAlgorithm?: SignAlgorithm;
  /** Use these keys instead of reading or creating files (tests: `generateSandboxKeys()`). */
  keys?: SandboxKeys;
  /** Fastify's logger (pino); default false. */
  logger?: boolean;
  /** Overrides of the sandbox ids; defaults `SANDBOX_CLIENT_ID` / `SANDBOX_MERCHANT_ID`. */
  clientId?: string;
  merchantId?: string;
  /** Random source for `dropRate` decisions (tests make drops deterministic). */
  random?: () => number;
}

export interface Sandbox {
  app: FastifyInstance;
  keys: SandboxKeys;
  ledger: Ledger;
  control: ControlStore;
  acquiring: Acquiring;
  clock: Clock;
  clientId: string;
  merchantId: string;
  signAlgorithm: SignAlgorithm;
  /** The merchant private key parsed with the sandbox algorithm: lets tests sign orders and acks. */
  merchantSigner: RsaKey;
  /** Listens on 127.0.0.1:`port` (default 0); resolves to the base URL, e.g. `http://127.0.0.1:53124`. */
  listen(): Promise<string>;
  /** Base URL once listening (via `listen()` or `app.listen()`), else undefined. */
  readonly url: string | undefined;
  /** Clears ledger and control, stops pending notifications and settlements. */
  reset(): void;
  /** Stops every timer, in-flight delivery and held call, then closes the app. */
  close(): Promise<void>;
}

function baseUrl(app: FastifyInstance): string | undefined {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return undefined;
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Builds the sandbox (does not listen).
 *
 * ```ts
 * const sb = await buildSandbox({ dataDir, keys: generateSandboxKeys(), retryScale: 0.001 });
 * const url = await sb.listen();               // or: await sb.app.listen({ host: '127.0.0.1', port: 0 })
 * // … sign orders with sb.merchantSigner, read sb.ledger.snapshot(), turn sb.control …
 * await sb.close();
 * ```
 */
export async function buildSandbox(options: BuildSandboxOptions): Promise<Sandbox> {
  const signAlgorithm = options.signAlgorithm ?? 'RSA2';
  const clientId = options.clientId ?? SANDBOX_CLIENT_ID;
  const merchantId = options.merchantId ?? SANDBOX_MERCHANT_ID;
  const keys = options.keys ?? (await ensureSandboxKeys(options.dataDir));
  // Parsed once here: a bad key fails the start, not the first payment.
  const gatewayKey = parseRsaKey(keys.gatewayPrivatePem, signAlgorithm, 'private', 'gateway private key');
  const merchantKey = parseRsaKey(keys.merchantPublicPem, signAlgorithm, 'public', 'merchant public key');
  const merchantSigner = parseRsaKey(keys.merchantPrivatePem, signAlgorithm, 'private', 'merchant private key');

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    // Refuse unknown fields instead of silently stripping them; never coerce types.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const ledger = createLedger();
  const control = createControl(options.retryScale ?? 1);
  const clock = createClock(() => control.current.clockOffsetMs);
  const timers = createTimers((error) => app.log.error({ err: error }, 'sandbox timer failed'));
  const notifier = createNotifier({
    ledger,
    control,
    clock,
    timers,
    clientId,
    gatewayKey,
    merchantKey,
    random: options.random ?? Math.random,
  });
  const acquiring = createAcquiring({ ledger, control, clock, timers, notifier });
  const holds = new Set<() => void>();

  const stopActivity = (): void => {
    timers.clearAll();
    notifier.stop();
  };
  const reset = (): void => {
    stopActivity();
    ledger.reset();
    control.reset();
  };

  app.setErrorHandler((error: FastifyError | SandboxInputError, request, reply) => {
    if (error instanceof SandboxInputError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: error.code ?? 'BAD_REQUEST', message: error.message });
    request.log.error({ err: error }, 'sandbox error');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal sandbox error' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` }));
  // Held calls are released before the server waits for open connections, so close() is prompt.
  app.addHook('preClose', async () => {
    for (const release of [...holds]) release();
  });
  app.addHook('onClose', async () => stopActivity());

  await app.register(createGatewayRoutes({ ledger, control, clock, acquiring, clientId, merchantId, gatewayKey, merchantKey, holds }));
  await app.register(createWalletRoutes({ ledger, acquiring, clientId, merchantId, merchantKey }));
  await app.register(createControlRoutes({ control, ledger, reset }));

  return {
    app,
    keys,
    ledger,
    control,
    acquiring,
    clock,
    clientId,
    merchantId,
    signAlgorithm,
    merchantSigner,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
      return baseUrl(app) as string;
    },
    get url() {
      return app.server.listening ? baseUrl(app) : undefined;
    },
    reset,
    close: () => app.close(),
  };
}

export type { SignAlgorithm } from './config';
export { SANDBOX_CLIENT_ID, SANDBOX_MERCHANT_ID, loadSandboxConfig } from './config';
export type { SandboxKeys } from './keys';
export { ensureSandboxKeys, generateSandboxKeys, KEY_FILES } from './keys';
export type { Ledger, LedgerSnapshot, LedgerPayment, LedgerRefund, LedgerNotification, LedgerDelivery, TradePayOutcome } from './ledger';
export type { ControlStore, SandboxControl, ControlPatch, FailMode } from './control';
export type { RsaKey } from './alipayhk/rsa-key';
export { parseRsaKey } from './alipayhk/rsa-key';
export { signEnvelope, verifyEnvelope, cutSignedContent, tamperSignedContent, SandboxSignatureError } from './alipayhk/signature';
export { ALIPAYHK_FUNCTIONS, toGatewayPath } from './alipayhk/functions';
export { NOTIFY_RETRY_DELAYS_MS } from './alipayhk/notifier';
