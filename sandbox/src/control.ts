/**
 * The knobs a test (or a developer) turns through `POST /sandbox/control`. Delays marked "scaled" are
 * real-world values the sandbox multiplies by `retryScale`; `notifyDelayMs` is waited as given.
 */
import { SandboxInputError } from './errors';
import { readNumber, readObject, rejectUnknownKeys } from './input';
import { defaultWireForms, parseWireFormsPatch, type WireForms } from './forms';
import { isLatipayErrorCode, LATIPAY_ERROR_CODES } from './latipay/config';

/**
 * `SYSTEM_ERROR`: the call takes effect, and the answer is `F` / `SYSTEM_ERROR` — a status AlipayHK's
 * pages leave open while saying the code means "query or retry" (docs/protocols/alipayhk.md#envelope).
 * `lost` (Latipay calls only; elsewhere no effect): the call takes effect, then the answer never
 * comes (the connection is held, then dropped) — the timeout after which a blind retry would repeat it.
 */
export type FailMode = 'timeout' | '5xx' | 'U' | 'SYSTEM_ERROR' | 'lost';
export const FAIL_MODES: readonly FailMode[] = ['timeout', '5xx', 'U', 'SYSTEM_ERROR', 'lost'];
/** What `failRate` draws from. */
const RANDOM_FAIL_MODES: readonly FailMode[] = ['timeout', '5xx', 'U'];

export interface SandboxControl {
  /** Wait before the first notification delivery, in ms (not scaled). */
  notifyDelayMs: number;
  /** Extra copies of every notification delivery, sent concurrently. */
  duplicates: number;
  /** Probability (0..1) that a payment's notifications are never sent. */
  dropRate: number;
  /** Multiplies the retry schedule, `processingDelayMs` and `lateNotifyDelayMs` (1 = real time). */
  retryScale: number;
  /** How long an `8000` (processing) payment takes to settle; scaled. */
  processingDelayMs: number;
  /** When the first notification of a `6002` (network) payment goes out; scaled. */
  lateNotifyDelayMs: number;
  /** The next `count` gateway API calls fail in `mode`. */
  failNext: { count: number; mode: FailMode };
  /** The next `count` calls of one AlipayHK function answer a signed `U` (unknown) or `F` (refused) result, doing nothing. */
  failFunction: { function: string; count: number; status: 'U' | 'F' };
  /** The next `dropNext` payments' notifications are never sent (whatever `dropRate` says). */
  dropNext: number;
  /** Probability (0..1) that any gateway API call fails, in a mode drawn from timeout, 5xx and U. */
  failRate: number;
  /** The next `count` Latipay API calls answer `{code, message}` with this Latipay error code, doing nothing. */
  latipayFailNext: { count: number; code: number };
  /** Added to the sandbox clock (ms). */
  clockOffsetMs: number;
  /** Lifetime of access tokens issued by `applyToken` from now on (sandbox clock, not scaled). */
  accessTokenTtlMs: number;
  /** Lifetime of refresh tokens issued by `applyToken` from now on (sandbox clock, not scaled). */
  refreshTokenTtlMs: number;
  /** Which documented wire form the sandbox speaks, per unsettled fact (./forms). */
  forms: WireForms;
}

export type ControlPatch = Partial<Omit<SandboxControl, 'failNext' | 'forms'>> & {
  failNext?: { count: number; mode?: FailMode };
  forms?: Partial<WireForms>;
};

const DAY_MS = 86_400_000;
const TEN_YEARS_MS = 3650 * DAY_MS;
export const DEFAULT_ACCESS_TOKEN_TTL_MS = DAY_MS;
export const DEFAULT_REFRESH_TOKEN_TTL_MS = 30 * DAY_MS;

