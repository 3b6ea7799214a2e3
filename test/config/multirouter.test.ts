import { describe, expect, it } from "vitest";
import { parseConfig, type GatewayConfig } from "../../src/config/index.js";
import { multirouterEnvExample, multirouterReadmeExample } from "./fixtures/multirouter-readme.js";

function groupIds(config: GatewayConfig): Record<string, string[]> {
  return Object.fromEntries(config.groups.map((g) => [g.name, g.deployments.map((d) => d.id)]));
}

describe("MultiRouter-AI providers.yaml (README example, verbatim)", () => {
  const { config, warnings } = parseConfig(multirouterReadmeExample, {
    file: "providers.yaml",
    env: {},
  });

  it("skips the placeholder keys with a warning and keeps the local keyless-style instance", () => {
    expect(warnings).toEqual([
      'providers.yaml:9:14 providers[0].api_key: looks like a placeholder from an example file: instance "groq-1" skipped',
      'providers.yaml:16:14 providers[1].api_key: looks like a placeholder from an example file: instance "groq-2" skipped',
      'providers.yaml:23:14 providers[2].api_key: looks like a placeholder from an example file: instance "openai-1" skipped',
    ]);
    expect(config.providers).toEqual([
      {
        id: "ollama",
        type: "openai-compatible",
        apiKey: "ollama",
        baseUrl: "http://localhost:11434/v1",
        headers: {},
        models: ["llama3.2"],
        azure: null,
      },
    ]);
  });

  it("maps exhaust to priority and retry_after_seconds to a fixed cooldown", () => {
    expect(config.routing).toEqual({
      strategy: "priority",
      cooldown: { backoffBaseMs: 300_000, backoffMaxMs: 300_000 },
    });
  });

  it("makes the automatic groups", () => {
    expect(groupIds(config)).toEqual({
      "llama3.2": ["ollama/llama3.2"],
      "multirouter-auto": ["ollama/llama3.2"],
      "llmux-auto": ["ollama/llama3.2"],
    });
  });
});

describe("MultiRouter-AI providers.yaml with ${ENV} keys", () => {
  const env = { GROQ_KEY_1: "gsk_live_aaaa1111", OPENAI_API_KEY: "sk-live-bbbb2222" };
  const { config, warnings } = parseConfig(multirouterEnvExample, { file: "providers.yaml", env });

  it("skips the instance whose variable is unset, naming the variable", () => {
    expect(warnings).toEqual([
      'providers.yaml:16:14 providers[1].api_key: is empty: instance "groq-2" skipped (environment variable GROQ_KEY_2 is not set)',
    ]);
    expect(config.providers.map((p) => [p.id, p.apiKey])).toEqual([
      ["groq-1", "gsk_live_aaaa1111"],
      ["openai-1", "sk-live-bbbb2222"],
      ["ollama", "ollama"],
    ]);
  });

  it("makes one group per listed model over every instance listing it, plus multirouter-auto and llmux-auto", () => {
    expect(groupIds(config)).toEqual({
      "llama-3.3-70b-versatile": ["groq-1/llama-3.3-70b-versatile"],
      "llama-3.1-8b-instant": ["groq-1/llama-3.1-8b-instant"],
      "gpt-4o": ["openai-1/gpt-4o"],
      "gpt-4o-mini": ["openai-1/gpt-4o-mini"],
      "llama3.2": ["ollama/llama3.2"],
      "multirouter-auto": [
        "groq-1/llama-3.3-70b-versatile",
        "groq-1/llama-3.1-8b-instant",
        "openai-1/gpt-4o",
        "openai-1/gpt-4o-mini",
        "ollama/llama3.2",
      ],
      "llmux-auto": [
        "groq-1/llama-3.3-70b-versatile",
        "groq-1/llama-3.1-8b-instant",
        "openai-1/gpt-4o",
        "openai-1/gpt-4o-mini",
        "ollama/llama3.2",
      ],
    });
    const strategies = Object.fromEntries(config.groups.map((g) => [g.name, [g.strategy, g.automatic]]));
    expect(strategies["llama-3.3-70b-versatile"]).toEqual(["priority", true]);
    expect(strategies["multirouter-auto"]).toEqual(["round-robin", true]);
    expect(strategies["llmux-auto"]).toEqual(["round-robin", true]);
  });

  it("gives automatic deployments the defaults", () => {
    expect(config.groups[0]?.deployments[0]).toEqual({
      id: "groq-1/llama-3.3-70b-versatile",
      providerId: "groq-1",
      model: "llama-3.3-70b-versatile",
      weight: 1,
      tier: 0,
      rpm: null,
      tpm: null,
      rpd: null,
      contextWindow: null,
      firstTokenTimeoutMs: null,
      streamIdleTimeoutMs: null,
      includeUsage: true,
      quotaGroup: null,
      prefill: "auto",
    });
  });

  it("uses both groq instances in file order once both keys are set", () => {
    const both = parseConfig(multirouterEnvExample, {
      file: "providers.yaml",
      env: { ...env, GROQ_KEY_2: "gsk_live_cccc3333" },
    });
    expect(both.warnings).toEqual([]);
    expect(groupIds(both.config)["llama-3.3-70b-versatile"]).toEqual([
      "groq-1/llama-3.3-70b-versatile",
      "groq-2/llama-3.3-70b-versatile",
    ]);
  });
});

