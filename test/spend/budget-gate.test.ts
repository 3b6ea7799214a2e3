import { describe, expect, it } from "vitest";
import {
  gateByBudget,
  routeHeaders,
  spendEstimate,
  type BudgetCandidate,
} from "../../src/core/spend/index.js";
import {
  BudgetExceededError,
  BudgetExhaustedError,
  InvalidApiKeyError,
  KeyRateLimitedError,
  LlmuxError,
  ModelNotAllowedError,
} from "../../src/errors/index.js";
import { flatPrice } from "../../src/providers/pricing/index.js";

const tokens = { prompt: 1000, output: 1000 };
function candidate(id: string, input: number | null, output = input ?? 0): BudgetCandidate<string> {
  const [provider = "", model = ""] = id.split("/");
  return {
    deployment: id,
    provider,
    model,
    price: input === null ? null : flatPrice({ input, output }),
    tokens,
  };
}

// Per 1000 + 1000 tokens: opus $0.09, gpt-4.1 $0.01, mini $0.002, sonnet $0.018, local (no price).
const opus = candidate("anthropic-1/claude-opus-4-1", 15, 75);
const gpt = candidate("openai-1/gpt-4.1", 2, 8);
const mini = candidate("openai-2/gpt-4.1-mini", 0.4, 1.6);
const sonnet = candidate("anthropic-1/claude-sonnet-4-0", 3, 15);
const local = candidate("ollama-1/llama3.1", null);

describe("the budget gate", () => {
  it("keeps the candidates within the limit, cheapest first", () => {
    const result = gateByBudget([opus, gpt, sonnet, mini], 0.02);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.candidates.map((c) => [c.deployment, c.estimateUsd])).toEqual([
      ["openai-2/gpt-4.1-mini", 0.002],
      ["openai-1/gpt-4.1", 0.01],
      ["anthropic-1/claude-sonnet-4-0", 0.018],
    ]);
    expect(result.excluded.map((c) => c.deployment)).toEqual(["anthropic-1/claude-opus-4-1"]);
  });

  it("counts an estimate equal to the limit as within it", () => {
    const result = gateByBudget([gpt], 0.01);
    expect(result.ok && result.candidates.map((c) => c.deployment)).toEqual(["openai-1/gpt-4.1"]);
  });

  it("keeps ties in their order", () => {
    const twin = candidate("openai-3/gpt-4.1", 2, 8);
    const result = gateByBudget([twin, opus, gpt], 0.05);
    expect(result.ok && result.candidates.map((c) => c.deployment)).toEqual([
      "openai-3/gpt-4.1",
      "openai-1/gpt-4.1",
    ]);
  });

  it("without a limit keeps everything in order, with estimates for the headers", () => {
    const result = gateByBudget([opus, local, mini], null);
    expect(result.ok && result.candidates.map((c) => [c.deployment, c.estimateUsd])).toEqual([
      ["anthropic-1/claude-opus-4-1", 0.09],
      ["ollama-1/llama3.1", null],
      ["openai-2/gpt-4.1-mini", 0.002],
    ]);
  });

  it("excludes unpriced deployments under a limit unless told to include them last", () => {
    const excluded = gateByBudget([local, gpt], 0.05);
    expect(excluded.ok && excluded.candidates.map((c) => c.deployment)).toEqual(["openai-1/gpt-4.1"]);
    const included = gateByBudget([local, opus, gpt], 0.05, { unpriced: "include" });
    expect(included.ok && included.candidates.map((c) => c.deployment)).toEqual([
      "openai-1/gpt-4.1",
      "ollama-1/llama3.1",
    ]);
  });

  it("refuses with ModelMuxer's 402 when nothing fits, byte for byte", () => {
    const expensive = { ...opus, tokens: { prompt: 1000, output: 1400 } }; // $0.12
    const result = gateByBudget([expensive, { ...sonnet, tokens: { prompt: 10_000, output: 6000 } }], 0.08);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect(result.error).toBeInstanceOf(LlmuxError);
    expect(result.error.status).toBe(402);
    expect(result.error.code).toBe("insufficient_budget");
    expect(JSON.stringify(result.error.body)).toBe(
      '{"error":{"message":"Budget exceeded: No models within budget limit of $0.08","type":"budget_exceeded",' +
        '"code":"insufficient_budget","details":{"limit":0.08,"estimate":0.12}}}',
    );
  });

  it("says estimate null when no candidate has a price", () => {
    const result = gateByBudget([local], 0.08);
    expect(!result.ok && result.error.body.error.details).toEqual({ limit: 0.08, estimate: null });
  });

  it("gives ModelMuxer's debug headers for the chosen deployment", () => {
    const result = gateByBudget([{ ...mini, tokens: { prompt: 375, output: 0 } }], 0.08);
    const chosen = result.ok ? result.candidates[0] : undefined;
    expect(chosen && routeHeaders(chosen)).toEqual({
      "x-route-decision": "openai-2:gpt-4.1-mini",
      "x-route-estimate-usd": "0.000150",
    });
    expect(routeHeaders({ provider: "ollama-1", model: "llama3.1", estimateUsd: null })).toEqual({
      "x-route-decision": "ollama-1:llama3.1",
    });
  });
});

