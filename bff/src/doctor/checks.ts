/**
 * The doctor's static checks: the same configuration the BFF reads (`loadConfig`, the same key
 * sources), judged one fact per line, with the fix beside each. Nothing here talks to a gateway.
 */
import { ConfigError, loadConfig, type Config, type Env } from '../config';
import { checkKeys } from './key-checks';
import { check, type Check } from './report';
import { checkChannelSecrets, checkPublicUrl, checkSecrets } from './secret-checks';

export { MIN_RSA_BITS } from './key-checks';
export { isFailing, toCheckLine, type Check, type CheckStatus, type DoctorReport } from './report';

export function runStaticChecks(env: Env): { checks: Check[]; config: Readonly<Config> | null } {
  const checks: Check[] = [];
  const sandboxMode = !env.ALIPAYHK_GATEWAY_URL;
  let config: Readonly<Config> | null = null;
  try {
    config = loadConfig(env);
    checks.push(
      check(
        'config',
        'ok',
        `configuration loads (${sandboxMode ? 'sandbox mode' : `live mode, AlipayHK at ${config.alipayhk.gatewayUrl}`}; signing ${config.alipayhk.signAlgorithm})`,
      ),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      check('config', 'fail', `the BFF would not start: ${error.message}`, 'fix the setting named; README "Configuration" lists them all'),
    );
  }
  checkKeys(env, checks);
  checkChannelSecrets(env, sandboxMode, checks);
  checkPublicUrl(config, env, sandboxMode, checks);
  checkSecrets(env, sandboxMode, checks);
  return { checks, config };
}
