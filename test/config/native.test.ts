import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type GatewayConfig } from "../../src/config/index.js";
import type { DeploymentSpec } from "../../src/types/index.js";
import { issuesOf } from "./issues.js";

const native = readFileSync(new URL("./fixtures/native.yaml", import.meta.url), "utf8");
const env = {
  OPENAI_KEY_1: "sk-one-0000000001",
  OPENAI_KEY_2: "sk-two-0000000002",
  ANTHROPIC_API_KEY: "sk-ant-three-0003",
  GROQ_API_KEY: "gsk_four_00000004",
};

function tiers(config: GatewayConfig, name: string): string[][] {
  const group = config.groups.find((g) => g.name === name);
  const out: string[][] = [];
  for (const d of group?.deployments ?? []) (out[d.tier] ??= []).push(`${d.id} w${d.weight}`);
  return out;
}

function deployment(config: GatewayConfig, group: string, id: string): DeploymentSpec | undefined {
  return config.groups.find((g) => g.name === group)?.deployments.find((d) => d.id === id);
}

describe("the llmux form", () => {
  const { config, warnings } = parseConfig(native, { file: "llmux.yaml", env });

  it("compiles deployments + fallbacks into tiers, with weights and shorthand", () => {
    expect(warnings).toEqual([]);
    expect(tiers(config, "smart")).toEqual([
      ["openai-1/gpt-4.1 w3", "openai-2/gpt-4.1 w1", "anthropic-1/claude-sonnet-4-0 w2"],
      ["groq-1/llama-3.3-70b-versatile w1"],
    ]);
    expect(config.groups.find((g) => g.name === "smart")).toMatchObject({
      strategy: "weighted",
      automatic: false,
    });
  });

  it("compiles explicit tiers and a group strategy", () => {
    expect(tiers(config, "fast")).toEqual([
      ["groq-1/llama-3.3-70b-versatile w1"],
      ["openai-1/gpt-4.1-mini w1", "openai-2/gpt-4.1-mini w1"],
    ]);
    expect(config.groups.find((g) => g.name === "fast")?.strategy).toBe("priority");
  });

  it("uses provider-level limits as deployment defaults", () => {
    expect(deployment(config, "smart", "openai-1/gpt-4.1")).toMatchObject({
      rpm: 500,
      tpm: null,
      contextWindow: null,
    });
    expect(deployment(config, "smart", "anthropic-1/claude-sonnet-4-0")).toMatchObject({
      rpm: null,
      contextWindow: 200_000,
    });
  });

  it("lists groups explicit first, then automatic ones", () => {
    expect(config.groups.map((g) => [g.name, g.automatic])).toEqual([
      ["smart", false],
      ["fast", false],
      ["llama-3.3-70b-versatile", true],
      ["multirouter-auto", true],
      ["llmux-auto", true],
    ]);
  });

  it("compiles server, routing and defaults", () => {
    expect(config.server).toEqual({
      host: "0.0.0.0",
      port: 8080,
      bodyLimitBytes: 20 * 1024 * 1024,
      auth: { keys: ["team-key-1"], publicStatus: false, publicMetrics: false },
      rateLimit: { perKeyRpm: 600, perIpRpm: null },
      shutdownGraceMs: 10_000,
      maxJsonDepth: 128,
      bodyTimeoutMs: 30_000,
      requestReadTimeoutMs: 60_000,
    });
    expect(config.routing).toEqual({
      strategy: "weighted",
      firstTokenTimeoutMs: 20_000,
      maxAttempts: 6,
      circuit: { failureThreshold: 3 },
    });
    expect(config.state).toEqual({ redis: null });
    expect(config.logging).toEqual({ level: "info", format: "json" });
  });

  it("returns a frozen plan", () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.groups[0]?.deployments[0])).toBe(true);
  });

  it("drops deployments of an instance skipped for a missing key, with a warning", () => {
    const partial = parseConfig(native, {
      file: "llmux.yaml",
      env: { ...env, ANTHROPIC_API_KEY: undefined },
    });
    expect(partial.warnings).toEqual([
      'llmux.yaml:28:14 providers[2].api_key: is empty: instance "anthropic-1" skipped (environment variable ANTHROPIC_API_KEY is not set)',
      'llmux.yaml:40:9 models.smart.deployments[2]: deployment "anthropic-1/claude-sonnet-4-0" dropped: provider "anthropic-1" was skipped (no usable API key)',
    ]);
    expect(tiers(partial.config, "smart")).toEqual([
      ["openai-1/gpt-4.1 w3", "openai-2/gpt-4.1 w1"],
      ["groq-1/llama-3.3-70b-versatile w1"],
    ]);
  });

  it("renumbers tiers when a whole tier is dropped", () => {
    const { config: noGroq } = parseConfig(native, { file: "llmux.yaml", env: { ...env, GROQ_API_KEY: "" } });
    expect(tiers(noGroq, "fast")).toEqual([["openai-1/gpt-4.1-mini w1", "openai-2/gpt-4.1-mini w1"]]);
  });

  it("is an error when every deployment of a group is dropped", () => {
    const run = () =>
      parseConfig(native, { file: "llmux.yaml", env: { ANTHROPIC_API_KEY: "sk-ant-three-0003" } });
    expect(run).toThrow(ConfigError);
    expect(issuesOf(run)).toEqual([
      {
        file: "llmux.yaml",
        line: 45,
        column: 3,
        path: "models.fast",
        message:
          'group "fast" has no usable deployments: every provider it uses was skipped for a missing API key (groq-1, openai-1, openai-2)',
      },
    ]);
  });
});

