// What follows a reload: callback failures reported afresh for the new snapshot, reloads counted, and the version readiness shows.
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, createRuntime, startServer, type Runtime } from "../core/index.ts";
import { useTempDir } from "./support/kit.ts";

const tmp = useTempDir("litellm-reload-reports-");
let rt: Runtime | undefined;
let stderr: string[];

beforeEach(async () => {
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.restoreAllMocks();
});

const CONFIG = `model_list:
  - model_name: demo
    litellm_params: { model: mock/demo, mock_response: "hi" }
litellm_settings:
  success_callback: [./thrower.ts]
`;

/** A callback module whose success handler throws `message`. */
const thrower = (message: string) => `export default function thrower() { throw new Error(${JSON.stringify(message)}); }\n`;

let touches = 0;
/** Writes a module with a new mtime: imports are cache-busted by mtime, and two saves within one tick may share one. */
async function save(file: string, text: string): Promise<void> {
  await writeFile(file, text);
  const later = new Date(Date.now() + ++touches * 1000);
  await utimes(file, later, later);
}

async function start(): Promise<Runtime> {
  await writeFile(join(tmp.path, "litellm.config.yaml"), CONFIG);
  await save(join(tmp.path, "thrower.ts"), thrower("first version broke"));
  rt = await createRuntime({ config: join(tmp.path, "litellm.config.yaml") });
  return rt;
}

async function call(r: Runtime): Promise<void> {
  await r.acompletion({ model: "demo", messages: [{ role: "user", content: "hi" }] });
  await r.flush();
}

/** The CALLBACK_THREW lines printed so far, by the message the callback threw. */
const printed = (message: string) => stderr.filter((l) => l.includes("[CALLBACK_THREW]") && l.includes(message));

describe("callback failures after a reload", () => {
  it("are printed once per kind for each snapshot: an edited module's new failure, and the same one after a reload", async () => {
    const r = await start();
    await call(r);
    await call(r);
    expect(printed("first version broke")).toHaveLength(1);
    expect(r.stats().errors).toBe(2);

    await save(join(tmp.path, "thrower.ts"), thrower("second version broke"));
    expect(await r.reload()).toBe(true);
    await call(r);
    await call(r);
    expect(printed("second version broke")).toHaveLength(1);

    // Nothing changed: still a new snapshot, whose first failure is news.
    expect(await r.reload()).toBe(true);
    await call(r);
    expect(printed("second version broke")).toHaveLength(2);
    expect(r.stats().errors).toBe(5);
  });

  it("reach a callback_error listener for each snapshot", async () => {
    const r = await start();
    const reports: string[] = [];
    r.on("callback_error", (err: Error) => reports.push(err.message));
    await call(r);
    await save(join(tmp.path, "thrower.ts"), thrower("second version broke"));
    await r.reload();
    await call(r);
    expect(reports).toEqual([expect.stringContaining("first version broke"), expect.stringContaining("second version broke")]);
    expect(stderr.filter((l) => l.includes("[CALLBACK_THREW]"))).toEqual([]);
  });
});

describe("rt.stats() counts reloads", () => {
  it("reloads that served and reloads that failed, apart from the logging counts", async () => {
    const r = await start();
    expect(r.stats()).toEqual({ pending: 0, dropped: 0, errors: 0, timeouts: 0, reloads: 0, reload_errors: 0 });
    const failures: ConfigError[] = [];
    r.on("reload_error", (err: ConfigError) => failures.push(err));

    expect(await r.reload()).toBe(true);
    expect(r.stats()).toMatchObject({ reloads: 1, reload_errors: 0 });

    await writeFile(join(tmp.path, "litellm.config.yaml"), `${CONFIG}  bogus_setting: 1\n`);
    expect(await r.reload()).toBe(false);
    expect(failures).toHaveLength(1);
    expect(r.stats()).toMatchObject({ reloads: 1, reload_errors: 1 });
    expect(r.configVersion).toBe(2);
  });
});

describe("GET /health/readiness", () => {
  it("says which config serves: version 1, then 2 after a reload, each with when it was loaded", async () => {
    const r = await start();
    const server = await startServer(r, { port: 0 });
    type Body = { status: string; config: { version: number; loaded_at: string; file: string | null } };
    const ready = async () => (await (await fetch(`${server.url}/health/readiness`)).json()) as Body;
    try {
      const first = await ready();
      expect(first).toMatchObject({ status: "healthy", config: { version: 1, file: "litellm.config.yaml" } });
      expect(new Date(first.config.loaded_at).toISOString()).toBe(first.config.loaded_at);
      expect(first.config.loaded_at).toBe(r.loadedAt.toISOString());

      await new Promise((done) => setTimeout(done, 5));
      expect(await r.reload()).toBe(true);
      const second = await ready();
      expect(second.config.version).toBe(2);
      expect(Date.parse(second.config.loaded_at)).toBeGreaterThan(Date.parse(first.config.loaded_at));

      // A reload that fails changes nothing: the version that serves is still 2.
      r.on("reload_error", () => {});
      await writeFile(join(tmp.path, "litellm.config.yaml"), "model_list: [\n");
      expect(await r.reload()).toBe(false);
      expect((await ready()).config).toEqual(second.config);
    } finally {
      await server.close(1000);
    }
  });
});
