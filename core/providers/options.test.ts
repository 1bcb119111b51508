import { describe, expect, it } from "vitest";
import { anthropicProvider } from "./anthropic/index.ts";
import { providerFor } from "./index.ts";
import { NO_OPTIONS, OPTION_KEYS, SECRET_OPTIONS, optionsOf } from "./options.ts";
import { resolveModel } from "./resolve.ts";

describe("provider options", () => {
  it("are the registry's routing keys without a field of their own in ResolvedModel", () => {
    expect(["api_version", "azure_ad_token", "organization", "base_url"].filter((k) => !OPTION_KEYS.has(k))).toEqual([]);
    expect(["model", "api_base", "api_key", "mock_response", "messages", "temperature"].filter((k) => OPTION_KEYS.has(k))).toEqual([]);
    expect(SECRET_OPTIONS).toEqual(["azure_ad_token", "client_secret", "azure_password", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_web_identity_token", "vertex_credentials"]);
  });

  it("take the call's over the deployment's, as given; undefined and null are no setting", () => {
    const deployment = optionsOf({ model: "azure/x", api_version: "2024-02-01", organization: "org-d", temperature: 0.1 });
    expect(deployment).toEqual({ api_version: "2024-02-01", organization: "org-d" });
    const call = optionsOf({ model: "a", messages: [], api_version: "2024-10-21", organization: null, azure_ad_token: undefined, region_name: 3 }, deployment);
    expect(call).toEqual({ api_version: "2024-10-21", organization: "org-d", region_name: 3 });
    expect(deployment).toEqual({ api_version: "2024-02-01", organization: "org-d" });
  });

  it("are the deployment's own object when the call gives none, and one shared empty object without any", () => {
    const deployment = Object.freeze(optionsOf({ api_version: "v1" }));
    expect(optionsOf({ model: "a", messages: [], temperature: 1 }, deployment)).toBe(deployment);
    expect(optionsOf({ model: "a" })).toBe(NO_OPTIONS);
    expect(resolveModel({ model: "openai/gpt-4o-mini" }).options).toBe(NO_OPTIONS);
  });

  it("reach the provider through resolveModel unchanged", () => {
    const options = optionsOf({ api_version: "2024-06-01" });
    expect(resolveModel({ model: "azure/gpt", options }).options).toBe(options);
  });
});

describe("provider capabilities", () => {
  it("a provider without embeddings leaves them out; the others have both halves", () => {
    expect([anthropicProvider.embed, anthropicProvider.embeddingRequest]).toEqual([undefined, undefined]);
    const embedding = ["mock", "openai", "azure", "gemini", "ollama", "openai_compatible"].filter((name) => {
      const p = providerFor(name);
      return typeof p.embed !== "function" || typeof p.embeddingRequest !== "function";
    });
    expect(embedding).toEqual([]);
  });
});
