/**
 * The sandbox as a library: `buildSandbox` wires keys, ledger, control and routes into one Fastify
 * app without listening, so tests in any package can start it on a loopback port.
 */
import type { FastifyInstance } from 'fastify';
import type { Acquiring } from './alipayhk/acquiring';
import { createAcquiring } from './alipayhk/acquiring';
import { createGatewayRoutes } from './alipayhk/gateway-routes';
import { createNotifier, type CancelNotification } from './alipayhk/notifier';
import type { Oauth } from './alipayhk/oauth';
import { createOauth } from './alipayhk/oauth';
import type { RsaKey } from './alipayhk/rsa-key';
import { parseRsaKey } from './alipayhk/rsa-key';
import type { Clock } from './clock';
import { createClock } from './clock';
import type { PathCase, QueryShape, RefundPath, SandboxVariant, SignAlgorithm, SignatureEncoding } from './config';
import { DEFAULT_VARIANT, SANDBOX_CLIENT_ID, SANDBOX_MERCHANT_ID } from './config';
import type { ControlStore } from './control';
import { createControl } from './control';
import { createControlRoutes } from './control-routes';
import { baseUrl, createSandboxHttp, siteUrl, type SandboxLogger } from './http';
import type { SandboxKeys } from './keys';
import { ensureSandboxKeys } from './keys';
import type { Ledger } from './ledger';
import { createLedger } from './ledger';
import type { Latipay } from './latipay';
import { createLatipay } from './latipay';
import { createIntentsSandbox } from './intents';
import { defaultWireForms, type WireForms } from './forms';
import { newCustomerId } from './ids';
import { createTimers } from './timers';
import { createAuthPageRoutes } from './wallet/auth-routes';
import { createWalletRoutes } from './wallet/wallet-routes';

export interface BuildSandboxOptions {
  /** Keys live in `$dataDir/keys/` (created on first start). Ignored when `keys` is given. */
  dataDir: string;
  /** Port `listen()` uses; default 0 (any free port). */
  port?: number;
  /** Initial `control.retryScale` (and what `reset` returns to); default 1 = AlipayHK's real schedule. */
  retryScale?: number;
  /** Default `RSA` (SHA1withRSA); `RSA2` = SHA256withRSA. Applies to every signature both ways. */
  signAlgorithm?: SignAlgorithm;
  /** Default `base64`; `url`: signatures sent URL-encoded, and received ones form-decoded. */
  signatureEncoding?: SignatureEncoding;
  /** Where payQuery puts `acquirementStatus`: `flat` (default) or `nested` (`statusDetail`). */
  queryShape?: QueryShape;
  /** Which spelling of payQuery/payCancel paths is answered: `any` (default), `camel`, `lower`. */
  pathCase?: PathCase;
  /** Which refund path is answered: `any` (default), `refund`, `grefund`. */
  refundPath?: RefundPath;
  /** Default true; false: applyToken names no user, only getUserInfo does (as AlipayHK documents). */
  applyTokenUserId?: boolean;
  /** Use these keys instead of reading or creating files (tests: `generateSandboxKeys()`). */
  keys?: SandboxKeys;
  /** The documented wire forms to speak at start (and after a reset); default the first of each (./forms). */
  forms?: Partial<WireForms>;
  /** Fastify's logger (pino); default false. A level and stream let a test read the lines. */
  logger?: SandboxLogger;
  /** Overrides of the sandbox ids; defaults `SANDBOX_CLIENT_ID` / `SANDBOX_MERCHANT_ID`. */
  clientId?: string;
  merchantId?: string;
  /** Random source for `dropRate` decisions (tests make drops deterministic). */
  random?: () => number;
  /** The buyer the sandbox wallet is signed in as (`my.getAuthCode`); default a random `2188…` id per instance. */
  walletCustomerId?: string;
  /** The cancel notify URL "registered offline" with AlipayHK: where notify.cancel goes; default none (not sent). */
  cancelNotifyUrl?: string;
}

