import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { formatPlan } from "../../src/config/format-plan.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { chat, gatewayFromYaml } from "./helpers.js";

let sim: Simulator;
let gateway: RunningGateway;

const yaml = (url: string) => `
server: { port: 0 }
routing: { metadata_in_body: true }
providers:
  - { id: a, type: openai-compatible, base_url: "${url}", api_key: key-a, models: [cheap-model, coder-model, long-model, json-model, vip-model] }
models:
  cheap: { deployments: [a/cheap-model] }
  coder: { deployments: [a/coder-model] }
  long: { deployments: [a/long-model] }
  json: { deployments: [a/json-model] }
  vip: { deployments: [a/vip-model] }
routes:
  - name: vip-header
    match: { model: auto, headers: { x-tier: gold } }
    group: vip
  - name: structured
    match: { model: auto, response_format: [json_object, json_schema] }
    group: json
  - name: code
    match: { model: auto, intent: code_gen, min_confidence: 0.3 }
    group: coder
  - name: long-prompts
    match: { model: auto, min_prompt_tokens: 2000 }
    group: long
  - name: tagged
    match: { metadata: { team: research } }
    group: long
  - name: default
    match: { model: auto }
    group: cheap
`;

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {} }, requireKnownKeys: true });
  gateway = await gatewayFromYaml(yaml(sim.url));
});
afterAll(async () => {
  await gateway.close(200);
  await sim.close();
});
beforeEach(() => sim.reset());

function lastUpstreamModel(): string | null {
  return sim.requests.at(-1)?.model ?? null;
}

const user = (content: string) => [{ role: "user", content }];

describe("route rules through the gateway (first match wins)", () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string, string][] = [
    ["a header", { messages: user("hello") }, { "x-tier": "gold" }, "vip-header", "vip-model"],
    [
      "a JSON response format",
      { messages: user("list three colours"), response_format: { type: "json_object" } },
      {},
      "structured",
      "json-model",
    ],
    [
      "code intent",
      { messages: user("Write a Python function that parses a CSV file and returns a list of dicts.") },
      {},
      "code",
      "coder-model",
    ],
    ["a long prompt", { messages: user("tell me a story. ".repeat(600)) }, {}, "long-prompts", "long-model"],
    ["nothing special", { messages: user("hi there, how are you?") }, {}, "default", "cheap-model"],
  ];
  for (const [what, body, headers, rule, model] of cases) {
    it(`${what} → ${rule}`, async () => {
      const answer = await chat(gateway, { model: "auto", ...body }, headers);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-llmux-route-rule")).toBe(rule);
      expect(lastUpstreamModel()).toBe(model);
      expect(answer.headers.get("x-llmux-intent")).toMatch(/^[a-z_]+$/);
      expect(Number(answer.headers.get("x-llmux-intent-confidence"))).toBeGreaterThan(0);
      const parsed = JSON.parse(answer.text) as { router_metadata?: Record<string, unknown> };
      expect(parsed.router_metadata).toMatchObject({
        route_rule: rule,
        intent: answer.headers.get("x-llmux-intent"),
      });
    });
  }

  it("a request to a real group that matches no rule goes to its group, still with intent headers", async () => {
    const answer = await chat(gateway, { model: "coder", messages: user("hi") });
    expect(answer.headers.get("x-llmux-route-rule")).toBeNull();
    expect(answer.headers.get("x-llmux-intent")).toBe("chat_lite");
    expect(lastUpstreamModel()).toBe("coder-model");
  });

  it("metadata conditions match the body's metadata", async () => {
    const answer = await chat(gateway, {
      model: "cheap",
      messages: user("hi"),
      metadata: { team: "research" },
    });
    expect(answer.headers.get("x-llmux-route-rule")).toBe("tagged");
    expect(lastUpstreamModel()).toBe("long-model");
  });

  it("streams carry the headers too (no router_metadata in a stream)", async () => {
    const answer = await chat(
      gateway,
      { model: "auto", messages: user("hi"), stream: true },
      { "x-tier": "gold" },
    );
    expect(answer.headers.get("x-llmux-route-rule")).toBe("vip-header");
    expect(answer.headers.get("x-llmux-intent")).toBe("chat_lite");
    expect(answer.text).not.toContain("router_metadata");
    expect(answer.text).toContain("data: [DONE]");
  });
});

