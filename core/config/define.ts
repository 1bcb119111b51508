import type { InlineConfig } from "../types.ts";

/**
 * Types a config written in code and returns it unchanged:
 * `export default defineConfig({ model_list: [...] })` in `litellm.config.ts`
 * (the editor then completes and checks every key), or
 * `createRuntime({ config: defineConfig({...}) })`.
 */
export function defineConfig(config: InlineConfig): InlineConfig {
  return config;
}