export interface Sandbox {
  app: FastifyInstance;
  keys: SandboxKeys;
  ledger: Ledger;
  control: ControlStore;
  acquiring: Acquiring;
  oauth: Oauth;
  /** The sandbox's Latipay (`/v2/minialipay`, `/v2/transaction/:ref`, `/refund`, callbacks). */
  latipay: Latipay;
  clock: Clock;
  clientId: string;
  merchantId: string;
  /** The wallet's default buyer: authCodes from `POST /sandbox/wallet/authCode` name it unless told otherwise. */
  walletCustomerId: string;
  signAlgorithm: SignAlgorithm;
  /** The variant this gateway speaks (algorithm, encoding, query shape, paths, applyToken's user id). */
  variant: Readonly<SandboxVariant>;
  /** The merchant private key parsed with the sandbox algorithm: lets tests sign orders and acks. */
  merchantSigner: RsaKey;
  /** Listens on 127.0.0.1:`port` (default 0); resolves to the base URL, e.g. `http://127.0.0.1:53124`. */
  listen(): Promise<string>;
  /** Base URL once listening (via `listen()` or `app.listen()`), else undefined. */
  readonly url: string | undefined;
  /** notify.cancel chains sent so far (the user unbound, or the merchant cancelled). */
  cancelNotifications(): readonly CancelNotification[];
  /** Clears ledger, control, codes and tokens; stops pending notifications and settlements. */
  reset(): void;
  /** Stops every timer, in-flight delivery and held call, then closes the app. */
  close(): Promise<void>;
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
  const variant: Readonly<SandboxVariant> = Object.freeze({
    signAlgorithm: options.signAlgorithm ?? DEFAULT_VARIANT.signAlgorithm,
    signatureEncoding: options.signatureEncoding ?? DEFAULT_VARIANT.signatureEncoding,
    queryShape: options.queryShape ?? DEFAULT_VARIANT.queryShape,
    pathCase: options.pathCase ?? DEFAULT_VARIANT.pathCase,
    refundPath: options.refundPath ?? DEFAULT_VARIANT.refundPath,
    applyTokenUserId: options.applyTokenUserId ?? DEFAULT_VARIANT.applyTokenUserId,
  });
  const { signAlgorithm, signatureEncoding } = variant;
  const clientId = options.clientId ?? SANDBOX_CLIENT_ID;
  const merchantId = options.merchantId ?? SANDBOX_MERCHANT_ID;
  const keys = options.keys ?? (await ensureSandboxKeys(options.dataDir));
  // Parsed once here: a bad key fails the start, not the first payment.
  const gatewayKey = parseRsaKey(keys.gatewayPrivatePem, signAlgorithm, 'private', 'gateway private key', signatureEncoding);
  const merchantKey = parseRsaKey(keys.merchantPublicPem, signAlgorithm, 'public', 'merchant public key', signatureEncoding);
  const merchantSigner = parseRsaKey(keys.merchantPrivatePem, signAlgorithm, 'private', 'merchant private key', signatureEncoding);

