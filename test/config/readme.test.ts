import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";

const readme = readFileSync(new URL("../../src/config/README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

describe("src/config/README.md examples", () => {
  it("has the MultiRouter, the llmux and the cache-and-routes examples", () => {
    expect(blocks).toHaveLength(3);
  });

  it("compiles the cache-and-routes example", () => {
    const { config } = parseConfig(blocks[2] ?? "", { file: "README", env: { OPENAI_KEY_1: "sk-1" } });
    expect(config.smart?.cache.enabled).toBe(true);
    expect(config.smart?.routes.map((rule) => rule.group)).toEqual(["coder", "long", "cheap"]);
    expect(config.smart?.groupCache).toEqual({ coder: false });
  });

  it("compiles the MultiRouter example", () => {
    const { config, warnings } = parseConfig(blocks[0] ?? "", { file: "README", env: { GROQ_KEY_1: "g1" } });
    expect(config.providers.map((p) => p.id)).toEqual(["groq-1", "ollama"]);
    expect(warnings).toHaveLength(1);
    expect(config.groups.map((g) => g.name)).toContain("multirouter-auto");
  });

  it("compiles the llmux example", () => {
    const env = {
      GATEWAY_KEY: "gw",
      OPENAI_KEY_1: "o1",
      OPENAI_KEY_2: "o2",
      ANTHROPIC_API_KEY: "a",
      GROQ_API_KEY: "g",
      AZURE_OPENAI_KEY: "az",
      REDIS_URL: "redis://localhost:6379",
    };
    const { config, warnings } = parseConfig(blocks[1] ?? "", { file: "README", env });
    expect(warnings).toEqual([]);
    expect(
      config.groups.find((g) => g.name === "smart")?.deployments.map((d) => `${d.tier} ${d.id} ${d.weight}`),
    ).toEqual([
      "0 openai-1/gpt-4.1 3",
      "0 openai-2/gpt-4.1 1",
      "0 anthropic-1/claude-sonnet-4-0 2",
      "1 groq-1/llama-3.3-70b-versatile 1",
    ]);
    expect(config.routing).toEqual({
      strategy: "weighted",
      firstTokenTimeoutMs: 60_000,
      streamIdleTimeoutMs: 30_000,
      timeoutMs: 600_000,
      maxAttempts: 8,
      maxWaitMs: 3_000,
      maxQueue: 1000,
      capacityWindowMs: 60_000,
      circuit: { failureThreshold: 3, openMs: 10_000, maxOpenMs: 300_000 },
      cooldown: { backoffBaseMs: 1_000, backoffMaxMs: 60_000, quotaCooldownMs: 3_600_000 },
    });
    expect(config.state.redis).toEqual({ url: "redis://localhost:6379", prefix: "llmux:" });
  });
});
