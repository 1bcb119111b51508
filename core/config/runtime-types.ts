/** What `createRuntime()` takes, and what its reloads carry and check. */
import type { ConfigIssue } from "../errors.ts";
import type { InlineConfig } from "../types.ts";
import type { LoadedConfig } from "./load.ts";

/** Options of `createRuntime()`. */
export interface RuntimeOptions {
  /** A config file path, an inline config object, or nothing to search from `cwd` upward. */
  config?: string | InlineConfig;
  /** Reload when the config, a callback module or a file it imports changes. @default false */
  watch?: boolean;
  /** Where relative paths and the search start. @default process.cwd() */
  cwd?: string;
  /** Milliseconds to wait for a burst of saves to settle before reloading. @default 50 */
  debounceMs?: number;
  /** Milliseconds a retired snapshot waits for its calls in flight before its callbacks are closed anyway. @default 30000 */
  retireGraceMs?: number;
  /** Milliseconds a reload that would empty `model_list`, or lose more than half of it, waits before reading the file again (a half-written save). @default 1000 */
  settleMs?: number;
}

/** A check of a reloaded config against the one serving: an issue refuses the reload. */
export type ReloadGuard = (next: LoadedConfig["config"], current: LoadedConfig["config"]) => ConfigIssue | undefined;

/** True when `next` has no models where `current` had some, or fewer than half as many: what a file caught mid-write looks like. */
export function losesModels(current: LoadedConfig["config"], next: LoadedConfig["config"]): boolean {
  const before = current.model_list?.length ?? 0;
  const after = next.model_list?.length ?? 0;
  return before > 0 && (after === 0 || after < before / 2);
}

/** What a `reload` event carries. */
export interface ReloadInfo {
  /** The files whose change caused the reload (empty for `reload()` called by hand). */
  changed: string[];
}
