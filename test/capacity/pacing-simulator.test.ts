import { afterEach, describe, expect, it } from "vitest";
import { LearnedCapacity } from "../../src/core/capacity/index.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/sim/index.js";
import { MemoryStateStore } from "../../src/state/index.js";
import type { ModelAnswer } from "./bucket-model.js";
import { runPacing } from "./pacing-loop.js";
import { anthropicRequests, headerless, openaiTokens, type Shape } from "./scenarios.js";

const minute = 60_000;
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/**
 * The provider simulator (bucket mode) as the pacing loop's provider, over HTTP: its clock is set to
 * each request's admission time; a request's charge is its prompt estimate plus `max_tokens`.
 */
async function simulated(
  shape: Shape,
  options: SimulatorOptions,
): Promise<(now: number, tokens: number) => Promise<ModelAnswer>> {
  const clock = { now: 0 };
  const running = await startSimulator({ limiter: "bucket", clock: () => clock.now, ...options });
  sim = running;
  const messages = [{ role: "user", content: "Say hello" }];
  let prompt = -1;
  return async (now, tokens) => {
    clock.now = now;
    const maxTokens = Math.max(1, tokens - Math.max(0, prompt));
    const anthropic = shape.style === "anthropic";
    const response = await fetch(
      anthropic ? `${running.url.replace(/\/v1$/, "")}/v1/messages` : `${running.url}/chat/completions`,
      {
        method: "POST",
        headers: anthropic
          ? { "x-api-key": "k", "anthropic-version": "2023-06-01", "content-type": "application/json" }
          : { authorization: "Bearer k", "content-type": "application/json" },
        body: JSON.stringify({ model: "m", max_tokens: maxTokens, messages }),
      },
    );
    await response.arrayBuffer();
    const charged = running.requests.at(-1)?.charged;
    if (prompt < 0 && typeof charged === "number") prompt = charged - maxTokens;
    const headers = Object.fromEntries(
      [...response.headers].filter(([name]) => /ratelimit|retry-after/.test(name)),
    );
    const retryAfter =
      headers["retry-after-ms"] ??
      (headers["retry-after"] === undefined ? undefined : String(Number(headers["retry-after"]) * 1_000));
    return {
      status: response.status === 429 ? 429 : 200,
      headers,
      retryAfterMs: response.status === 429 && retryAfter !== undefined ? Number(retryAfter) : null,
    };
  };
}

describe("pacing against the provider simulator over HTTP (bucket mode, fake clock)", () => {
  it.each([
    [
      "Anthropic wire, requests binding, burst 0.25",
      anthropicRequests,
      { keys: { k: { rpm: 600, tpm: 10_000_000, burst: 0.25 } } },
      0.02,
    ],
    [
      "OpenAI wire, tokens binding, burst 0.25",
      { ...openaiTokens, tokens: { limit: 120_000, windowMs: minute, burst: 0.25 } },
      { keys: { k: { rpm: 10_000, tpm: 120_000, burst: 0.25 } } },
      0.02,
    ],
    [
      "no headers (AIMD)",
      headerless,
      { keys: { k: { rpm: 300, burst: 0.5, rateLimitHeaders: "retry-after" } } },
      0.05,
    ],
  ] as const)("%s at 130 pct load", async (_name, shape, options, rejected) => {
    const provider = await simulated(shape, options);
    const gates = [new LearnedCapacity(new MemoryStateStore())];
    // The simulator charges exactly what llmux estimates (no charge error).
    const result = await runPacing({
      ...shape,
      chargeError: [1, 1],
      durationMs: 3 * minute,
      load: 1.3,
      seed: 6,
      gates,
      provider,
    });
    expect(result.used).toBeGreaterThanOrEqual(0.95);
    expect(result.rejectedShare).toBeLessThanOrEqual(rejected);
  });
});
