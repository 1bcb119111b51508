import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { EXIT, parseCommand } from "./args.ts";
import { CONFIG_TEMPLATE, HANDLER_TEMPLATE } from "./init-templates.ts";
import { packageVersion } from "./version.ts";

export const INIT_USAGE = `Usage: litellm-runtime init [DIR] [--force]

Writes a config and a custom callback to start from, into DIR (default: the
working directory):
  litellm.config.yaml       a mock model that works offline, an OpenAI model, callbacks, commented examples
  callbacks/my_handler.ts   a CustomLogger subclass logging each success and failure with its cost

Both validate and run as written (the handler imports "litellm-runtime", so
install the package in DIR: from its git repository or a tarball made with
\`npm pack\`, as it is not on the npm registry). Existing files are left alone
unless --force.

Options:
  -f, --force   overwrite existing files
  -h, --help    this text
`;

// The package is not on the npm registry: `npm install litellm-runtime` would fetch nothing, or someone else's.
const installAdvice = (): string => `  npm install git+https://<your git host>/litellm-runtime.git
      (the handler imports "litellm-runtime", which is not on the npm registry: install it from
      its git repository, or from a tarball \`npm pack\` made in a checkout of it:
      npm install /path/to/litellm-runtime-${packageVersion()}.tgz)
`;

const FILES: ReadonlyArray<readonly [string, string]> = [
  ["litellm.config.yaml", CONFIG_TEMPLATE],
  [join("callbacks", "my_handler.ts"), HANDLER_TEMPLATE],
];

/** `litellm-runtime init [DIR]`: 0 when written, 2 when a file exists (without --force). */
export async function init(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { force: { type: "boolean", short: "f" } }, INIT_USAGE, 1);
  if (typeof args === "number") return args;
  const dir = resolve(args.positionals[0] ?? ".");
  const targets = FILES.map(([name, text]) => ({ name, path: join(dir, name), text }));
  const existing = targets.filter((t) => existsSync(t.path));
  if (existing.length > 0 && !args.values.force) {
    process.stderr.write(`refusing to overwrite ${existing.map((t) => t.path).join(", ")}; pass --force to replace ${existing.length === 1 ? "it" : "them"}\n`);
    return EXIT.usage;
  }
  for (const t of targets) {
    await mkdir(dirname(t.path), { recursive: true });
    await writeFile(t.path, t.text);
    process.stdout.write(`wrote ${t.path}\n`);
  }
  const cd = relative(process.cwd(), dir);
  process.stdout.write(`\nNext:\n${cd ? `  cd ${cd}\n` : ""}${installAdvice()}  npx litellm-runtime validate\n  npx litellm-runtime chat -m demo "Hello"\n  npx litellm-runtime serve\n`);
  return EXIT.ok;
}
