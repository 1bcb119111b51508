// The live page's health tab names a callback module's own failures: a reference such as `./boom.mjs`
// or `./loggers.ts#onSuccess` is matched to the object it loaded as, whose errors the dispatcher counts.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, startServer, type Runtime } from "../core/index.ts";
import type { RunningServer } from "../core/server/index.ts";
import type { PlumbingState } from "../core/ui/types.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir, user } from "./support/kit.ts";

const tmp = useTempDir("litellm-ui-state-modules-", { per: "suite" });
let fake: FakeOpenAI;
let rt: Runtime;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const dir = tmp.path;
  await writeFile(join(dir, "boom.mjs"), `export default function boom() { throw new Error("boom went the logger"); }\n`);
  await writeFile(
    join(dir, "my-loggers.ts"),
    `export function onSuccess(): void { throw new Error("named export failed"); }\nexport class AuditLogger { log_success_event(): void {} }\n`,
  );
  await writeFile(
    join(dir, "litellm.config.yaml"),
    `model_list:
  - model_name: chat
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${fake.url}", api_key: sk-test }
litellm_settings:
  success_callback: ["./boom.mjs", "./my-loggers.ts#onSuccess"]
`,
  );
  rt = await createRuntime({ config: join(dir, "litellm.config.yaml"), cwd: dir });
  server = await startServer(rt, { port: 0, ui: true });
});

afterAll(async () => {
  await server?.close(100);
  await rt?.close();
  await fake?.close();
});

describe("the health tab's callbacks", () => {
  it("count the errors of a module's default export and of a named export under their references", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "chat", messages: user("hi") }),
    });
    expect(res.status).toBe(200);
    await rt.flush();
    const state = (await (await fetch(`${server.url}/ui/api/state`)).json()) as PlumbingState;
    const row = (name: string) => state.callbacks.find((c) => c.name === name);
    expect(row("./boom.mjs")).toMatchObject({ list: "success_callback", events: ["success"], errors: 1, last_error: expect.stringContaining("boom went the logger") });
    expect(row("./my-loggers.ts#onSuccess")).toMatchObject({ list: "success_callback", errors: 1, last_error: expect.stringContaining("named export failed") });
  });
});
