/**
 * The little that page factories share. A page factory returns the options object for `Page()`;
 * per-instance state lives in a controller attached to the page instance (the same options object
 * serves every instance of a page, so closures must not hold instance state).
 */

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

/** Keeps one controller per page instance, created in `onLoad`. */
export function createControllerSlot<Controller>() {
  const controllers = new WeakMap<object, Controller>();
  return {
    attach(page: object, controller: Controller): Controller {
      controllers.set(page, controller);
      return controller;
    },
    /** Undefined before `onLoad` (a tap cannot arrive then, but stay safe). */
    of(page: object): Controller | undefined {
      return controllers.get(page);
    },
  };
}

export const ignore = (): void => {};
