import { describe, expect, it } from "vitest";
import { defaultConfig, formatPlan, parseConfig } from "../../src/config/index.js";

const secrets = {
  OPENAI_KEY: "sk-proj-ZZTOPSECRET0001",
  GROQ_KEY: "gsk_ZZTOPSECRET0002",
  LOCAL_KEY: "plainsecret-ZZ0003",
  HEADER_TOKEN: "hdr-ZZTOPSECRET0004",
  GATEWAY_KEY: "gw-ZZTOPSECRET0005",
  REDIS_PASSWORD: "redispass-ZZ0006",
};

const text = `server:
  auth:
    keys: ["\${GATEWAY_KEY}"]
state:
  redis:
    url: redis://default:\${REDIS_PASSWORD}@cache:6379
routing:
  default_strategy: exhaust
  retry_after_seconds: 60
providers:
  - id: openai-1
    type: openai
    api_key: \${OPENAI_KEY}
    rpm: 500
    tpm: 30000
  - id: groq-1
    type: groq
    api_key: \${GROQ_KEY}
    models: [llama-3.3-70b-versatile]
  - id: local
    type: openai-compatible
    base_url: http://localhost:8000/v1
    api_key: \${LOCAL_KEY}
    headers:
      X-Token: \${HEADER_TOKEN}
    models: [qwen]
  - id: ollama
    type: ollama
    models: [llama3.2]
models:
  smart:
    strategy: weighted
    deployments:
      - { provider: openai-1, model: gpt-4.1, weight: 3, context_window: 1000000 }
    fallbacks:
      - groq-1/llama-3.3-70b-versatile
`;

describe("formatPlan", () => {
  const { config } = parseConfig(text, { file: "c.yaml", env: secrets });
  const plan = formatPlan(config);

  it("never prints a secret", () => {
    for (const secret of Object.values(secrets)) expect(plan).not.toContain(secret);
    expect(plan).not.toContain("ZZ");
  });

  it("prints groups with strategy, tiers and deployments, and providers with type, base URL and models", () => {
    expect(plan).toBe(`Server: 127.0.0.1:4000, auth: 1 key, body limit 32 MiB
  client rate limit: per key unlimited, per IP unlimited
State: redis redis://default:***@cache:6379 (prefix llmux:)
Routing: default strategy priority
  cooldown {"backoffBaseMs":60000,"backoffMaxMs":60000}
Cache: off by default, TTL 10 min, at most 10000 entries / 67108864 bytes in memory
Affinity: on, TTL 5 min; intent headers off; router_metadata in bodies off
Routes (0, first match wins):
  (none: each request uses its model's group)

Groups (6):
  smart (weighted)
    tier 0 (primary)
      openai-1/gpt-4.1                weight 3, rpm 500, tpm 30000, context 1000000
    tier 1 (fallback 1)
      groq-1/llama-3.3-70b-versatile  weight 1
  llama-3.3-70b-versatile (priority, automatic)
    tier 0 (primary)
      groq-1/llama-3.3-70b-versatile  weight 1
  qwen (priority, automatic)
    tier 0 (primary)
      local/qwen  weight 1
  llama3.2 (priority, automatic)
    tier 0 (primary)
      ollama/llama3.2  weight 1
  multirouter-auto (round-robin, automatic)
    tier 0 (primary)
      groq-1/llama-3.3-70b-versatile  weight 1
      local/qwen                      weight 1
      ollama/llama3.2                 weight 1
  llmux-auto (round-robin, automatic)
    tier 0 (primary)
      groq-1/llama-3.3-70b-versatile  weight 1
      local/qwen                      weight 1
      ollama/llama3.2                 weight 1

Providers (4):
  openai-1 (openai)  base URL: (default)  key: set
    models: (none listed)
  groq-1 (groq)  base URL: (default)  key: set
    models: llama-3.3-70b-versatile
  local (openai-compatible)  base URL: http://localhost:8000/v1  key: set
    models: qwen
    headers: X-Token (values hidden)
  ollama (ollama)  base URL: (default)  key: none
    models: llama3.2`);
  });

  it("prints an empty default config", () => {
    expect(formatPlan(defaultConfig({ LLMUX_API_KEYS: "gw-ZZTOPSECRET0005" })))
      .toBe(`Server: 127.0.0.1:4000, auth: 1 key, body limit 32 MiB
  client rate limit: per key unlimited, per IP unlimited
State: in-memory
Routing: default strategy weighted

Groups (0):
  (none)

Providers (0):
  (none)`);
  });
});
