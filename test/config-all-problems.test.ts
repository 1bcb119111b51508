import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, createRuntime, validateConfig, type ConfigIssue } from "../core/index.ts";

/**
 * Every problem of a config at once: each `test/fixtures/all-problems/<case>/`
 * holds a config and an `expected.json` listing every issue, in reading order,
 * with its place. A missing variable is one problem among the others: the rest
 * of the file is still checked, and what only follows from it is not reported.
 * Checked through `validateConfig` and through `createRuntime`, which must agree.
 */

interface Expected {
  code: string;
  path: string;
  line: number;
  col: number;
  /** Text the message must contain. */
  mentions: string;
}

interface Case {
  description: string;
  unset: string[];
  errors: Expected[];
}

const ROOT = resolve(import.meta.dirname, "fixtures/all-problems");
const cases = readdirSync(ROOT).map((name) => ({ name, dir: join(ROOT, name), spec: JSON.parse(readFileSync(join(ROOT, name, "expected.json"), "utf8")) as Case }));

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const placed = (issues: readonly ConfigIssue[]) => issues.map(({ code, path, line, col }) => ({ code, path, line, col }));

function checkMessages(issues: readonly ConfigIssue[], spec: Case, file: string): void {
  spec.errors.forEach((e, i) => {
    expect(issues[i]!.file).toBe(file);
    expect(issues[i]!.message).toContain(e.mentions);
  });
}

describe("every problem of a config at once", () => {
  it("has its cases", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(["cascade", "deferred", "five-problems", "include-path"]);
  });

  for (const { name, dir, spec } of cases) {
    const file = join(dir, "litellm.config.yaml");

    it(`${name}: ${spec.description} (validateConfig)`, async () => {
      for (const key of spec.unset) delete process.env[key];
      const result = await validateConfig(file);
      expect(result.valid).toBe(false);
      expect(placed(result.errors)).toEqual(spec.errors.map(({ code, path, line, col }) => ({ code, path, line, col })));
      checkMessages(result.errors, spec, file);
    });

    it(`${name}: the runtime refuses it with the same problems, each at file:line:col`, async () => {
      for (const key of spec.unset) delete process.env[key];
      const err = await createRuntime({ config: file }).then(
        async (rt) => {
          await rt.close();
          return expect.unreachable("the config should not load");
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues;
      expect(placed(issues)).toEqual(spec.errors.map(({ code, path, line, col }) => ({ code, path, line, col })));
      checkMessages(issues, spec, file);
      for (const e of spec.errors) expect((err as ConfigError).message).toContain(`${file}:${e.line}:${e.col}`);
    });
  }
});
