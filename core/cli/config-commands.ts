import { formatIssue } from "../errors.ts";
import { schemaText } from "../config/schema.ts";
import { validateConfig } from "../config/validate.ts";

/** `litellm-runtime validate [--config F]`: 0 when valid, 2 with every problem listed. */
export async function validate(config: string | undefined): Promise<number> {
  const result = await validateConfig(config);
  for (const w of result.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  if (!result.valid) {
    process.stderr.write(`${result.errors.length === 1 ? "1 problem" : `${result.errors.length} problems`} in ${result.file ?? "the config"}:\n`);
    for (const e of result.errors) process.stderr.write(`  ${formatIssue(e)}\n`);
    return 2;
  }
  process.stdout.write(`ok: ${result.file} (${result.models.length} model${result.models.length === 1 ? "" : "s"}: ${result.models.join(", ") || "none"}; ${result.callbacks} callbacks)\n`);
  return 0;
}

/** `litellm-runtime schema`: the config's JSON Schema, for editors and other tools. */
export function schema(): number {
  process.stdout.write(`${schemaText()}\n`);
  return 0;
}
