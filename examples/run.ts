// `npm run example -- <name>` runs examples/<name>.ts; with no name or an unknown one, lists them.
import { readdirSync } from "node:fs";

const names = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];

if (!name || !names.includes(name)) {
  if (name) console.error(`unknown example "${name}".`);
  console.error(`usage: npm run example -- <name>\n\nexamples:\n${names.map((n) => `  ${n}`).join("\n")}`);
  process.exit(2);
}
await import(`./${name}.ts`);
