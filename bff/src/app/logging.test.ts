/** The request logger: the lines of Fastify's default child, with the child made only when a line is written. */
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { REDACT_PATHS, requestLogger } from './logging';

function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk).replace(/"time":\d+,/, ''));
      done();
    },
  });
  const logger = pino({ level, redact: { paths: REDACT_PATHS, censor: '[Redacted]' } }, stream);
  return { logger: logger as unknown as FastifyBaseLogger, lines };
}

/** The same calls through Fastify's default child (`logger.child(bindings, {})`) and through requestLogger. */
function both(level: string, use: (log: FastifyBaseLogger) => void) {
  const before = capture(level);
  use(before.logger.child({ reqId: 'req-1' }, {}));
  const after = capture(level);
  use(requestLogger(after.logger, { reqId: 'req-1' }, {}));
  return { before: before.lines, after: after.lines };
}

describe('the request logger', () => {
  it.each(['trace', 'info', 'warn', 'error'])('at %s writes the lines of the default child', (level) => {
    const boom = new Error('boom');
    const { before, after } = both(level, (log) => {
      log.trace('t');
      log.debug({ a: 1 }, 'd');
      log.info({ req: { headers: { authorization: 'Bearer secret' } } }, 'incoming request');
      log.warn({ orderId: 'ord_1' }, 'w');
      log.error({ err: boom }, 'e');
      log.fatal('f');
      log.child({ reqMsgId: 'm-1' }).warn({ body: { token: 'secret' } }, 'grandchild');
    });
    expect(after).toEqual(before);
    expect(after.length).toBeGreaterThan(0);
    expect(after.join('')).not.toContain('secret');
  });

  it('makes no child while nothing is written', () => {
    const { logger } = capture('warn');
    const child = vi.spyOn(logger, 'child');
    const log = requestLogger(logger, { reqId: 'req-1' }, {});
    log.info({ req: {} }, 'incoming request');
    log.debug('d');
    expect(child).not.toHaveBeenCalled();
    expect(log.level).toBe('warn');
    log.warn('w');
    log.error('e');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('a route level or serializers make the child at once, as the default factory does', () => {
    const { logger, lines } = capture('info');
    const log = requestLogger(logger, { reqId: 'req-1' }, { level: 'warn' });
    log.info('hidden');
    log.warn('shown');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['shown']);
  });

  it('a level set on the request logger applies to its lines', () => {
    const { logger, lines } = capture('warn');
    const log = requestLogger(logger, { reqId: 'req-1' }, {});
    log.level = 'info';
    log.info('now shown');
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ reqId: 'req-1', msg: 'now shown' })]);
    expect(logger.level).toBe('warn');
  });
});