  const app = createSandboxHttp(options.logger);
  const ledger = createLedger();
  const control = createControl(options.retryScale ?? 1, Math.random, { ...defaultWireForms(), ...options.forms });
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
    cancelNotifyUrl: options.cancelNotifyUrl ?? null,
  });
  const acquiring = createAcquiring({ ledger, control, clock, timers, notifier });
  const oauth = createOauth({
    ledger,
    control,
    clock,
    clientId,
    walletCustomerId: options.walletCustomerId ?? newCustomerId(),
    onCancelled: (merchantAgreementId, at) => notifier.scheduleCancel(merchantAgreementId, at),
  });
  const holds = new Set<() => void>();
  const latipay = createLatipay({
    ledger: ledger.latipay,
    control,
    clock,
    timers,
    apiKey: keys.latipayApiKey,
    random: options.random ?? Math.random,
    holds,
  });
  const intents = createIntentsSandbox({
    ledger: ledger.intents,
    control,
    clock,
    timers,
    apiKey: keys.intentsApiKey,
    random: options.random ?? Math.random,
    holds,
  });

  const stopActivity = (): void => {
    timers.clearAll();
    notifier.stop();
    latipay.stop();
    intents.stop();
  };
  const reset = (): void => {
    stopActivity();
    ledger.reset();
    control.reset();
    oauth.reset();
    intents.reset();
  };

  // Held calls are released before the server waits for open connections, so close() is prompt.
  app.addHook('preClose', async () => {
    for (const release of [...holds]) release();
  });
  app.addHook('onClose', async () => stopActivity());

  await app.register(
    createGatewayRoutes({
      ledger,
      control,
      clock,
      acquiring,
      oauth,
      siteUrl: (request) => siteUrl(app, request.headers.host),
      clientId,
      merchantId,
      gatewayKey,
      merchantKey,
      holds,
      variant,
    }),
  );
  await app.register(createWalletRoutes({ ledger, acquiring, oauth, clientId, merchantId, merchantKey, latipay }));
  await app.register(latipay.routes);
  await app.register(intents.routes);
  await app.register(createAuthPageRoutes({ oauth }));
  await app.register(createControlRoutes({ control, ledger, timers, notifier, reset }));

  return {
    app,
    keys,
    ledger,
    control,
    acquiring,
    oauth,
    latipay,
    clock,
    clientId,
    merchantId,
    walletCustomerId: oauth.walletCustomerId,
    signAlgorithm,
    variant,
    merchantSigner,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
      return baseUrl(app) as string;
    },
    get url() {
      return app.server.listening ? baseUrl(app) : undefined;
    },
    cancelNotifications: () => notifier.cancels(),
    reset,
    close: () => app.close(),
  };
}

export type { PathCase, QueryShape, RefundPath, SandboxVariant, SignAlgorithm, SignatureEncoding } from './config';
export { DEFAULT_VARIANT, SANDBOX_CLIENT_ID, SANDBOX_MERCHANT_ID, loadSandboxConfig } from './config';
export type { SandboxKeys } from './keys';
export { ensureSandboxKeys, generateSandboxKeys, KEY_FILES } from './keys';
export type {
  Ledger,
  LedgerSnapshot,
  LedgerPayment,
  LedgerRefund,
  LedgerNotification,
  LedgerDelivery,
  LedgerAgreement,
  LedgerAuthCodeCounts,
  TradePayOutcome,
} from './ledger';
export type { ControlStore, SandboxControl, ControlPatch, FailMode } from './control';
export type { RsaKey } from './alipayhk/rsa-key';
export { parseRsaKey } from './alipayhk/rsa-key';
export { signEnvelope, verifyEnvelope, cutSignedContent, tamperSignedContent, SandboxSignatureError } from './alipayhk/signature';
export { ALIPAYHK_FUNCTIONS, gatewayPaths, toGatewayPath } from './alipayhk/functions';
export { NOTIFY_RETRY_DELAYS_MS } from './alipayhk/notifier';
export type { CancelNotification } from './alipayhk/notifier';
export type { Oauth } from './alipayhk/oauth';
export { AUTH_CODE_TTL_MS, USER_DECLINED } from './alipayhk/oauth';
export type { IntentsLedgerSnapshot, LedgerIntent, LedgerIntentRefund, LedgerWebhook } from './intents';
export {
  INTENTS_PATHS,
  INTENTS_SIGNATURE_HEADER,
  INTENTS_RETRY_DELAYS_MS,
  SANDBOX_INTENTS_MERCHANT_ID,
  signIntentsWebhook,
} from './intents';
export type { Latipay, LatipayCallback, LatipayPayment, LatipayRefund, LatipaySnapshot } from './latipay';
export {
  buildCallbackBody as buildLatipayCallbackBody,
  signLatipayRequest,
  signLatipayResult,
  LATIPAY_ERRORS,
  SANDBOX_LATIPAY_CURRENCY,
  SANDBOX_LATIPAY_USER_ID,
  SANDBOX_LATIPAY_WALLET_ID,
} from './latipay';
