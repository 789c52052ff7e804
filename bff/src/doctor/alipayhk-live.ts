/**
 * `doctor --live` for AlipayHK: the configured form probed first; when it fails, the other documented
 * forms are tried and the working one is recommended as settings; then the other disputed paths
 * (payCancel, refund) are probed with the form that works.
 */
import type { Config } from '../config';
import { ALIPAYHK_PATHS, type AlipayHkPaths, type CalledFunction } from '../channels/alipayhk/functions';
import { NOT_FOUND_RESULT_CODES } from '../channels/alipayhk/status-map';
import {
  createAlipayHkProbe,
  describeOutcome,
  describeVariant,
  findWorkingVariant,
  MAX_CLOCK_SKEW_MS,
  PAY_CANCEL,
  PAY_QUERY,
  pathVariants,
  REFUND,
  works,
  type Variant,
} from './alipayhk-probe';
import type { Check, DoctorReport } from './report';

export async function checkAlipayHk(config: Readonly<Config>, fetchFn: typeof fetch): Promise<DoctorReport> {
  const checks: Check[] = [];
  const settings: Record<string, string> = {};
  const { probe } = createAlipayHkProbe(config, fetchFn);
  const configuredPaths = config.alipayhk.paths;
  const configured: Variant = {
    algorithm: config.alipayhk.signAlgorithm,
    encoding: config.alipayhk.signatureEncoding,
    path: configuredPaths[PAY_QUERY],
  };
  const first = await probe(configured);
  const gateway = config.alipayhk.gatewayUrl;
  if (first.kind === 'unreachable') {
    checks.push({
      id: 'alipayhk.live.reachable',
      status: 'fail',
      message: `AlipayHK at ${gateway}: ${first.reason}`,
      fix: 'check ALIPAYHK_GATEWAY_URL, DNS, the firewall and the TLS certificate chain',
    });
    return { checks, settings };
  }
  checks.push({
    id: 'alipayhk.live.reachable',
    status: 'ok',
    message: `AlipayHK at ${gateway} answers${first.kind === 'answered' ? ` (${first.ms} ms)` : ''}`,
    fix: '',
  });
  if (first.kind === 'answered' && first.clockSkewMs !== null) {
    const skew = Math.round(first.clockSkewMs / 1000);
    checks.push(
      Math.abs(first.clockSkewMs) > MAX_CLOCK_SKEW_MS
        ? {
            id: 'alipayhk.live.clock',
            status: 'warn',
            message: `the gateway's clock differs from ours by ${skew} s`,
            fix: 'sync this host with NTP: reqTime is stamped from its clock',
          }
        : { id: 'alipayhk.live.clock', status: 'ok', message: `clock: within ${Math.max(1, Math.abs(skew))} s of the gateway's`, fix: '' },
    );
  }
  let working: Variant | null = works(first) ? configured : null;
  if (working) {
    checks.push({
      id: 'alipayhk.live.signature',
      status: 'ok',
      message: `payQuery (${describeVariant(configured)}): ${describeOutcome(first)}`,
      fix: '',
    });
    if (first.kind === 'answered' && !NOT_FOUND_RESULT_CODES.has(first.resultCode)) {
      checks.push({
        id: 'alipayhk.live.answer',
        status: 'warn',
        message: `payQuery of an order that cannot exist answered ${first.resultCode}, not ORDER_NOT_EXIST`,
        fix: 'check ALIPAYHK_CLIENT_ID and ALIPAYHK_MERCHANT_ID with AlipayHK',
      });
    }
  } else {
    checks.push({
      id: 'alipayhk.live.signature',
      status: 'fail',
      message: `payQuery as configured (${describeVariant(configured)}): ${describeOutcome(first)}`,
      fix: 'see the recommendation below',
    });
    working = await findWorkingVariant(probe, configured);
    if (!working) {
      checks.push({
        id: 'alipayhk.live.recommendation',
        status: 'fail',
        message: `no documented form works (RSA/RSA2 × base64/url × ${pathVariants(PAY_QUERY, configured.path).join(', ')})`,
        fix: 'run `pnpm run doctor` for the key checks, then `pnpm run doctor verify` on a saved answer; ask AlipayHK which public key they hold for you',
      });
      return { checks, settings };
    }
    if (working.algorithm !== configured.algorithm) settings.ALIPAYHK_SIGN_ALGORITHM = working.algorithm;
    if (working.encoding !== configured.encoding) settings.ALIPAYHK_SIGNATURE_ENCODING = working.encoding;
    checks.push({
      id: 'alipayhk.live.recommendation',
      status: 'warn',
      message: `payQuery works with ${describeVariant(working)}`,
      fix: '',
    });
  }

  // The other disputed paths, probed with the form that works (ids that cannot exist: nothing is cancelled or refunded).
  const paths: Record<string, string> = { [PAY_QUERY]: working.path };
  for (const fn of [PAY_CANCEL, REFUND] as const) {
    const configuredPath = configuredPaths[fn];
    let found: string | null = null;
    for (const path of pathVariants(fn, configuredPath)) {
      if (works(await probe({ ...working, path }, fn))) {
        found = path;
        break;
      }
    }
    const name = fn.split('.').pop();
    if (found === null)
      checks.push({
        id: `alipayhk.live.path.${name}`,
        status: 'warn',
        message: `${name}: none of ${pathVariants(fn, configuredPath).join(', ')} answers`,
        fix: `ask AlipayHK for the ${fn} path and set it in ALIPAYHK_PATHS`,
      });
    else if (found === configuredPath)
      checks.push({ id: `alipayhk.live.path.${name}`, status: 'ok', message: `${name} answers at ${found}`, fix: '' });
    else {
      checks.push({
        id: `alipayhk.live.path.${name}`,
        status: 'fail',
        message: `${name} does not answer at ${configuredPath}, but at ${found}`,
        fix: 'set ALIPAYHK_PATHS as recommended',
      });
      paths[fn] = found;
    }
  }
  const pathSettings = toPathSetting(configuredPaths, paths);
  if (pathSettings !== null) settings.ALIPAYHK_PATHS = pathSettings;
  const changes = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  const recommendation = checks.find((c) => c.id === 'alipayhk.live.recommendation');
  if (recommendation) recommendation.fix = `set ${changes.join(' ')}`;
  else if (changes.length > 0)
    checks.push({
      id: 'alipayhk.live.recommendation',
      status: 'warn',
      message: 'the configured paths need changing',
      fix: `set ${changes.join(' ')}`,
    });
  return { checks, settings };
}

/** The ALIPAYHK_PATHS value that yields `found` (entries equal to the defaults left out), or null when nothing changes. */
function toPathSetting(configured: AlipayHkPaths, found: Record<string, string>): string | null {
  const nonDefault = (paths: Record<string, string>) =>
    Object.fromEntries(Object.entries(paths).filter(([fn, path]) => ALIPAYHK_PATHS[fn as CalledFunction] !== path));
  const before = nonDefault(configured);
  const after = nonDefault({ ...configured, ...found });
  return JSON.stringify(before) === JSON.stringify(after) ? null : JSON.stringify(after);
}
