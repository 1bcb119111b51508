import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { providerFor, resolveModel } from "./index.ts";

/**
 * Where each provider reads its default key and base: the call's environment
 * (a config runtime's own, `env` of resolveModel) when it has one, else
 * process.env. Built requests only: nothing is sent.
 */

const NAMES = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "OPENAI_API_BASE",
  "OPENAI_ORG_ID",
  "OPENAI_ORGANIZATION",
  "OPENAI_PROJECT_ID",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  "AZURE_API_BASE",
  "AZURE_OPENAI_ENDPOINT",
  "AZURE_API_KEY",
  "AZURE_OPENAI_API_KEY",
  "AZURE_AD_TOKEN",
  "AZURE_API_VERSION",
  "OLLAMA_API_BASE",
];

/** What process.env holds during these tests: each value says it came from the process. */
const PROCESS = {
  OPENAI_API_KEY: "sk-process-openai",
  OPENAI_BASE_URL: "http://process.test/v1",
  OPENAI_ORG_ID: "org-process",
  OPENAI_PROJECT_ID: "proj-process",
  ANTHROPIC_API_KEY: "sk-process-anthropic",
  ANTHROPIC_BASE_URL: "http://process.test",
  AZURE_API_BASE: "https://process.openai.azure.com",
  AZURE_API_KEY: "process-azure-key",
  AZURE_API_VERSION: "2024-01-01",
  OLLAMA_API_BASE: "http://process.test:11434",
};

/** A config's own environment: the same names, other values. */
const CONFIG = {
  OPENAI_API_KEY: "sk-config-openai",
  OPENAI_BASE_URL: "http://config.test/v1",
  OPENAI_ORG_ID: "org-config",
  OPENAI_PROJECT_ID: "proj-config",
  ANTHROPIC_API_KEY: "sk-config-anthropic",
  ANTHROPIC_BASE_URL: "http://config.test",
  AZURE_API_BASE: "https://config.openai.azure.com",
  AZURE_API_KEY: "config-azure-key",
  AZURE_API_VERSION: "2024-02-02",
  OLLAMA_API_BASE: "http://config.test:11434",
};

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  for (const name of NAMES) delete process.env[name];
  Object.assign(process.env, PROCESS);
});
afterEach(() => {
  for (const name of NAMES) delete process.env[name];
  Object.assign(process.env, saved);
});

const OPTS = { stream: false, timeoutMs: 1000, maxRetries: 0 };

function built(model: string, env?: Record<string, string>) {
  const target = resolveModel({ model, env });
  const req = providerFor(target.transport).chatRequest(target, [{ role: "user", content: "hi" }], {}, OPTS);
  return { url: req.url, headers: req.headers, apiKey: req.apiKey };
}

describe("a provider's defaults", () => {
  it.each([
    [
      "openai/gpt-4o-mini",
      {
        url: "http://config.test/v1/chat/completions",
        headers: { "content-type": "application/json", authorization: "Bearer sk-config-openai", "openai-organization": "org-config", "openai-project": "proj-config" },
        apiKey: "sk-config-openai",
      },
      {
        url: "http://process.test/v1/chat/completions",
        headers: { "content-type": "application/json", authorization: "Bearer sk-process-openai", "openai-organization": "org-process", "openai-project": "proj-process" },
        apiKey: "sk-process-openai",
      },
    ],
    [
      "anthropic/claude-sonnet-4-5",
      {
        url: "http://config.test/v1/messages",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "sk-config-anthropic" },
        apiKey: "sk-config-anthropic",
      },
      {
        url: "http://process.test/v1/messages",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "sk-process-anthropic" },
        apiKey: "sk-process-anthropic",
      },
    ],
    [
      "azure/my-deployment",
      {
        url: "https://config.openai.azure.com/openai/deployments/my-deployment/chat/completions?api-version=2024-02-02",
        headers: { "content-type": "application/json", "api-key": "config-azure-key" },
        apiKey: "config-azure-key",
      },
      {
        url: "https://process.openai.azure.com/openai/deployments/my-deployment/chat/completions?api-version=2024-01-01",
        headers: { "content-type": "application/json", "api-key": "process-azure-key" },
        apiKey: "process-azure-key",
      },
    ],
    [
      "ollama/llama3",
      { url: "http://config.test:11434/v1/chat/completions", headers: { "content-type": "application/json" }, apiKey: undefined },
      { url: "http://process.test:11434/v1/chat/completions", headers: { "content-type": "application/json" }, apiKey: undefined },
    ],
  ])("%s: from the call's environment when it has one, else from process.env", (model, fromConfig, fromProcess) => {
    expect(built(model, CONFIG)).toEqual(fromConfig);
    expect(built(model)).toEqual(fromProcess);
  });

  it("a variable the call's environment lacks is unset for it: the config's environment is whole, not a fallback to process.env", () => {
    expect(built("openai/gpt-4o-mini", { OPENAI_BASE_URL: "http://config.test/v1" }).apiKey).toBeUndefined();
  });
});
