/**
 * `pnpm run doctor`: checks keys and configuration before the first payment, as the BFF reads them.
 *
 *   pnpm run doctor [--json]            static checks (keys, pairs, secrets, PUBLIC_URL)
 *   pnpm run doctor --live [--json]     also harmless signed calls to the configured gateways
 *   pnpm run doctor verify <file|-> [--json]   why one raw AlipayHK body does (not) verify
 *
 * Exit 0 when nothing fails, 1 otherwise (2 for a usage error).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { alipayHkKeyText, ConfigError, loadConfig, type Env } from '../config';
import { diagnoseSignature, type SignatureDiagnosis } from '../channels/alipayhk/diagnose';
import { parseRsaKey, SIGN_ALGORITHMS, type SignAlgorithm } from '../channels/alipayhk/signing';
import { isFailing, runStaticChecks, toCheckLine, type Check, type DoctorReport } from '../doctor/checks';
import { runLiveChecks } from '../doctor/live';

export interface DoctorIo {
  env: Env;
  out: (line: string) => void;
  err: (line: string) => void;
  readStdin?: () => Promise<string>;
  fetch?: typeof fetch;
}

const USAGE = `usage:
  pnpm run doctor [--live] [--json]
  pnpm run doctor verify <file|-> [--json]`;

const OPTIONS = { live: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } } as const;

/** The command line read; null (after saying why, with the usage) when it cannot be: an unknown option, a value where none belongs. */
function readArgs(argv: string[], io: DoctorIo) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return null;
  }
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function print(report: DoctorReport, json: boolean, io: DoctorIo, extra: Record<string, unknown> = {}): void {
  if (json) {
    io.out(JSON.stringify({ ...report, ...extra }, null, 2));
    return;
  }
  for (const c of report.checks) io.out(toCheckLine(c));
  const settings = Object.entries(report.settings);
  if (settings.length > 0) {
    io.out('');
    io.out('recommended settings:');
    for (const [name, value] of settings) io.out(`  ${name}=${value}`);
  }
}

/** The keys `verify` judges with: the BFF's configuration, or the key settings alone when the rest fails. */
function verifyKeys(env: Env): {
  algorithm: SignAlgorithm;
  gatewayPublicKey: ReturnType<typeof parseRsaKey>;
  merchantKey: ReturnType<typeof parseRsaKey>;
} {
  try {
    const config = loadConfig(env);
    return {
      algorithm: config.alipayhk.signAlgorithm,
      gatewayPublicKey: config.alipayhk.gatewayPublicKey,
      merchantKey: config.alipayhk.merchantPrivateKey,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The rest of the configuration does not load: judge with the key settings alone (RSA is the BFF's default).
    const algorithm = (env.ALIPAYHK_SIGN_ALGORITHM || 'RSA') as SignAlgorithm;
    if (!SIGN_ALGORITHMS.includes(algorithm)) throw error;
    return {
      algorithm,
      gatewayPublicKey: parseRsaKey(alipayHkKeyText(env, 'ALIPAYHK_GATEWAY_PUBLIC_KEY'), 'public'),
      merchantKey: parseRsaKey(alipayHkKeyText(env, 'ALIPAYHK_MERCHANT_PRIVATE_KEY'), 'private'),
    };
  }
}

function toVerifyLines(d: SignatureDiagnosis): string[] {
  const lines = [
    `envelope   ${d.kind ?? 'unknown'}${d.kind ? ` (expected signer: ${d.expectedSigner === 'gateway' ? 'AlipayHK' : 'the merchant'})` : ''}`,
    `algorithm  ${d.algorithm} (${d.algorithm === 'RSA2' ? 'SHA256withRSA' : 'SHA1withRSA'})`,
    `key        ${d.expectedSigner === 'gateway' ? 'ALIPAYHK_GATEWAY_PUBLIC_KEY' : "merchant's public key"} ${d.keyFingerprint}`,
    `signature  ${d.signatureEncoding ?? 'missing'}`,
  ];
  if (d.content !== null) {
    lines.push(`content    ${d.contentBytes} bytes, sha256 ${d.contentSha256}, exactly:`);
    lines.push(d.content);
  }
  return lines;
}

async function runVerify(source: string, json: boolean, io: DoctorIo): Promise<number> {
  const raw = source === '-' ? await (io.readStdin ?? readAllStdin)() : readFileSync(source, 'utf8');
  let diagnosis: SignatureDiagnosis;
  try {
    diagnosis = diagnoseSignature(raw, verifyKeys(io.env));
  } catch (error) {
    const c: Check = {
      id: 'verify',
      status: 'fail',
      message: `cannot read the keys to verify with: ${(error as Error).message}`,
      fix: 'run `pnpm run doctor` to check the keys first',
    };
    print({ checks: [c], settings: {} }, json, io);
    return 1;
  }
  const verdict: Check = {
    id: diagnosis.cause ? `verify.${diagnosis.cause}` : 'verify',
    status: diagnosis.verified && !diagnosis.cause ? 'ok' : 'fail',
    message: diagnosis.message,
    fix: diagnosis.fix ?? '',
  };
  const report = { checks: [verdict], settings: diagnosis.settings };
  if (json) print(report, true, io, { verify: diagnosis });
  else {
    for (const line of toVerifyLines(diagnosis)) io.out(line);
    io.out('');
    print(report, false, io);
  }
  return verdict.status === 'ok' ? 0 : 1;
}

export async function runDoctor(argv: string[], io: DoctorIo): Promise<number> {
  const parsed = readArgs(argv, io);
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  const json = values.json === true;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals[0] === 'verify') {
    if (positionals.length !== 2) {
      io.err(USAGE);
      return 2;
    }
    return runVerify(positionals[1] as string, json, io);
  }
  if (positionals.length > 0) {
    io.err(USAGE);
    return 2;
  }
  const { checks, config } = runStaticChecks(io.env);
  const report: DoctorReport = { checks, settings: {} };
  if (values.live) {
    if (!config)
      checks.push({
        id: 'live',
        status: 'fail',
        message: 'live checks skipped: the configuration does not load',
        fix: 'fix the failures above first',
      });
    else {
      const live = await runLiveChecks(config, io.fetch ? { fetch: io.fetch } : {});
      checks.push(...live.checks);
      Object.assign(report.settings, live.settings);
    }
  }
  print(report, json, io);
  return isFailing(report.checks) ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const code = await runDoctor(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
}
