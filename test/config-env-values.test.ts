// Values given through the environment, as LiteLLM users write them: typed where the schema wants a type, left alone where a key has no effect.
import { describe, expect, it } from "vitest";
import { loadConfig, ConfigError, CONFIG_ERROR_CODES } from "../core/index.ts";

const base = (extra: Record<string, unknown>, env: Record<string, string>) => ({
  environment_variables: env,
  model_list: [{ model_name: "m", litellm_params: { model: "mock/m", api_key: "os.environ/DIGITS_KEY" } }],
  ...extra,
});

describe("os.environ/NAME where the schema wants a number or a boolean", () => {
  it("is read as one: a Redis port, a boolean setting; a string setting keeps its text", async () => {
    const loaded = await loadConfig(
      base(
        { litellm_settings: { cache: "os.environ/CACHE_ON", cache_params: { type: "redis", host: "os.environ/REDIS_HOST", port: "os.environ/REDIS_PORT" }, turn_off_message_logging: "os.environ/QUIET" } },
        { REDIS_HOST: "127.0.0.1", REDIS_PORT: "6379", QUIET: "True", CACHE_ON: "false", DIGITS_KEY: "12345" },
      ),
    );
    const settings = loaded.config.litellm_settings!;
    expect(settings.cache_params).toMatchObject({ host: "127.0.0.1", port: 6379 });
    expect([settings.turn_off_message_logging, settings.cache]).toEqual([true, false]);
    // api_key wants a string: digits stay the text they were.
    expect(loaded.config.model_list![0]!.litellm_params.api_key).toBe("12345");
  });

  it("is an error at its path when its text is not one, naming what it found", async () => {
    const err = await loadConfig(base({ litellm_settings: { cache_params: { type: "redis", port: "os.environ/REDIS_PORT" } } }, { REDIS_PORT: "63x9", DIGITS_KEY: "k" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([[CONFIG_ERROR_CODES.invalidValue, "litellm_settings.cache_params.port"]]);
    expect(issues[0]!.message).toContain('found "63x9"');
  });
});

describe("keys LiteLLM knows that have no effect here", () => {
  it("keep their references as written: a variable they name need not exist, and the warning still names them", async () => {
    delete process.env.LLRT_NEVER_SET_DATABASE_URL;
    const loaded = await loadConfig(
      base({ general_settings: { database_url: "os.environ/LLRT_NEVER_SET_DATABASE_URL", litellm_license: "os.environ/LLRT_NEVER_SET_DATABASE_URL" } }, { DIGITS_KEY: "k" }),
    );
    expect((loaded.config.general_settings as Record<string, unknown>).database_url).toBe("os.environ/LLRT_NEVER_SET_DATABASE_URL");
    expect(loaded.warnings.map((w) => w.code)).toEqual([CONFIG_ERROR_CODES.ignoredKeys]);
    expect(loaded.warnings[0]!.message).toContain("general_settings.database_url");
  });

  it("while the same variable in a key that acts is still reported missing", async () => {
    delete process.env.LLRT_NEVER_SET_REDIS_HOST;
    const err = await loadConfig(base({ litellm_settings: { cache_params: { type: "redis", host: "os.environ/LLRT_NEVER_SET_REDIS_HOST" } } }, { DIGITS_KEY: "k" })).catch((e: unknown) => e);
    expect((err as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([[CONFIG_ERROR_CODES.missingEnv, "litellm_settings.cache_params.host"]]);
  });
});

describe("a quoted ${NAME} where the schema wants a number", () => {
  it("is read as one too (JSON and quoted YAML keep references as strings)", async () => {
    const loaded = await loadConfig(base({ litellm_settings: { cache_params: { type: "redis", port: "${REDIS_PORT}" } } }, { REDIS_PORT: "6380", DIGITS_KEY: "k" }));
    expect(loaded.config.litellm_settings!.cache_params).toMatchObject({ port: 6380 });
  });
});