describe("route rules in the config", () => {
  function problems(text: string): string {
    try {
      parseConfig(text, { file: "llmux.yaml", env: {} });
    } catch (error) {
      return String(error);
    }
    return "";
  }
  const head = `providers:
  - { id: a, type: openai-compatible, base_url: "http://127.0.0.1:1", api_key: k, models: [m] }
models:
  coder: { deployments: [a/m] }
routes:
`;

  it("a bad intent label is an error with file:line", () => {
    const message = problems(`${head}  - match: { model: auto, intent: code_generation }
    group: coder
`);
    expect(message).toMatch(/llmux\.yaml:6:\d+ routes\[0\]\.match\.intent/);
    expect(message).toContain("code_gen");
  });

  it("an unknown group and an impossible token range are errors with file:line", () => {
    const message = problems(`${head}  - match: { min_prompt_tokens: 10, max_prompt_tokens: 5 }
    group: coder
  - match: { model: auto }
    group: codr
`);
    expect(message).toMatch(/llmux\.yaml:6:\d+ routes\[0\]\.match\.max_prompt_tokens: must not be below/);
    expect(message).toMatch(/llmux\.yaml:9:\d+ routes\[1\]\.group: unknown model group "codr".*coder/);
  });

  it("an unknown field in a rule is reported with a suggestion", () => {
    const text = `providers:
  - { id: a, type: openai-compatible, base_url: "http://127.0.0.1:1", api_key: k, models: [m] }
routes:
  - match: { modle: auto }
    group: m
`;
    expect(() => parseConfig(text, { file: "llmux.yaml", env: {} })).toThrow(
      /llmux\.yaml:4:\d+ routes\[0\]\.match\.modle.*model/,
    );
  });

  it("compiles the issue's example as written", () => {
    const text = `providers:
  - { id: openai-1, type: openai, api_key: sk-x }
cache:
  enabled: true
  ttl_ms: 10m
  max_entries: 10000
routing:
  affinity: { ttl_ms: 5m }
routes:
  - match: { model: auto, intent: code_gen }
    group: coder
  - match: { model: auto, min_prompt_tokens: 20000 }
    group: long
  - match: { model: auto }
    group: cheap
models:
  coder: { deployments: [openai-1/gpt-4.1], cache: false }
  long: { deployments: [openai-1/gpt-4.1] }
  cheap: { deployments: [openai-1/gpt-4.1-mini] }
`;
    const { config } = parseConfig(text, { file: "llmux.yaml", env: {} });
    expect(config.smart?.cache).toMatchObject({ enabled: true, ttlMs: 600_000, maxEntries: 10_000 });
    expect(config.smart?.groupCache).toEqual({ coder: false });
    expect(config.smart?.affinity).toEqual({ enabled: true, ttlMs: 300_000 });
    expect(config.smart?.routes.map((r) => [r.name, r.group])).toEqual([
      ["routes[0]", "coder"],
      ["routes[1]", "long"],
      ["routes[2]", "cheap"],
    ]);
    expect(config.smart?.intentHeaders).toBe(true);
    // llmux check prints them, in order.
    const plan = formatPlan(config);
    expect(plan).toContain("Cache: on by default (coder off), TTL 10 min");
    expect(plan).toContain("Affinity: on, TTL 5 min");
    expect(plan).toContain(
      [
        "Routes (3, first match wins):",
        "  1. model auto, intent code_gen → coder",
        "  2. model auto, prompt ≥ 20000 tokens → long",
        "  3. model auto → cheap",
      ].join("\n"),
    );
  });
});
