#!/usr/bin/env node
import { parseArgs } from "node:util";
import { schema, validate } from "./config-commands.ts";
import { demo } from "./demo.ts";

const HELP = `litellm-runtime: LLM calls with LiteLLM's callback contract

Usage:
  litellm-runtime validate [--config F]   check a config (file, shape, env references, callback modules)
  litellm-runtime schema                 print the config's JSON Schema
  litellm-runtime demo ["prompt"]        one streamed call to the built-in mock model, with its events shown
  litellm-runtime --help             this text

Without --config, the config is searched from the working directory upward
(litellm.config.yaml / .yml / .json / .ts / .mjs, .litellmrc, package.json "litellm").

Exit codes: 0 ok, 1 the call or server failed, 2 bad usage or invalid config.
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" }, config: { type: "string", short: "c" } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(HELP);
    return parsed.values.help ? 0 : 2;
  }
  switch (command) {
    case "validate":
      return validate(parsed.values.config);
    case "schema":
      return schema();
    case "demo":
      return demo(rest.join(" ") || "Hello from litellm-runtime: this answer streams from the built-in mock model.");
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? `${err.name} [${(err as { code?: string }).code ?? "?"}]: ${err.message}` : String(err)}\n`);
    process.exit(1);
  },
);