describe("the estimate before routing", () => {
  const messages = [{ role: "user", content: "x".repeat(400) }];
  it("uses max_tokens (or max_completion_tokens) and the deployment's calibration", () => {
    expect(spendEstimate({ model: "m", messages, max_tokens: 50 })).toEqual({ prompt: 104, output: 50 });
    expect(spendEstimate({ model: "m", messages, max_completion_tokens: 70 }, { calibration: 1.5 })).toEqual({
      prompt: 156,
      output: 70,
    });
  });
  it("falls back to ModelMuxer's defaults (400 in, 300 out)", () => {
    expect(spendEstimate({ model: "m", messages: [] })).toEqual({ prompt: 400, output: 300 });
    expect(spendEstimate({ model: "m", messages, n: 2 })).toEqual({ prompt: 104, output: 600 });
  });
});

describe("spend errors", () => {
  it("budget_exhausted: 402 with the numbers and when the budget resets", () => {
    const error = new BudgetExhaustedError({
      keyName: "team-a",
      limitUsd: 10,
      spentUsd: 9.99,
      reservedUsd: 0,
      estimateUsd: 0.02,
      period: "30d",
      resetsAt: Date.UTC(2026, 0, 31),
    });
    expect(error.status).toBe(402);
    expect(JSON.stringify(error.body)).toBe(
      '{"error":{"message":"Budget exhausted: key \'team-a\' has used $9.99 of its $10 budget and this request may cost $0.02; ' +
        'it resets at 2026-01-31T00:00:00.000Z","type":"budget_exceeded","code":"budget_exhausted","details":{"limit":10,' +
        '"spent":9.99,"reserved":0,"estimate":0.02,"period":"30d","resets_at":"2026-01-31T00:00:00.000Z"}}}',
    );
  });

  it("key_rate_limited: 429 with Retry-After", () => {
    const error = new KeyRateLimitedError("team-a", "requests", 60, 1_500);
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(1_500);
    expect(error.headers).toEqual({ "retry-after": "2", "retry-after-ms": "1500" });
    expect(error.body.error).toMatchObject({ type: "rate_limit_exceeded", code: "key_rate_limited" });
  });

  it("model_not_allowed: 403; invalid_api_key: 401", () => {
    const forbidden = new ModelNotAllowedError("team-a", "smart", ["cheap"]);
    expect([forbidden.status, forbidden.message]).toEqual([
      403,
      "Key 'team-a' may not use the model 'smart'. Allowed: cheap.",
    ]);
    const revoked = new InvalidApiKeyError("revoked");
    expect([revoked.status, revoked.body.error.code, revoked.message]).toEqual([
      401,
      "invalid_api_key",
      "The API key has been revoked.",
    ]);
  });
});
