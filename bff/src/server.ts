/** The only process entry: loadConfig → buildApp → listen; SIGINT/SIGTERM close gracefully. */
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tradepay-bff: configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const app = await buildApp(config);
  let closing = false;
  // While closing, every response ends its keep-alive connection, so close() is not held open by
  // idle client sockets once the requests in flight have been answered.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'closing: finishing in-flight requests');
      app.close().then(
        () => process.exit(0),
        (error) => {
          app.log.error({ err: error }, 'close failed');
          process.exit(1);
        },
      );
    });
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    // An operator's mistake, not a crash: say what to change, without a stack trace.
    process.stderr.write(
      `tradepay-bff: port ${config.port} on ${config.host} is already in use: set PORT to a free port (or stop what listens there)\n`,
    );
    await app.close().catch(() => undefined);
    process.exit(98);
  }
  if (config.reconcileIntervalMs > 0) app.reconciler.start(config.reconcileIntervalMs);
  app.log.info({ mode: config.sandboxMode ? 'sandbox' : 'live', docs: `${config.publicUrl}/docs` }, 'TradePay BFF ready');
}

main().catch((error) => {
  process.stderr.write(`tradepay-bff: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
