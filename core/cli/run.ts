/** The command line's dispatch: help, version, and the command named, with a suggestion for a misspelt one. */
import { nearest } from "../config/suggest.ts";
import { EXIT, usageError } from "./args.ts";
import { chat } from "./chat.ts";
import { schema, validate } from "./config-commands.ts";
import { demo } from "./demo.ts";
import { init } from "./init.ts";
import { packageVersion } from "./version.ts";

const HELP = `litellm-runtime: LLM calls with LiteLLM's callback contract

Usage:
  litellm-runtime serve    [--config F] [--host H] [--port N]   an OpenAI-compatible server for the config's models
  litellm-runtime chat     [--config F] -m MODEL ["prompt"]     one streamed call, with a summary of its events
  litellm-runtime validate [--config F]                         check a config (file, shape, env references, callback modules)
  litellm-runtime init     [DIR]                                a commented config and a custom callback to start from
  litellm-runtime schema                                        print the config's JSON Schema
  litellm-runtime demo     ["prompt"]                           one streamed call to the built-in mock model, with its events
  litellm-runtime --version                                     the package version
  litellm-runtime <command> --help                              a command's options

Without --config, the config is searched from the working directory upward
(litellm.config.yaml / .yml / .json / .ts / .mjs, .litellmrc, package.json "litellm").

Exit codes: 0 ok, 1 the call or server failed, 2 bad usage or invalid config.
`;

type Command = (argv: string[]) => number | Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  // Loaded on demand: `chat` or `validate` never pays for the HTTP server.
  serve: async () => (await import("./serve.ts")).serve,
  chat: async () => chat,
  validate: async () => validate,
  init: async () => init,
  schema: async () => schema,
  demo: async () => demo,
};

/** The short usage a usage error prints; the whole of HELP is one `--help` away. */
const USAGE = `Usage: litellm-runtime <command> [options]   (commands: ${Object.keys(COMMANDS).join(", ")})\n`;

/** The command line, from its arguments to its exit code: what `main.ts` runs, and what tests call in-process. */
export async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return usageError("missing a command", USAGE);
  if (first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (first.startsWith("-")) {
    const guess = nearest(first, ["--help", "--version"]);
    return usageError(`unknown option ${first}${guess ? `; did you mean ${guess}?` : ": a command's options go after the command"}`, USAGE);
  }
  const load = COMMANDS[first];
  if (!load) {
    const guess = nearest(first, Object.keys(COMMANDS));
    return usageError(`unknown command "${first}"${guess ? `; did you mean "${guess}"?` : ""}`, USAGE);
  }
  return (await load())(rest);
}