export function defaultControl(retryScale = 1, forms: WireForms = defaultWireForms()): SandboxControl {
  return {
    notifyDelayMs: 0,
    duplicates: 0,
    dropRate: 0,
    retryScale,
    processingDelayMs: 1000,
    lateNotifyDelayMs: 5000,
    failNext: { count: 0, mode: 'U' },
    failFunction: { function: '', count: 0, status: 'U' },
    dropNext: 0,
    latipayFailNext: { count: 0, code: 1 },
    failRate: 0,
    clockOffsetMs: 0,
    accessTokenTtlMs: DEFAULT_ACCESS_TOKEN_TTL_MS,
    refreshTokenTtlMs: DEFAULT_REFRESH_TOKEN_TTL_MS,
    forms: { ...forms },
  };
}

const FIELDS = [
  'notifyDelayMs',
  'duplicates',
  'dropRate',
  'retryScale',
  'processingDelayMs',
  'lateNotifyDelayMs',
  'failNext',
  'failFunction',
  'dropNext',
  'failRate',
  'latipayFailNext',
  'clockOffsetMs',
  'accessTokenTtlMs',
  'refreshTokenTtlMs',
  'forms',
] as const;

/** Validates an untrusted partial update; unknown fields and out-of-range values are refused. */
export function parseControlPatch(input: unknown): ControlPatch {
  const body = readObject(input, 'control');
  rejectUnknownKeys(body, FIELDS, 'control');
  const patch: ControlPatch = {};
  const set = <K extends Exclude<keyof ControlPatch, 'failNext' | 'latipayFailNext' | 'forms' | 'failFunction'>>(
    key: K,
    value: number | undefined,
  ): void => {
    if (value !== undefined) patch[key] = value;
  };
  set('notifyDelayMs', readNumber(body, 'notifyDelayMs', 'control', { min: 0, max: DAY_MS }));
  set('duplicates', readNumber(body, 'duplicates', 'control', { min: 0, max: 20, integer: true }));
  set('dropNext', readNumber(body, 'dropNext', 'control', { min: 0, max: 1000, integer: true }));
  if (Object.hasOwn(body, 'failFunction')) {
    const next = readObject(body.failFunction, 'control.failFunction');
    rejectUnknownKeys(next, ['function', 'count', 'status'], 'control.failFunction');
    const fn = next.function;
    if (typeof fn !== 'string' || !/^[a-z][A-Za-z.]{1,99}$/.test(fn))
      throw new SandboxInputError('BAD_REQUEST', 'control.failFunction.function must be an AlipayHK function name');
    const count = readNumber(next, 'count', 'control.failFunction', { min: 0, max: 1000, integer: true }) ?? 1;
    const status = next.status ?? 'U';
    if (status !== 'U' && status !== 'F') throw new SandboxInputError('BAD_REQUEST', 'control.failFunction.status must be U or F');
    patch.failFunction = { function: fn, count, status };
  }
  set('dropRate', readNumber(body, 'dropRate', 'control', { min: 0, max: 1 }));
  set('failRate', readNumber(body, 'failRate', 'control', { min: 0, max: 1 }));
  set('retryScale', readNumber(body, 'retryScale', 'control', { min: 0, max: 100 }));
  set('processingDelayMs', readNumber(body, 'processingDelayMs', 'control', { min: 0, max: DAY_MS }));
  set('lateNotifyDelayMs', readNumber(body, 'lateNotifyDelayMs', 'control', { min: 0, max: DAY_MS }));
  set('clockOffsetMs', readNumber(body, 'clockOffsetMs', 'control', { min: -TEN_YEARS_MS, max: TEN_YEARS_MS, integer: true }));
  set('accessTokenTtlMs', readNumber(body, 'accessTokenTtlMs', 'control', { min: 0, max: TEN_YEARS_MS, integer: true }));
  set('refreshTokenTtlMs', readNumber(body, 'refreshTokenTtlMs', 'control', { min: 0, max: TEN_YEARS_MS, integer: true }));
  if (Object.hasOwn(body, 'forms')) patch.forms = parseWireFormsPatch(body.forms, 'control.forms');
  if (Object.hasOwn(body, 'latipayFailNext')) {
    const next = readObject(body.latipayFailNext, 'control.latipayFailNext');
    rejectUnknownKeys(next, ['count', 'code'], 'control.latipayFailNext');
    const count = readNumber(next, 'count', 'control.latipayFailNext', { min: 0, max: 1000, integer: true });
    const code = readNumber(next, 'code', 'control.latipayFailNext', { min: 1, max: 999, integer: true }) ?? 1;
    if (count === undefined) throw new SandboxInputError('BAD_REQUEST', 'control.latipayFailNext.count is required');
    if (!isLatipayErrorCode(code)) {
      throw new SandboxInputError('BAD_REQUEST', `control.latipayFailNext.code must be one of ${LATIPAY_ERROR_CODES.join(', ')}`);
    }
    patch.latipayFailNext = { count, code };
  }
  if (Object.hasOwn(body, 'failNext')) {
    const failNext = readObject(body.failNext, 'control.failNext');
    rejectUnknownKeys(failNext, ['count', 'mode'], 'control.failNext');
    const count = readNumber(failNext, 'count', 'control.failNext', { min: 0, max: 1000, integer: true });
    if (count === undefined) throw new SandboxInputError('BAD_REQUEST', 'control.failNext.count is required');
    const mode = failNext.mode;
    if (mode !== undefined && !FAIL_MODES.includes(mode as FailMode)) {
      throw new SandboxInputError('BAD_REQUEST', `control.failNext.mode must be one of ${FAIL_MODES.join(', ')}`);
    }
    patch.failNext = mode === undefined ? { count } : { count, mode: mode as FailMode };
  }
  return patch;
}