describe("MultiRouter routing options", () => {
  const providers = `
providers:
  - id: c
    type: groq
    api_key: k-c
    models: [shared]
    priority: 2
  - id: a
    type: groq
    api_key: k-a
    models: [shared]
  - id: b
    type: cerebras
    api_key: k-b
    models: [shared, only-b]
    priority: 1
  - id: d
    type: groq
    api_key: k-d
    models: [shared]
`;

  it("orders instances by priority (lower first), then file order; instances without one come last", () => {
    const { config } = parseConfig(providers, { file: "p.yaml", env: {} });
    expect(config.providers.map((p) => p.id)).toEqual(["b", "c", "a", "d"]);
    expect(groupIds(config)["shared"]).toEqual(["b/shared", "c/shared", "a/shared", "d/shared"]);
    expect(groupIds(config)["multirouter-auto"]).toEqual([
      "b/shared",
      "b/only-b",
      "c/shared",
      "a/shared",
      "d/shared",
    ]);
  });

  it("maps default_strategy round-robin to round-robin for the default and every automatic group", () => {
    const { config } = parseConfig(`routing:\n  default_strategy: round-robin\n${providers}`, {
      file: "p.yaml",
      env: {},
    });
    expect(config.routing).toEqual({ strategy: "round-robin" });
    expect(new Set(config.groups.map((g) => g.strategy))).toEqual(new Set(["round-robin"]));
  });

  it("defaults to weighted without a strategy", () => {
    const { config } = parseConfig(providers, { file: "p.yaml", env: {} });
    expect(config.routing).toEqual({ strategy: "weighted" });
    expect(config.groups.find((g) => g.name === "shared")?.strategy).toBe("weighted");
  });

  it("accepts the README quick-start snippet (priority field, placeholder key)", () => {
    const snippet = `providers:
  - id: groq-1
    type: groq
    api_key: gsk_your_key_here      # ← paste your real key
    models:
      - llama-3.3-70b-versatile
    priority: 1
`;
    const { config, warnings } = parseConfig(snippet, { file: "providers.yaml", env: {} });
    expect(config.providers).toEqual([]);
    expect(warnings).toEqual([
      "providers.yaml:1:1 providers: no usable provider instances: every request will fail",
      'providers.yaml:4:14 providers[0].api_key: looks like a placeholder from an example file: instance "groq-1" skipped',
    ]);
  });
});
