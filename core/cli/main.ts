#!/usr/bin/env node
import { EXIT } from "./args.ts";
import { run } from "./run.ts";

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? `${err.name} [${(err as { code?: string }).code ?? "?"}]: ${err.message}` : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
