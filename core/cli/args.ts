import { parseArgs, type ParseArgsConfig } from "node:util";
import { nearest } from "../config/suggest.ts";

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
 * usage for `--help`, 2 with what was wrong and the short usage on stderr for
 * an unknown or malformed flag.
 */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string, maxPositionals = Infinity): Parsed<O> | number {
  const all: Options = { ...options, help: { type: "boolean", short: "h" } };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch {
    return usageError(optionProblem(argv, all), usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return EXIT.ok;
  }
  if (parsed.positionals.length > maxPositionals) return usageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`, usage);
  return parsed as unknown as Parsed<O>;
}

/**
 * What is wrong with the options, in our words: parseArgs's own messages
 * (`Unknown option '--prot'. To specify a positional argument ...`) speak of its API, not of this CLI.
 */
export function optionProblem(argv: string[], options: Options): string {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const longNames = Object.keys(options);
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = options[t.name];
    if (!spec) {
      const guess = t.rawName.startsWith("--") ? nearest(t.name, longNames) : undefined;
      return `unknown option ${t.rawName}${guess ? `; did you mean --${guess}?` : ""}`;
    }
    if (spec.type === "string" && t.value === undefined) return `option ${t.rawName} needs a value`;
    if (spec.type === "boolean" && t.value !== undefined) return `option ${t.rawName} takes no value`;
  }
  return `cannot read the options: ${argv.join(" ")}`;
}

/** The usage text's first line, and the command it is for: `litellm-runtime serve`. */
function shortUsage(usage: string): { line: string; command: string } {
  const line = usage.split("\n", 1)[0]!;
  return { line, command: /^Usage: (litellm-runtime(?: [a-z]+)?)/.exec(line)?.[1] ?? "litellm-runtime" };
}

/** Prints what was wrong, the command's one-line usage and where the rest is, on stderr: exit code 2. */
export function usageError(message: string, usage: string): number {
  const { line, command } = shortUsage(usage);
  process.stderr.write(`${message}\n${line}\nrun \`${command} --help\` for more\n`);
  return EXIT.usage;
}
