import { ConfigError, formatIssue, type ConfigIssue } from "../errors.ts";
import { schemaText } from "../config/schema.ts";
import { validateConfig } from "../config/validate.ts";
import { plural } from "../callbacks/summary.ts";
import { EXIT, parseCommand } from "./args.ts";

export const VALIDATE_USAGE = `Usage: litellm-runtime validate [--config F]

Checks a config as a runtime would load it: the file, its shape, environment
references and every callback module it names. Exit 0 when valid; 2 with
every problem as file:line:col.

Options:
  -c, --config F   the config file (default: searched from the working directory upward)
  -h, --help       this text
`;

export const SCHEMA_USAGE = `Usage: litellm-runtime schema

Prints the config's JSON Schema (for editors and other tools).

Options:
  -h, --help   this text
`;

/** Every problem of a config, as `validate` prints them, on stderr. */
export function printConfigIssues(issues: readonly ConfigIssue[], file: string | null): void {
  process.stderr.write(`${issues.length === 1 ? "1 problem" : `${issues.length} problems`} in ${file ?? "the config"}:\n`);
  for (const e of issues) process.stderr.write(`  ${formatIssue(e)}\n`);
}

/** A ConfigError printed as `validate` would: exit code 2. Anything else is rethrown. */
export function reportConfigError(err: unknown): number {
  if (!(err instanceof ConfigError)) throw err;
  printConfigIssues(err.issues, err.file);
  return EXIT.usage;
}

/** `litellm-runtime validate [--config F]`: 0 when valid, 2 with every problem listed. */
export async function validate(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { config: { type: "string", short: "c" } }, VALIDATE_USAGE, 0);
  if (typeof args === "number") return args;
  const result = await validateConfig(args.values.config);
  for (const w of result.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  if (!result.valid) {
    printConfigIssues(result.errors, result.file);
    return EXIT.usage;
  }
  process.stdout.write(`ok: ${result.file} (${plural(result.models.length, "model")}: ${result.models.join(", ") || "none"}; ${plural(result.callbacks, "callback")})\n`);
  return EXIT.ok;
}

/** `litellm-runtime schema`: the config's JSON Schema, for editors and other tools. */
export function schema(argv: string[]): number {
  const args = parseCommand(argv, {}, SCHEMA_USAGE, 0);
  if (typeof args === "number") return args;
  process.stdout.write(`${schemaText()}\n`);
  return EXIT.ok;
}
