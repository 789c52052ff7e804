import { describe, expect, it } from 'vitest';
import { pacedGetScript, parseWrkOutput, postScript, randomGetScript } from './wrk';

const SAMPLE = `Running 3s test @ http://127.0.0.1:41000/api/orders
  1 threads and 16 connections
  4 requests in 3.00s
WRK_RESULT {"requests":3850,"duration_us":3001234,"bytes":4620000,"connect":0,"read":1,"write":0,"status":2,"timeout":3,"p50":10234,"p90":21000,"p99":51234,"max":90001,"mean":11876.5}
`;

describe('parseWrkOutput', () => {
  it('reads the done() line: rates per second, latencies in ms, every error kind counted', () => {
    const result = parseWrkOutput(SAMPLE);
    expect(result.requests).toBe(3850);
    expect(result.durationS).toBeCloseTo(3.001234, 6);
    expect(result.rps).toBeCloseTo(3850 / 3.001234, 6);
    expect(result.errors).toEqual({ connect: 0, read: 1, write: 0, status: 2, timeout: 3 });
    expect(result.errorsTotal).toBe(6);
    expect(result.latencyMs).toEqual({ p50: 10.234, p90: 21, p99: 51.234, max: 90.001, mean: 11.8765 });
  });

  it('refuses output without the result line (a Lua error makes wrk run the default request instead)', () => {
    expect(() => parseWrkOutput('Running 1s test @ http://127.0.0.1:1/\nRequests/sec: 100\n')).toThrow(/no result line/);
  });

  it('refuses a result line with a missing field', () => {
    expect(() => parseWrkOutput('WRK_RESULT {"requests":1}\n')).toThrow(/lacks duration_us/);
  });
});

describe('Lua scripts', () => {
  it('quote bodies and headers in long brackets, spaced so `[[` never opens a string', () => {
    const script = postScript('{"items":[{"sku":"A","quantity":1}]}', { Authorization: 'Bearer a.b.c' });
    expect(script).toContain('wrk.body = [==[{"items":[{"sku":"A","quantity":1}]}]==]');
    expect(script).toContain('wrk.headers[ [==[Authorization]==] ] = [==[Bearer a.b.c]==]');
    expect(script).not.toContain('wrk.headers[[');
    expect(script).toContain('function done(summary, latency, requests)');
  });

  it('spread GETs over the given paths and pace the prober with delay()', () => {
    expect(randomGetScript(['/a', '/b'], {})).toMatch(/local paths = \{\n {2}\[==\[\/a\]==\],\n {2}\[==\[\/b\]==\],\n\}/);
    expect(pacedGetScript(10)).toContain('function delay()\n  return 10\nend');
  });
});
