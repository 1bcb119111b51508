// 200 edits of a served config and of its callback module, every kind of save editors and tools make, while a client
// keeps calling: the server always ends up serving exactly the last content written, no request fails, and the
// process holds no more files or watchers at the end than at the start.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, symlink, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { afterAll, describe, expect, it, vi } from "vitest";
import { useTempDir } from "./support/kit.ts";
import { tsArgs } from "./support/run-ts.ts";

const MAIN = resolve("core/cli/main.ts");
const EDITS = 200;

const tmp = useTempDir("litellm-reload-stress-", { per: "suite" });
let child: ChildProcessWithoutNullStreams | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

/** Deterministic randomness, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type SaveKind = (file: string, text: string) => Promise<void>;

/** Every way a file gets saved in point 1 of the issue: editors, tools, ConfigMaps. */
const SAVES: Record<string, SaveKind> = {
  write: (file, text) => writeFile(file, text),
  rename: async (file, text) => {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  },
  vim: async (file, text) => {
    await rename(file, `${file}~`).catch(() => undefined);
    await writeFile(file, text);
    await unlink(`${file}~`).catch(() => undefined);
  },
  jetbrains: async (file, text) => {
    await writeFile(`${file}___jb_tmp___`, text);
    await rename(file, `${file}___jb_old___`).catch(() => undefined);
    await rename(`${file}___jb_tmp___`, file);
    await unlink(`${file}___jb_old___`).catch(() => undefined);
  },
  truncate: async (file, text) => {
    await writeFile(file, text.slice(0, Math.floor(text.length / 3)));
    await sleep(10);
    await writeFile(file, text);
  },
  cp: async (file, text) => {
    await writeFile(`${file}.src`, text);
    await copyFile(`${file}.src`, file);
  },
  recreate: async (file, text) => {
    await unlink(file).catch(() => undefined);
    await sleep(5);
    await writeFile(file, text);
  },
  // A Kubernetes ConfigMap: the file is a symlink through `..data`, which is swapped to a new folder atomically.
  symlinkSwap: async (file, text) => {
    const base = file.slice(file.lastIndexOf("/") + 1);
    const folder = join(tmp.path, `..${Date.now()}_${Math.random().toString(36).slice(2, 8)}`);
    await mkdir(folder);
    await writeFile(join(folder, base), text);
    const data = join(tmp.path, `..data-${base}`);
    await symlink(folder, `${data}.tmp`);
    await rename(`${data}.tmp`, data);
    const linked = await linkTarget(file);
    if (linked !== join(data, base)) {
      await symlink(join(data, base), `${file}.lnk`);
      await rename(`${file}.lnk`, file);
    }
  },
};

async function linkTarget(file: string): Promise<string | undefined> {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

const configText = (alias: string) => `model_list:
  - model_name: stable
    litellm_params:
      model: mock/stable
      mock_response: "steady"
  - model_name: ${alias}
    litellm_params:
      model: mock/${alias}
      mock_response: "answer from ${alias}"
litellm_settings:
  success_callback: [./version.ts]
general_settings:
  reload_poll_interval: 1
`;

const moduleText = (version: string) => `import { appendFileSync } from "node:fs";
export default function version(kwargs: any) {
  appendFileSync(process.env.STRESS_OUT + "/versions.log", kwargs.model + " ${version}\\n");
}
`;

/** Files and watchers the process holds (sockets and pipes left out: client connections come and go). */
function heldFiles(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (!link.startsWith("socket:") && !link.startsWith("pipe:")) out.push(link);
    } catch {
      // closed while we looked
    }
  }
  return out.sort();
}

describe("hot reload under 200 edits of every kind", () => {
  it("serves the last content written after each burst, fails no request and holds no more files at the end", { timeout: 180_000 }, async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    const module = join(tmp.path, "version.ts");
    let alias = "m-0";
    let version = "v-0";
    await writeFile(file, configText(alias));
    await writeFile(module, moduleText(version));
    await writeFile(join(tmp.path, "versions.log"), "");

    child = spawn(process.execPath, tsArgs(MAIN, "serve", "--port", "0", "--config", file), { cwd: tmp.path, env: { ...process.env, NO_COLOR: "1", STRESS_OUT: tmp.path } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    await vi.waitFor(() => expect(stdout).toMatch(/serving http:\/\/\S+/), { timeout: 30_000, interval: 50 });
    const baseURL = `${/serving (http:\/\/\S+)/.exec(stdout)![1]}/v1`;
    const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0 });

    const before = heldFiles(child.pid!);
    let failures: unknown[] = [];
    let sent = 0;
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        sent++;
        await client.chat.completions.create({ model: "stable", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => failures.push(e));
        await sleep(5);
      }
    })();

    const rand = random(14);
    const kinds = Object.keys(SAVES);
    const served = async () => {
      const models = (await client.models.list()).data.map((m) => m.id).sort();
      expect(models).toEqual(["stable", alias].sort());
      const answer = await client.chat.completions.create({ model: alias, messages: [{ role: "user", content: "which?" }] });
      expect(answer.choices[0]!.message.content).toBe(`answer from ${alias}`);
      await vi.waitFor(async () => {
        const lines = (await readFile(join(tmp.path, "versions.log"), "utf8")).trim().split("\n");
        expect(lines.filter((l) => l.startsWith(`${alias} `)).at(-1)).toBe(`${alias} ${version}`);
      }, { timeout: 300, interval: 10 });
    };

    let slowest = 0;
    const times: number[] = [];
    for (let i = 1; i <= EDITS; i++) {
      const kind = kinds[Math.floor(rand() * kinds.length)]!;
      if (rand() < 0.5) {
        alias = `m-${i}`;
        await SAVES[kind]!(file, configText(alias));
      } else {
        version = `v-${i}`;
        await SAVES[kind]!(module, moduleText(version));
      }
      await sleep(Math.floor(rand() * 100));
      if (i % 10 === 0) {
        // The burst has settled: the server must come to serve exactly what was written last.
        const t0 = performance.now();
        await vi.waitFor(served, { timeout: 5000, interval: 25 });
        slowest = Math.max(slowest, performance.now() - t0);
        times.push(performance.now() - t0);
      }
    }
    stop = true;
    await traffic;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    // Replaced snapshots are released within their grace period; the watchers are one per folder, as at the start.
    await vi.waitFor(() => expect(heldFiles(child!.pid!)).toEqual(before), { timeout: 10_000, interval: 100 });
    expect(stderr).not.toMatch(/watching .* failed/);
    child.kill("SIGTERM");
    // The figure for the closing note; the bound that matters is the waitFor above.
    process.stdout.write(`reload stress: settle times ${times.map((t) => t.toFixed(0)).join(" ")}\n`);
    process.stdout.write(`reload stress: slowest settle-to-serving ${slowest.toFixed(0)} ms over ${EDITS / 10} bursts\n`);
    failures = [];
  });
});
