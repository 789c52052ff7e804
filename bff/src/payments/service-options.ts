/** What every payment service and job takes besides its collaborators: the clock, randomness, waits, a log. */
export interface ServiceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RuntimeOptions {
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: ServiceLog;
}
