// No callback code: examples/config-only/litellm.config.yaml names the built-ins.
// `console` prints one line per event on stderr; `file` writes JSON Lines.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime } from "../core/index.ts";

const dir = mkdtempSync(join(tmpdir(), "litellm-config-only-"));
process.env.EXAMPLE_LOG_DIR = dir; // read by ${EXAMPLE_LOG_DIR} in the config
const config = join(import.meta.dirname, "config-only", "litellm.config.yaml");

const rt = await createRuntime({ config, cwd: dir });
console.log(`models: ${rt.models().join(", ")}`);
const res = await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "Hi" }] });
console.log(`answer: ${res.choices[0]?.message.content}`);
await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "Hi" }], mock_response: "litellm.RateLimitError" }).catch(() => {});
await rt.close(); // flushes the file writer

const lines = readFileSync(join(dir, "llm-events.jsonl"), "utf8").trim().split("\n");
console.log(`log file: ${lines.length} lines (${lines.map((l) => JSON.parse(l).status).join(", ")})`);
rmSync(dir, { recursive: true, force: true });
