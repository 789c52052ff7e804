/** The fixed-window counter behind the buyer routes' limits (the HTTP answers: test/http/security.test.ts). */
import { describe, expect, it } from 'vitest';
import { createWindowCounter } from './rate-limit';

function counter(keysKept = 10) {
  const clock = { at: 1_000_000 };
  return { clock, windows: createWindowCounter({ windowMs: 60_000, keysKept, now: () => clock.at }) };
}

describe('the window counter', () => {
  it('counts a key within its window, with the time left', () => {
    const { clock, windows } = counter();
    expect(windows.hit('a')).toEqual({ count: 1, ttlMs: 60_000 });
    clock.at += 1_500;
    expect(windows.hit('a')).toEqual({ count: 2, ttlMs: 58_500 });
    clock.at += 58_499;
    expect(windows.hit('a')).toEqual({ count: 3, ttlMs: 1 });
  });

  it('starts a fresh window once the last one has ended', () => {
    const { clock, windows } = counter();
    windows.hit('a');
    windows.hit('a');
    clock.at += 60_000;
    expect(windows.hit('a')).toEqual({ count: 1, ttlMs: 60_000 });
    clock.at += 10_000;
    expect(windows.hit('a')).toEqual({ count: 2, ttlMs: 50_000 });
  });

  it('keeps keys apart', () => {
    const { windows } = counter();
    windows.hit('a');
    windows.hit('a');
    expect(windows.hit('b')).toEqual({ count: 1, ttlMs: 60_000 });
    expect(windows.hit('a').count).toBe(3);
  });

  it('forgets the least recently seen key beyond its capacity, not the busiest', () => {
    const { windows } = counter(2);
    windows.hit('a');
    windows.hit('b');
    windows.hit('a');
    windows.hit('c'); // b is the least recently seen: forgotten
    expect(windows.hit('a').count).toBe(3);
    expect(windows.hit('b').count).toBe(1);
    // c was then the least recently seen and made room for b.
    expect(windows.hit('c').count).toBe(1);
  });
});