describe("groups", () => {
  const providers = `providers:
  - id: groq-1
    type: groq
    api_key: k1
    models: [llama-3.3-70b-versatile]
  - id: groq-2
    type: groq
    api_key: k2
    models: [llama-3.3-70b-versatile]
    rpm: 30
`;

  it("lets an explicit group replace the automatic group of the same name", () => {
    const text = `${providers}models:
  llama-3.3-70b-versatile:
    strategy: round-robin
    deployments:
      - groq-2/llama-3.3-70b-versatile
      - { provider: groq-1, model: llama-3.3-70b-versatile, weight: 2, rpm: 10, include_usage: false }
`;
    const { config } = parseConfig(text, { file: "c.yaml", env: {} });
    const groups = config.groups.filter((g) => g.name === "llama-3.3-70b-versatile");
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ strategy: "round-robin", automatic: false });
    expect(groups[0]?.deployments.map((d) => [d.id, d.weight, d.rpm, d.includeUsage])).toEqual([
      ["groq-2/llama-3.3-70b-versatile", 1, 30, true],
      ["groq-1/llama-3.3-70b-versatile", 2, 10, false],
    ]);
  });

  it("reads a fallbacks entry that is a list as one tier, and splits shorthand at the first slash", () => {
    const text = `providers:
  - id: a
    type: openrouter
    api_key: k
models:
  g:
    deployments: [a/meta-llama/llama-3.3-70b-instruct]
    fallbacks:
      - [a/x, a/y]
      - a/z
`;
    const { config } = parseConfig(text, { file: "c.yaml", env: {} });
    expect(tiers(config, "g")).toEqual([
      ["a/meta-llama/llama-3.3-70b-instruct w1"],
      ["a/x w1", "a/y w1"],
      ["a/z w1"],
    ]);
    expect(deployment(config, "g", "a/meta-llama/llama-3.3-70b-instruct")?.model).toBe(
      "meta-llama/llama-3.3-70b-instruct",
    );
  });

  it("gives a group without a strategy the default strategy", () => {
    const text = `routing:\n  default_strategy: exhaust\n${providers}models:\n  g:\n    deployments: [groq-1/m]\n`;
    const { config } = parseConfig(text, { file: "c.yaml", env: {} });
    expect(config.groups.find((g) => g.name === "g")?.strategy).toBe("priority");
  });
});

describe("azure", () => {
  it("fills api_version and the deployment map (default: the model name)", () => {
    const text = `providers:
  - id: azure-eu
    type: azure
    base_url: https://my-resource.openai.azure.com
    api_key: \${AZURE_KEY}
    models: [gpt-4.1]
    deployments:
      gpt-4o: prod-gpt4o
`;
    const { config, warnings } = parseConfig(text, { file: "c.yaml", env: { AZURE_KEY: "azure-secret" } });
    expect(warnings).toEqual([]);
    expect(config.providers[0]).toEqual({
      id: "azure-eu",
      type: "azure",
      apiKey: "azure-secret",
      baseUrl: "https://my-resource.openai.azure.com",
      headers: {},
      models: ["gpt-4.1", "gpt-4o"],
      azure: { apiVersion: "2024-10-21", deployments: { "gpt-4.1": "gpt-4.1", "gpt-4o": "prod-gpt4o" } },
    });
  });
});
