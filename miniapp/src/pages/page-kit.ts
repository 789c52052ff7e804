/**
 * The little that page factories share. A page factory returns the options object for `Page()`;
 * per-instance state lives in a controller attached to the page instance (the same options object
 * serves every instance of a page, so closures must not hold instance state).
 */
import type { ChargeOutcome } from '../flow/charge-flow';
import type { CheckoutOutcome } from '../flow/checkout-flow';

/** What a factory needs from the page instance: its data and `setData`. */
export interface PageInstance<Data> {
  data: Data;
  setData(patch: Partial<Data>, callback?: () => void): void;
}

/** The tap event fields the pages read (`data-sku="…"` → `dataset.sku`). */
export interface TapEvent {
  currentTarget?: { dataset?: Record<string, unknown> };
  target?: { dataset?: Record<string, unknown> };
}

export function datasetValue(event: TapEvent | undefined, key: string): string | undefined {
  const value = event?.currentTarget?.dataset?.[key] ?? event?.target?.dataset?.[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** A controller method that takes no argument (what a tap handler may call as it is). */
export type ControllerAction<Controller> = { [K in keyof Controller]: Controller[K] extends () => unknown ? K : never }[keyof Controller];

type ActionResult<Controller, K> = K extends keyof Controller ? (Controller[K] extends () => infer R ? R : never) : never;

/** `pay` → `onPay`: the handler name the axml binds for a controller method. */
export type HandlerName<Method extends string> = `on${Capitalize<Method>}`;

type Forwarded<Controller, Methods extends string, Renamed> = {
  [Method in Methods as HandlerName<Method>]: (this: object) => ActionResult<Controller, Method> | undefined;
} & { [Name in keyof Renamed]: (this: object) => ActionResult<Controller, Renamed[Name]> | undefined };

export interface ControllerSlot<Controller> {
  attach(page: object, controller: Controller): Controller;
  /** Undefined before `onLoad` (a tap cannot arrive then, but stay safe). */
  of(page: object): Controller | undefined;
  /**
   * Page handlers that each call one controller method of the same instance: `forward(['pay'])` gives
   * `onPay() { return slot.of(this)?.pay(); }`; `renamed` names the handlers that do not follow that
   * rule (`{ onRetry: 'refresh' }`).
   */
  forward<
    Methods extends ControllerAction<Controller> & string,
    Renamed extends Record<string, ControllerAction<Controller>> = Record<never, never>,
  >(
    methods: readonly Methods[],
    renamed?: Renamed,
  ): Forwarded<Controller, Methods, Renamed>;
}

/** Keeps one controller per page instance, created in `onLoad`. */
export function createControllerSlot<Controller>(): ControllerSlot<Controller> {
  const controllers = new WeakMap<object, Controller>();
  return {
    attach(page, controller) {
      controllers.set(page, controller);
      return controller;
    },
    of(page) {
      return controllers.get(page);
    },
    forward(methods, renamed) {
      const forwarded: Record<string, (this: object) => unknown> = {};
      const handlers: [string, keyof Controller][] = methods.map((method) => [
        `on${method.charAt(0).toUpperCase()}${method.slice(1)}`,
        method,
      ]);
      for (const name of Object.keys(renamed ?? {}))
        handlers.push([name, (renamed as Record<string, keyof Controller>)[name] as keyof Controller]);
      for (const [name, method] of handlers) {
        forwarded[name] = function (this: object) {
          const controller = controllers.get(this);
          return controller ? (controller[method] as () => unknown).call(controller) : undefined;
        };
      }
      // One function per name, so the object has exactly the handlers' keys.
      return forwarded as never;
    },
  };
}

/** The order a payment or charge outcome is about ("View order"): the one still confirming, else the one it ended with. */
export function outcomeOrderId(outcome: CheckoutOutcome | ChargeOutcome | null): string | undefined {
  if (!outcome) return undefined;
  return outcome.state === 'confirming' ? outcome.orderId : outcome.order?.id;
}

export const ignore = (): void => {};
