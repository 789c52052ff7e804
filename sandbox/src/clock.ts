/**
 * The sandbox clock: real time plus `clockOffsetMs` from the control, so a test can move the sandbox
 * into tomorrow (e.g. to hit payCancel's same-day rule) without touching the process clock.
 * Timers still run on real time.
 */
export interface Clock {
  now(): number;
}

export function createClock(offsetMs: () => number): Clock {
  return { now: () => Date.now() + offsetMs() };
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** AlipayHK reports times in Hong Kong / Beijing time (UTC+8, no daylight saving). */
export const BEIJING_OFFSET_MINUTES = 8 * 60;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** RFC 3339 with an explicit offset and whole seconds, e.g. `2026-01-31T18:05:09+08:00`. */
export function formatRfc3339(ms: number, offsetMinutes = BEIJING_OFFSET_MINUTES): string {
  const local = new Date(ms + offsetMinutes * MINUTE);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** `yyyyMMdd` of the Beijing calendar day containing `ms` (used in generated ids). */
export function beijingDate(ms: number): string {
  return formatRfc3339(ms).slice(0, 10).replace(/-/g, '');
}

/** UTC milliseconds at which the Beijing calendar day containing `ms` began. */
export function startOfBeijingDay(ms: number): number {
  const offset = BEIJING_OFFSET_MINUTES * MINUTE;
  return Math.floor((ms + offset) / DAY) * DAY - offset;
}

/**
 * payCancel is "same day only, Beijing time, with a 15-minute buffer": a payment created before the
 * current Beijing day began, minus 15 minutes, can no longer be cancelled (refund it instead).
 */
export const CANCEL_BUFFER_MS = 15 * MINUTE;

export function isWithinCancelWindow(createdAtMs: number, nowMs: number): boolean {
  return createdAtMs >= startOfBeijingDay(nowMs) - CANCEL_BUFFER_MS;
}
