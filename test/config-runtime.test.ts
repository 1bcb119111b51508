import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, createRuntime, CustomLogger, defineConfig, registerBuiltin, validateConfig, type CallbackKwargs, type LiteLLMConfig, type Runtime } from "../core/index.ts";
import { useTempDir } from "./support/kit.ts";

const tmp = useTempDir("litellm-rt-");
let rt: Runtime | undefined;

declare global {
  // eslint-disable-next-line no-var
  var __seen: Array<{ seq: unknown; version: string; event: string }>;
}

beforeEach(async () => {
  globalThis.__seen = [];
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

const config = (answer: string, extra = "") => `model_list:
  - model_name: demo
    litellm_params:
      model: mock/demo
      mock_response: "${answer}"
litellm_settings:
  success_callback: [./cb.ts]
  callbacks: [./logger.ts]
${extra}`;

const callbackModule = (version: string) => `
export default function track(kwargs: any) {
  globalThis.__seen.push({ seq: kwargs.litellm_params.metadata.seq, version: "${version}", event: "success" });
}
`;

const loggerModule = (version: string) => `
import { CustomLogger } from ${JSON.stringify(join(process.cwd(), "core/index.ts"))};
export default class VersionedLogger extends CustomLogger {
  override log_pre_api_call(_m: string, _msgs: unknown, kwargs: any) {
    globalThis.__seen.push({ seq: kwargs.litellm_params.metadata.seq, version: "${version}", event: "pre" });
  }
  close() {
    globalThis.__seen.push({ seq: null, version: "${version}", event: "closed" });
  }
}
`;

function nextEvent<T>(target: Runtime, name: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${name}" event within ${timeoutMs} ms`)), timeoutMs);
    target.once(name, (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

describe("createRuntime", () => {
  it("serves a config's model alias with its chains, and kwargs carry the alias as model_group", async () => {
    await writeFile(join(tmp.path, "litellm.config.yaml"), config("from config"));
    await writeFile(join(tmp.path, "cb.ts"), callbackModule("v1"));
    await writeFile(join(tmp.path, "logger.ts"), loggerModule("v1"));
    const groups: unknown[] = [];
    rt = await createRuntime({ config: join(tmp.path, "litellm.config.yaml") });
    const res = await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "hi" }], metadata: { seq: 1 }, success_callback: [(k: any) => groups.push(k.litellm_params.model_group)] });
    await rt.flush();
    expect(res.choices[0]!.message.content).toBe("from config");
    expect(rt.models()).toEqual(["demo"]);
    expect(globalThis.__seen.map((s) => `${s.event}:${s.version}:${s.seq}`)).toEqual(["pre:v1:1", "success:v1:1"]);
    expect(groups).toEqual(["demo"]);
    expect(Object.isFrozen(rt.config)).toBe(true);
  });

  it("takes an inline config typed as LiteLLMConfig, or made by defineConfig with the callbacks themselves in its lists", async () => {
    // What this test checks first is that it compiles (npm run typecheck): no cast at either call.
    const typed: LiteLLMConfig = { model_list: [{ model_name: "typed", litellm_params: { model: "mock/typed", mock_response: "from LiteLLMConfig" } }] };
    rt = await createRuntime({ config: typed, cwd: tmp.path });
    expect((await rt.acompletion({ model: "typed", messages: [{ role: "user", content: "hi" }] })).choices[0]!.message.content).toBe("from LiteLLMConfig");
    await rt.close();

    const aliases: unknown[] = [];
    class Aliases extends CustomLogger {
      override log_success_event(kwargs: CallbackKwargs) {
        aliases.push(kwargs.litellm_params.model_group);
      }
    }
    const inline = defineConfig({
      model_list: [{ model_name: "defined", litellm_params: { model: "mock/defined", mock_response: "from defineConfig" }, callbacks: [new Aliases()] }],
      litellm_settings: { success_callback: [(kwargs: CallbackKwargs) => aliases.push(`fn:${String(kwargs.litellm_params.model_group)}`)] },
    });
    rt = await createRuntime({ config: inline, cwd: tmp.path });
    expect((await rt.acompletion({ model: "defined", messages: [{ role: "user", content: "hi" }] })).choices[0]!.message.content).toBe("from defineConfig");
    await rt.flush();
    expect(aliases.sort()).toEqual(["defined", "fn:defined"]);
  });

  it("reloads edited modules and config under load: no call fails, calls after the reload use the new code, a broken edit keeps the old", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, config("answer one"));
    await writeFile(join(tmp.path, "cb.ts"), callbackModule("v1"));
    await writeFile(join(tmp.path, "logger.ts"), loggerModule("v1"));
    rt = await createRuntime({ config: file, watch: true, debounceMs: 20 });
    const errors: unknown[] = [];
    rt.on("reload_error", (e) => errors.push(e));

    let seq = 0;
    let stop = false;
    const answers = new Map<number, string>();
    const loop = async () => {
      while (!stop) {
        const n = ++seq;
        const res = await rt!.acompletion({ model: "demo", messages: [{ role: "user", content: "x" }], metadata: { seq: n } });
        answers.set(n, res.choices[0]!.message.content!);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const loops = [loop(), loop(), loop()];

    await new Promise((r) => setTimeout(r, 50));
    const moduleReload = nextEvent<{ changed: string[] }>(rt, "reload");
    await writeFile(join(tmp.path, "cb.ts"), callbackModule("v2"));
    const info = await moduleReload;
    const afterModule = seq;
    expect(info.changed).toContainEqual(expect.stringMatching(/cb\.ts$/));

    await new Promise((r) => setTimeout(r, 50));
    const configReload = nextEvent(rt, "reload");
    await writeFile(file, config("answer two"));
    await configReload;
    const afterConfig = seq;

    await new Promise((r) => setTimeout(r, 50));
    const broken = nextEvent<ConfigError>(rt, "reload_error");
    await writeFile(join(tmp.path, "cb.ts"), "export default function (kwargs: any) { this is not typescript");
    const err = await broken;
    const afterBroken = seq;
    await new Promise((r) => setTimeout(r, 50));

    stop = true;
    await Promise.all(loops);
    await rt.flush();

    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues[0]!.code).toBe("CONFIG_CALLBACK_LOAD");
    expect(err.message).toContain("cb.ts");
    expect(errors).toHaveLength(1);
    const success = globalThis.__seen.filter((s) => s.event === "success");
    // Every call finished (none threw, or Promise.all would have), and each logged one success.
    expect(success).toHaveLength(seq);
    for (const s of success) {
      if ((s.seq as number) > afterModule) expect(s.version).toBe("v2");
    }
    expect(success.filter((s) => (s.seq as number) > afterBroken).map((s) => s.version)).toContain("v2");
    for (const [n, answer] of answers) if (n > afterConfig) expect(answer).toBe("answer two");
    expect(answers.get(1)).toBe("answer one");
  });

  it("closes the callbacks a reload retires, after their calls finish", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, config("a"));
    await writeFile(join(tmp.path, "cb.ts"), callbackModule("v1"));
    await writeFile(join(tmp.path, "logger.ts"), loggerModule("v1"));
    rt = await createRuntime({ config: file });
    await writeFile(join(tmp.path, "logger.ts"), loggerModule("v2"));
    expect(await rt.reload()).toBe(true);
    await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "x" }], metadata: { seq: 1 } });
    await rt.flush();
    await new Promise((r) => setTimeout(r, 20));
    const events = globalThis.__seen.map((s) => `${s.event}:${s.version}`);
    expect(events).toContain("closed:v1");
    expect(events).toContain("pre:v2");
    expect(events).not.toContain("pre:v1");
  });

  it("runs a model's own chain after the global one, and only for that model", async () => {
    const mod = (name: string) => `export default function ${name}(kwargs: any) { globalThis.__seen.push({ seq: kwargs.litellm_params.model_group, version: "${name}", event: "success" }); }`;
    await writeFile(join(tmp.path, "global-cb.ts"), mod("globalChain"));
    await writeFile(join(tmp.path, "model-cb.ts"), mod("modelChain"));
    rt = await createRuntime({
      config: {
        model_list: [
          { model_name: "m", litellm_params: { model: "mock/m" }, callbacks: ["./model-cb.ts"] },
          { model_name: "other", litellm_params: { model: "mock/o" } },
        ],
        litellm_settings: { success_callback: ["./global-cb.ts"] },
      },
      cwd: tmp.path,
    });
    await rt.acompletion({ model: "m", messages: [{ role: "user", content: "x" }] });
    await rt.flush();
    await rt.acompletion({ model: "other", messages: [{ role: "user", content: "x" }] });
    await rt.flush();
    expect(globalThis.__seen.map((s) => `${s.seq}:${s.version}`)).toEqual(["m:globalChain", "m:modelChain", "other:globalChain"]);
  });
});

