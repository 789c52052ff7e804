/**
 * The sandbox process: `tsx src/server.ts` (env SANDBOX_PORT, DATA_DIR, SANDBOX_RETRY_SCALE, the variant settings of config.ts,
 * SANDBOX_LOG_LEVEL: pino level, default info; `pnpm start` sets warn unless told otherwise).
 */
import { buildSandbox } from './app';
import { loadSandboxConfig } from './config';

async function main(): Promise<void> {
  const config = loadSandboxConfig(process.env);
  const sandbox = await buildSandbox({
    dataDir: config.dataDir,
    port: config.port,
    retryScale: config.retryScale,
    signAlgorithm: config.signAlgorithm,
    signatureEncoding: config.signatureEncoding,
    queryShape: config.queryShape,
    pathCase: config.pathCase,
    refundPath: config.refundPath,
    applyTokenUserId: config.applyTokenUserId,
    ...(config.cancelNotifyUrl !== null && { cancelNotifyUrl: config.cancelNotifyUrl }),
    forms: config.forms,
    logger: { level: process.env.SANDBOX_LOG_LEVEL || 'info' },
  });
  let url: string;
  try {
    url = await sandbox.listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.error(`tradepay-sandbox: port ${config.port} is already in use: set SANDBOX_PORT to a free port (or stop what listens there)`);
    await sandbox.close().catch(() => undefined);
    process.exit(98);
  }
  // `pnpm start` (warn) prints its own banner.
  if (['info', 'debug', 'trace'].includes(process.env.SANDBOX_LOG_LEVEL || 'info')) {
    console.log(
      `TradePay sandbox (AlipayHK ${config.signAlgorithm}, ${config.signatureEncoding} signatures) listening on ${url} — keys in ${config.dataDir}/keys`,
    );
  }

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    sandbox.app.log.info({ signal }, 'closing sandbox');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
