/**
 * `general_settings.ui`, resolved: the live page's switches and bounds. Read
 * from the config in service on each use, so a reload applies at once.
 */

/** The defaults, as the schema states them (core/ui/settings.test.ts keeps the two in step). */
export const UI_DEFAULTS = Object.freeze({ enabled: true, max_events: 1000, max_client_buffer: 1000 });

export interface UiSettings {
  /** Serve the page when the server was started with it (`serve` is). @default true */
  readonly enabled: boolean;
  /** Calls the ring buffer keeps, the oldest evicted first. @default 1000 */
  readonly max_events: number;
  /** Rows queued for one browser tab whose socket does not drain; past it the tab skips rows (`event: dropped`). @default 1000 */
  readonly max_client_buffer: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const count = (v: unknown, fallback: number): number => (Number.isInteger(v) && (v as number) >= 1 ? (v as number) : fallback);

/** The settings of a config (validated: the schema bounds each value), defaults applied. */
export function uiSettings(config: unknown): UiSettings {
  const ui = obj(obj(obj(config).general_settings).ui);
  return {
    enabled: typeof ui.enabled === "boolean" ? ui.enabled : UI_DEFAULTS.enabled,
    max_events: count(ui.max_events, UI_DEFAULTS.max_events),
    max_client_buffer: count(ui.max_client_buffer, UI_DEFAULTS.max_client_buffer),
  };
}
