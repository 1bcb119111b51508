import { describe, expect, it } from "vitest";
import { resolveEnvRefs, resolveString } from "./env.ts";
import { locator, parseYaml } from "./parse.ts";

const ENV = { HOST: "example.test", PORT: "9090", EMPTY: "", DIGITS: "0123", FLAG: "TRUE", KEY: "sk-1" };

function resolve(value: string): { out: string; missing: string[] } {
  const missing: string[] = [];
  return { out: resolveString(value, ENV, (n) => missing.push(n)), missing };
}

describe("resolveString", () => {
  it.each([
    ["os.environ/KEY", "sk-1"],
    ["${HOST}", "example.test"],
    ["http://${HOST}:${PORT}/v1", "http://example.test:9090/v1"],
    ["${UNSET:-fallback value}", "fallback value"],
    ["${EMPTY:-used when empty}", "used when empty"],
    ["${PORT:-1}", "9090"],
    ["${UNSET:-}", ""],
    ["$${HOST} is literal", "${HOST} is literal"],
    ["pa$$word and $HOST stay", "pa$$word and $HOST stay"],
    ["prefix os.environ/KEY", "prefix os.environ/KEY"], // LiteLLM's form only as the whole value
    ["${1BAD} and ${} and ${OPEN", "${1BAD} and ${} and ${OPEN"], // not references: left as written
  ])("%s -> %s", (input, expected) => {
    expect(resolve(input)).toEqual({ out: expected, missing: [] });
  });

  it("reports every unset variable without a default", () => {
    expect(resolve("${A}-${HOST}-${B}-${C:-c}")).toEqual({ out: "-example.test--c", missing: ["A", "B"] });
    expect(resolve("os.environ/NOPE").missing).toEqual(["NOPE"]);
  });
});

describe("resolveEnvRefs", () => {
  const text = [
    "port: ${PORT}", //                      1 unquoted whole reference: a number
    'quoted: "${PORT}"', //                  2 quoted: a string
    "flag: ${FLAG}", //                      3 a boolean
    "digits_key: os.environ/DIGITS", //      4 LiteLLM's form: always a string
    "mixed: ${PORT}s", //                    5 text around it: a string
    "default_num: ${UNSET:-0.5}", //         6
    "list: ['${PORT}', \"${PORT}\"]", //    7 inside [...] a reference must be quoted ({ is YAML syntax there)
    "${HOST}: keys are not resolved", //     8
    "missing: ${NOPE}", //                   9
  ].join("\n");

  it("types only unquoted values that are one whole ${...} reference", () => {
    const { data, locate } = parseYaml(text, "/x/c.yaml");
    const { issues, unresolved } = resolveEnvRefs(data, locate, ENV);
    expect(data).toEqual({
      port: 9090,
      quoted: "9090",
      flag: true,
      digits_key: "0123",
      mixed: "9090s",
      default_num: 0.5,
      list: ["9090", "9090"],
      "${HOST}": "keys are not resolved",
      missing: "${NOPE}", // left as written: the rest of the file is still checked
    });
    expect(issues).toMatchObject([{ code: "CONFIG_ENV_MISSING", file: "/x/c.yaml", line: 9, col: 1, path: "missing" }]);
    expect(issues[0]!.message).toContain("NOPE");
    expect(unresolved).toEqual(["missing"]);
  });

  it("never types values of objects (JSON-like inline configs, .ts configs)", () => {
    const data = { general_settings: { port: "${PORT}" } };
    expect(resolveEnvRefs(data, locator(data, null), ENV)).toEqual({ issues: [], unresolved: [], fromEnv: [["general_settings", "port"]] });
    expect(data.general_settings.port).toBe("9090");
  });

  it("keeps a value with any unset variable whole, and does not report a deferred one again", () => {
    const data = { a: "http://${HOST}:${NOPE}/v1", b: "os.environ/LATER", c: "${HOST}" };
    const { issues, unresolved } = resolveEnvRefs(data, locator(data, null), ENV, { deferred: new Set(["LATER"]) });
    expect(data).toEqual({ a: "http://${HOST}:${NOPE}/v1", b: "os.environ/LATER", c: "example.test" });
    expect(issues.map((i) => i.path)).toEqual(["a"]);
    expect(unresolved).toEqual(["a", "b"]);
  });
});
