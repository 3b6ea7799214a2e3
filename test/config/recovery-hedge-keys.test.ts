/** The recovery and hedge keys: prefill per provider / deployment, hedge per group, and their check output. */
import { describe, expect, it } from "vitest";
import { formatPlan, parseConfig } from "../../src/config/index.js";
import { groupsFromSpecs } from "../../src/core/index.js";
import { engineOptionsOf } from "../../src/cli/gateway.js";
import { resolveEngineOptions } from "../../src/core/options.js";
import type { Target } from "../../src/types/index.js";

const text = `routing:
  max_stream_recoveries: 0
  same_tier_wait_ms: 1s
providers:
  - id: claude
    type: anthropic
    api_key: sk-ant-test-0001
    prefill: false
  - id: oai
    type: openai
    api_key: sk-test-0002
models:
  smart:
    hedge_after_ms: 2s
    deployments:
      - oai/gpt-4.1
      - { provider: claude, model: claude-sonnet-4-5, prefill: true }
    fallbacks:
      - claude/claude-haiku-4-5
  calm:
    hedge: false
    deployments: [oai/gpt-4.1-mini]
`;

const parse = (source: string) => parseConfig(source, { file: "t.yaml", env: {} });

describe("config: prefill, hedge, hedge_after_ms, max_stream_recoveries, same_tier_wait_ms", () => {
  it("compiles into the group specs, the engine's groups and options", () => {
    const { config } = parse(text);
    const smart = config.groups.find((g) => g.name === "smart")!;
    const prefill = Object.fromEntries(smart.deployments.map((d) => [d.id, d.prefill]));
    expect(prefill).toEqual({
      "oai/gpt-4.1": "auto",
      "claude/claude-sonnet-4-5": true,
      "claude/claude-haiku-4-5": false,
    });
    expect(smart).toMatchObject({ hedgeAfterMs: 2000 });
    expect(smart.hedge).toBeUndefined();
    expect(config.groups.find((g) => g.name === "calm")).toMatchObject({ hedge: false });
    const target = { provider: "x" } as unknown as Target;
    const groups = groupsFromSpecs(
      config.groups,
      new Map(config.providers.map((p) => [p.id, target] as const)),
    );
    const engineSmart = groups.find((g) => g.name === "smart")!;
    expect(engineSmart.hedgeAfterMs).toBe(2000);
    expect(engineSmart.deployments.map((d) => d.prefill)).toEqual(["auto", true, false]);
    expect(groups.find((g) => g.name === "calm")?.hedge).toBe(false);
    const options = resolveEngineOptions(engineOptionsOf(config));
    expect(options.maxStreamRecoveries).toBe(0);
    expect(options.sameTierWaitMs).toBe(1000);
    expect(resolveEngineOptions({})).toMatchObject({ maxStreamRecoveries: 1, sameTierWaitMs: 3000 });
  });

  it("llmux check shows them", () => {
    const plan = formatPlan(parse(text).config);
    expect(plan).toMatch(/smart \(weighted, hedge after 2000 ms\)/);
    expect(plan).toMatch(/calm \(weighted, no hedge\)/);
    expect(plan).toMatch(/claude\/claude-sonnet-4-5\s+weight 1, prefill true/);
    expect(plan).toMatch(/claude\/claude-haiku-4-5\s+weight 1, prefill false/);
    expect(plan).not.toMatch(/oai\/gpt-4\.1 .*prefill/);
    expect(plan).toContain("maxStreamRecoveries 0, sameTierWaitMs 1000");
  });

  it("a wrong value is reported with file:line and its field", () => {
    const bad = (yaml: string) => () => parse(yaml);
    expect(
      bad(`providers:
  - id: oai
    type: openai
    api_key: sk-test-0002
    prefill: sometimes
`),
    ).toThrow(/t\.yaml:5.*providers\[0\]\.prefill/s);
    expect(
      bad(`providers:
  - id: oai
    type: openai
    api_key: sk-test-0002
models:
  smart:
    hedge: maybe
    deployments: [oai/gpt-4.1]
`),
    ).toThrow(/t\.yaml:7.*models\.smart\.hedge/s);
    expect(
      bad(`providers:
  - id: oai
    type: openai
    api_key: sk-test-0002
models:
  smart:
    hedge_after_ms: soon
    deployments: [oai/gpt-4.1]
`),
    ).toThrow(/t\.yaml:7.*models\.smart\.hedge_after_ms/s);
  });
});
