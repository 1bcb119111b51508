/**
 * The built-in callbacks, registered by name so a config can say
 * `success_callback: [file, mixpanel]` with no code. One import line each.
 */
import "./console.ts";
import "./file.ts";
import "./mixpanel.ts";
import "./prometheus.ts";
import "./webhook.ts";
import "./ui/index.ts";
import "./otel/index.ts";
import "./presets/index.ts";
export {};
