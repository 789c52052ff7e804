/**
 * The delivery/retry mechanics shared by the sandbox's notification senders (AlipayHK notifications,
 * Latipay callbacks, payment-intents webhooks). Each sender keeps its protocol (what is sent, how it
 * is signed, what counts as an acknowledgement, its schedule); this loop POSTs it in rounds of
 * `1 + control.duplicates` concurrent copies, records every copy on the ledger job, stops at the first
 * acknowledged copy, otherwise waits the scaled retry delay, and marks the job 'exhausted' when the
 * schedule runs out or 'stopped' when the loop is stopped mid-round.
 */
import type { Clock } from './clock';
import type { ControlStore } from './control';
import type { Timers } from './timers';

/** Per-delivery timeout: 5 s scaled, but never under 2 s so a loaded test machine is not a "timeout". */
const DELIVERY_TIMEOUT_MS = 5000;
const MIN_DELIVERY_TIMEOUT_MS = 2000;

/** What every sender records for one delivered copy (senders may add fields, placed after `copy`). */
export interface DeliveryRecord {
  attempt: number;
  copy: number;
  at: string;
  durationMs: number;
  httpStatus: number | null;
  acknowledged: boolean;
  error: string | null;
}

export type DeliveryStatus = 'scheduled' | 'acknowledged' | 'exhausted' | 'dropped' | 'stopped';

/** The ledger job a chain of deliveries updates. */
export interface DeliveryJob<D extends DeliveryRecord> {
  status: DeliveryStatus;
  nextAttemptAt: string | null;
  deliveries: D[];
}

/** The fields a new job ends with, in ledger order: the sender puts its own fields before them. */
export interface InitialJobState<D extends DeliveryRecord> {
  status: 'scheduled' | 'dropped';
  createdAt: string;
  nextAttemptAt: string | null;
  deliveries: D[];
}

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The fields a sender adds to its delivery records (none unless the record type has more). */
export type ExtraFields<D extends DeliveryRecord> = Omit<D, keyof DeliveryRecord>;

/** What the loop uses of a sender's deps. */
export interface DeliveryLoopDeps {
  control: ControlStore;
  clock: Clock;
  timers: Timers;
  random: () => number;
}

/** A sender's protocol: its schedule, what it sends and what it takes for an acknowledgement. */
export interface DeliveryProtocol<D extends DeliveryRecord, J extends DeliveryJob<D>, P> {
  /** The unscaled wait after failed round `attempt` (1-based); undefined once the schedule is spent. */
  retryDelayMs(attempt: number): number | undefined;
  /** Fresh per-copy fields (e.g. a message id), recorded and handed to `request`. */
  extraFields?: () => ExtraFields<D>;
  /** What one copy POSTs. */
  request(job: J, payload: P, extra: ExtraFields<D>): DeliveryRequest;
  /** Judges the answer: null when it acknowledges, else why not. May read the body (see readLimited). */
  judge(response: Response): Promise<string | null>;
}

export interface DeliveryLoop<D extends DeliveryRecord, J extends DeliveryJob<D>, P> {
  /**
   * Creates the job through `create` (with `dropRate` drawn: a dropped job is never delivered) and, unless
   * dropped, starts its first round after `firstDelayMs`, with the payload `load` gives at that moment.
   */
  schedule(firstDelayMs: number, create: (initial: InitialJobState<D>) => J, load: () => P | Promise<P>): J;
  /** Aborts in-flight deliveries and stops every chain (timers are cleared by their owner). */
  stop(): void;
}

/** Reads at most about `maxBytes` of the body as UTF-8; anything longer is cut off there. */
export async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createDeliveryLoop<D extends DeliveryRecord, J extends DeliveryJob<D>, P>(
  deps: DeliveryLoopDeps,
  protocol: DeliveryProtocol<D, J, P>,
): DeliveryLoop<D, J, P> {
  const { control, clock, timers } = deps;
  let aborter = new AbortController();

  async function deliverOnce(job: J, payload: P, attempt: number, copy: number, signal: AbortSignal): Promise<D> {
    const extra = protocol.extraFields ? protocol.extraFields() : ({} as ExtraFields<D>);
    const startedAt = Date.now();
    const delivery = {
      attempt,
      copy,
      ...extra,
      at: new Date(clock.now()).toISOString(),
      durationMs: 0,
      httpStatus: null,
      acknowledged: false,
      error: null,
    } as DeliveryRecord as D;
    const timeoutMs = Math.max(MIN_DELIVERY_TIMEOUT_MS, control.scaled(DELIVERY_TIMEOUT_MS));
    try {
      const { url, headers, body } = protocol.request(job, payload, extra);
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        redirect: 'manual',
      });
      delivery.httpStatus = response.status;
      delivery.error = await protocol.judge(response);
      delivery.acknowledged = delivery.error === null;
    } catch (error) {
      const name = (error as Error).name;
      delivery.error = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${name}: ${(error as Error).message}`;
    }
    delivery.durationMs = Date.now() - startedAt;
    job.deliveries.push(delivery);
    return delivery;
  }

  async function deliverRound(job: J, payload: P, attempt: number): Promise<void> {
    const signal = aborter.signal;
    if (signal.aborted || job.status !== 'scheduled') return;
    job.nextAttemptAt = null;
    const copies = 1 + control.current.duplicates;
    const results = await Promise.all(Array.from({ length: copies }, (_, copy) => deliverOnce(job, payload, attempt, copy, signal)));
    if (signal.aborted) {
      job.status = 'stopped';
      return;
    }
    // One acknowledged copy is enough: the sender stops as soon as it gets the answer it wants.
    if (results.some((delivery) => delivery.acknowledged)) {
      job.status = 'acknowledged';
      return;
    }
    const wait = protocol.retryDelayMs(attempt);
    if (wait === undefined) {
      job.status = 'exhausted';
      return;
    }
    const delay = control.scaled(wait);
    job.nextAttemptAt = new Date(clock.now() + delay).toISOString();
    timers.after(delay, () => deliverRound(job, payload, attempt + 1));
  }

  return {
    schedule(firstDelayMs, create, load) {
      const now = clock.now();
      const dropped = control.takeDrop() || deps.random() < control.current.dropRate;
      const job = create({
        status: dropped ? 'dropped' : 'scheduled',
        createdAt: new Date(now).toISOString(),
        nextAttemptAt: dropped ? null : new Date(now + firstDelayMs).toISOString(),
        deliveries: [],
      });
      if (!dropped) {
        timers.after(firstDelayMs, () => {
          const payload = load();
          return payload instanceof Promise ? payload.then((loaded) => deliverRound(job, loaded, 1)) : deliverRound(job, payload, 1);
        });
      }
      return job;
    },
    stop() {
      aborter.abort();
      // A fresh controller so chains scheduled after a reset still work.
      aborter = new AbortController();
    },
  };
}
