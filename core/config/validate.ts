import { ConfigError, type ConfigIssue } from "../errors.ts";
import { loadConfig } from "./load.ts";
import { ModuleLoader } from "./modules.ts";
import { buildSnapshot } from "./snapshot.ts";

/** What `validateConfig()` found. */
export interface ValidationResult {
  valid: boolean;
  /** The config file checked, or null for an inline config. */
  file: string | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Model aliases and callback count, for a one-line summary. */
  models: string[];
  callbacks: number;
}

/**
 * Checks a config as a runtime would load it: the file, its shape, its
 * environment references, and every callback module it names (which are
 * imported, so their own load errors show). Never throws for a bad config.
 */
export async function validateConfig(source?: string | Record<string, unknown>, options: { cwd?: string } = {}): Promise<ValidationResult> {
  const invalid = (err: ConfigError): ValidationResult => ({ valid: false, file: err.file, errors: [...err.issues], warnings: [], models: [], callbacks: 0 });
  let loaded;
  try {
    // The file's problems come back with the snapshot's (unknown callbacks, modules that do not load): all at once.
    loaded = await loadConfig(source, { ...options, keepIssues: true });
  } catch (err) {
    if (err instanceof ConfigError) return invalid(err);
    throw err;
  }
  try {
    const snapshot = await buildSnapshot(loaded, new ModuleLoader());
    for (const t of snapshot.targets) {
      const close = (t as { close?: unknown }).close;
      if (typeof close === "function") await Promise.resolve(close.call(t)).catch(() => undefined);
    }
    await snapshot.cache?.close();
    const warnings = [...loaded.warnings, ...snapshot.warnings];
    return { valid: true, file: loaded.file, errors: [], warnings, models: [...snapshot.models.keys()], callbacks: snapshot.targets.length };
  } catch (err) {
    if (err instanceof ConfigError) return { ...invalid(err), warnings: loaded.warnings };
    throw err;
  }
}
