import { parseArgs, type ParseArgsConfig } from "node:util";

/** Exit codes of api.md: 0 ok, 1 the call or server failed, 2 bad usage or invalid config. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; args: string[]; strict: true }>>["values"];
  positionals: string[];
}

/**
 * Parses one command's arguments; `--help` on every command. Returns the
 * exit code instead when there is nothing more to do: 0 after printing the
 * usage for `--help`, 2 with the usage on stderr for an unknown or malformed flag.
 */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string, maxPositionals = Infinity): Parsed<O> | number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    return usageError((err as Error).message, usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return EXIT.ok;
  }
  if (parsed.positionals.length > maxPositionals) return usageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`, usage);
  return parsed as unknown as Parsed<O>;
}

/** Prints what was wrong and the command's usage on stderr: exit code 2. */
export function usageError(message: string, usage: string): number {
  process.stderr.write(`${message}\n\n${usage}`);
  return EXIT.usage;
}