export interface ControlStore {
  /** Live values; read them at the moment of use so changes apply to what happens next. */
  readonly current: Readonly<SandboxControl>;
  snapshot(): SandboxControl;
  update(patch: ControlPatch): SandboxControl;
  reset(): SandboxControl;
  /** Consumes one scripted failure, if any is pending; else draws one at `failRate`. */
  takeFailure(): FailMode | undefined;
  /** Consumes one scripted result of `fn` (control.failFunction), if one is pending. */
  takeFunctionFailure(fn: string): 'U' | 'F' | undefined;
  /** Consumes one of `dropNext`: true when this payment's notifications must not be sent. */
  takeDrop(): boolean;
  /** `ms × retryScale`, for the delays documented as scaled. */
  scaled(ms: number): number;
}

export function createControl(
  initialRetryScale = 1,
  random: () => number = Math.random,
  initialForms: WireForms = defaultWireForms(),
): ControlStore {
  let state = defaultControl(initialRetryScale, initialForms);
  return {
    get current() {
      return state;
    },
    snapshot: () => structuredClone(state),
    update(patch) {
      const { failNext, forms, ...rest } = patch;
      state = {
        ...state,
        ...rest,
        failNext: failNext ? { count: failNext.count, mode: failNext.mode ?? state.failNext.mode } : state.failNext,
        forms: { ...state.forms, ...forms },
      };
      return structuredClone(state);
    },
    reset() {
      state = defaultControl(initialRetryScale, initialForms);
      return structuredClone(state);
    },
    takeFailure() {
      if (state.failNext.count <= 0) {
        if (state.failRate > 0 && random() < state.failRate) return RANDOM_FAIL_MODES[Math.floor(random() * RANDOM_FAIL_MODES.length)];
        return undefined;
      }
      state = { ...state, failNext: { ...state.failNext, count: state.failNext.count - 1 } };
      return state.failNext.mode;
    },
    takeFunctionFailure(fn) {
      const next = state.failFunction;
      if (next.count <= 0 || next.function !== fn) return undefined;
      state = { ...state, failFunction: { ...next, count: next.count - 1 } };
      return next.status;
    },
    takeDrop() {
      if (state.dropNext <= 0) return false;
      state = { ...state, dropNext: state.dropNext - 1 };
      return true;
    },
    scaled: (ms) => ms * state.retryScale,
  };
}
