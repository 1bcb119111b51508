/** LiteLLM's callback names that this runtime serves with a built-in of its own: the OTLP presets and generic_api. */
import "./otel-presets.ts";
import "./generic-api.ts";
export {};
