/** The BFF's logger options: level, redaction of credentials, and the request line with secret query values masked. */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';
import type { Config } from '../config';

/** Paths pino replaces with [Redacted]: credentials, keys, signatures, tokens. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.signature',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.orderStr',
  '*.privateKey',
  '*.apiKey',
  '*.clientSecret',
  'payment.orderStr',
  'body.signature',
];

/** Query parameters whose values are credentials: masked in the logged request URL. */
export const REDACTED_QUERY_PARAMS = ['authCode', 'auth_code', 'state', 'code', 'token', 'accessToken', 'refreshToken'];

export interface LoggingDeps {
  /** A pino-compatible destination for tests that capture logs. */
  logStream?: NodeJS.WritableStream;
  /** `false` turns logging off. */
  logger?: FastifyBaseLogger | boolean;
}

/** Fastify's `logger` option for this config. */
export function loggerOptions(config: Readonly<Config>, deps: LoggingDeps): FastifyServerOptions['logger'] {
  if (deps.logger === false) return false;
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    // The request line, with one-time credentials in query strings (the wallet's authCode and state) masked.
    serializers: { req: requestLogValue },
    ...(deps.logStream ? { stream: deps.logStream } : {}),
    // A terminal's form (pnpm start); redaction happens before it, so it hides the same secrets.
    ...(!deps.logStream && config.logFormat === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true } } }
      : {}),
  };
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LevelCheck = { isLevelEnabled?: (level: string) => boolean };

/**
 * Fastify's `childLoggerFactory`: each request's logger (`request.log`, `reply.log`, with its `reqId`)
 * is the same pino child as Fastify's default makes, but made on the request's first line at an
 * enabled level. At LOG_LEVEL=warn most requests write no line, and so build no child (its bindings
 * string and formatters) at all; every line written is the one the child would have written.
 */
export function requestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // A route's own level or serializers: the child now, as Fastify's default factory does.
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options);
  return new LazyRequestLogger(logger, bindings);
}

class LazyRequestLogger {
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;
  private made: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger & LevelCheck,
    private readonly bindings: Bindings,
  ) {}

  /** The child, made on first use. */
  get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  /** Whether a line at `level` would be written (before the child exists, the parent's level decides). */
  writes(level: Level): boolean {
    return this.made !== null || this.parent.isLevelEnabled?.(level) !== false;
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) {
  LazyRequestLogger.prototype[level] = function (this: LazyRequestLogger, ...args: unknown[]) {
    if (this.writes(level)) (this.logger[level] as (...line: unknown[]) => void)(...args);
  } as LogFn;
}

function requestLogValue(req: {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: redactUrl(req.url ?? ''),
    version: req.headers?.['accept-version'] as string | undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return REDACTED_QUERY_PARAMS.includes(decoded) ? `${name}=[Redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}
