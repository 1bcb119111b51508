import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA } from "../config/schema.ts";
import { UI_DEFAULTS, uiSettings } from "./settings.ts";

type Node = { default?: unknown; properties?: Record<string, Node> };
const ui = (CONFIG_SCHEMA as unknown as { $defs: Record<string, Node> }).$defs.GeneralSettings!.properties!.ui!;

describe("general_settings.ui", () => {
  it("has the schema's defaults", () => {
    const schemaDefaults = Object.fromEntries(Object.entries(ui.properties!).map(([key, node]) => [key, node.default]));
    expect(schemaDefaults).toEqual(UI_DEFAULTS);
    expect(uiSettings({})).toEqual(UI_DEFAULTS);
  });

  it("reads the config's values", () => {
    expect(uiSettings({ general_settings: { ui: { enabled: false, max_events: 5, max_client_buffer: 7 } } })).toEqual({ enabled: false, max_events: 5, max_client_buffer: 7 });
  });
});
