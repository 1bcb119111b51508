// Hot reload: with watch: true, saving a callback module swaps in the new code
// without a restart. Calls before the save run the old code, calls after it the new.
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime, type ReloadInfo } from "../core/index.ts";

const dir = mkdtempSync(join(tmpdir(), "litellm-hot-reload-"));
const moduleFile = join(dir, "greeter.ts");
/** A callback module: a plain object with a CustomLogger method, so it needs no import. */
const greeter = (version: string) =>
  `export default {\n  async_log_success_event(kwargs: { model: string }) {\n    console.log("  callback ${version} saw a call to " + kwargs.model);\n  },\n};\n`;

writeFileSync(join(dir, "litellm.config.yaml"), "model_list:\n  - model_name: demo\n    litellm_params: { model: mock/demo }\nlitellm_settings:\n  callbacks: [./greeter.ts]\n");
writeFileSync(moduleFile, greeter("v1"));

const rt = await createRuntime({ config: join(dir, "litellm.config.yaml"), watch: true, debounceMs: 20 });
rt.on("reload_error", (err: Error) => console.log(`reload_error: ${err.message}`));
const call = async () => {
  await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "Hi" }] });
  await rt.flush();
};

console.log("before the edit:");
await call();

const reloaded = once(rt, "reload") as Promise<[ReloadInfo]>;
writeFileSync(moduleFile, greeter("v2"));
const [info] = await reloaded;
console.log(`reload event: changed ${info.changed.map((f) => f.slice(dir.length + 1)).join(", ")}`);

console.log("after the edit:");
await call();
await rt.close();
rmSync(dir, { recursive: true, force: true });
