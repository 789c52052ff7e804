/** What every doctor check reports: one fact per line, with the fix beside it, and the settings it recommends. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  /** How to fix it; empty for ok. */
  fix: string;
}

export interface DoctorReport {
  checks: Check[];
  /** Environment settings the doctor recommends, e.g. {"ALIPAYHK_SIGN_ALGORITHM":"RSA"}. */
  settings: Record<string, string>;
}

export function check(id: string, status: CheckStatus, message: string, fix = ''): Check {
  return { id, status, message, fix };
}

export function isFailing(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}

/** `ok|warn|fail <what> — <how to fix>` */
export function toCheckLine(c: Check): string {
  return `${c.status.padEnd(4)} ${c.message}${c.fix ? ` — ${c.fix}` : ''}`;
}