describe("validateConfig", () => {
  it("reports every problem of a file together, without throwing", async () => {
    await writeFile(join(tmp.path, "litellm.config.yaml"), "model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\nlitellm_settings:\n  sucess_callback: [console]\n  cache_params:\n    type: memcached\n");
    const result = await validateConfig(join(tmp.path, "litellm.config.yaml"));
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => [e.code, e.path, e.line])).toEqual([
      ["CONFIG_UNKNOWN_KEY", "litellm_settings.sucess_callback", 6],
      ["CONFIG_INVALID_VALUE", "litellm_settings.cache_params.type", 8],
    ]);
    expect(result.errors[0]!.suggestion).toBe("success_callback");
  });
});

describe("built-ins named only in a call's own list", () => {
  it("are flushed by runtime.flush() and closed with the runtime", async () => {
    const seen: string[] = [];
    registerBuiltin("test-per-call", () => ({
      log_success_event: () => void seen.push("success"),
      flush: () => void seen.push("flush"),
      close: () => void seen.push("close"),
    }));
    rt = await createRuntime({ config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "x" } }] }, cwd: tmp.path });
    await rt.acompletion({ model: "m", messages: [{ role: "user", content: "x" }], success_callback: ["test-per-call"] });
    await rt.flush();
    expect(seen).toEqual(["success", "flush"]);
    await rt.close();
    rt = undefined;
    expect(seen.slice(2)).toEqual(["flush", "close"]);
  });
});
