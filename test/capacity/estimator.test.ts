import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LearnedCapacity } from "../../src/core/capacity/index.js";
import { MemoryStateStore } from "../../src/state/index.js";
import type { RateLimitFixture } from "./record-fixtures.js";

function fixture(name: string): RateLimitFixture {
  const url = new URL(`../fixtures/rate-limits/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as RateLimitFixture;
}

/** Feeds the first `count` answers of a fixture to a fresh gate, as they arrived; returns its view. */
function learn(name: string, count: number) {
  const { answers } = fixture(name);
  const gate = new LearnedCapacity(new MemoryStateStore());
  for (const answer of answers.slice(0, count)) {
    gate.observe("d", {
      sentAt: answer.sentAt,
      at: answer.at,
      mark: null,
      cost: answer.cost,
      outcome: answer.status === 429 ? "rate_limited" : "success",
      rateLimits: answer.headers,
      retryAfterMs: null,
      usedTokens: null,
    });
  }
  return gate.view("d", answers[count - 1]!.at);
}

/** Expects the learned capacity and refill of each dimension within the tolerances of the truth. */
function expectLearned(name: string, count: number, capacityTolerance: number, rateTolerance: number): void {
  const { truth } = fixture(name);
  const view = learn(name, count);
  expect(view.mode).toBe("headers");
  for (const dimension of ["requests", "tokens"] as const) {
    const expected = truth[dimension];
    if (expected === null) continue;
    const learned = view[dimension];
    expect(learned.capacity, `${name} ${dimension} capacity`).not.toBeNull();
    expect(
      Math.abs(learned.capacity! / expected.capacity - 1),
      `${name} ${dimension} capacity`,
    ).toBeLessThanOrEqual(capacityTolerance);
    expect(
      Math.abs(learned.refillPerMinute! / expected.refillPerMinute - 1),
      `${name} ${dimension} refill`,
    ).toBeLessThanOrEqual(rateTolerance);
    // A wrong guess must err small: never more capacity than there is, beyond the tolerance.
    expect(learned.capacity!).toBeLessThanOrEqual(expected.capacity * (1 + capacityTolerance / 2));
  }
}

describe("the estimator on recorded header sequences", () => {
  it("OpenAI, burst 1.0: capacity and refill from the first answer, exact after three", () => {
    expectLearned("openai-burst-1", 1, 0.01, 1e-9);
    expectLearned("openai-burst-1", 3, 0.005, 1e-9);
    expectLearned("openai-burst-1", 60, 0.005, 1e-9);
  });

  it("Anthropic, burst 0.25, resets rounded to the second: a quarter of the limit, at the minute's rate", () => {
    expectLearned("anthropic-burst-0.25", 3, 0.15, 1e-9);
    expectLearned("anthropic-burst-0.25", 10, 0.1, 1e-9);
    expectLearned("anthropic-burst-0.25", 60, 0.1, 1e-9);
  });

  it("Groq: requests refill over a day, tokens over a minute", () => {
    // One answer whose reset is within a minute reads per minute (a fixed window looks the same);
    // the second, whose time to full grew as its remaining fell, shows the day.
    expect(learn("groq-rpd-tpm", 1).requests.refillPerMinute).toBeCloseTo(14_400, 6);
    expectLearned("groq-rpd-tpm", 2, 0.01, 1e-9);
    expectLearned("groq-rpd-tpm", 40, 0.005, 1e-9);
    const view = learn("groq-rpd-tpm", 5);
    expect(view.requests.refillPerMinute).toBeCloseTo(10, 9);
    expect(view.tokens.refillPerMinute).toBeCloseTo(6_000, 6);
  });

  it("a key another client draws on too: the shape is the same (every answer lies on R = C − r·T)", () => {
    expectLearned("shared-key", 3, 0.01, 1e-9);
    expectLearned("shared-key", 60, 0.01, 1e-9);
  });

  it("noisy, late and out-of-order answers", () => {
    expectLearned("noisy-out-of-order", 5, 0.15, 1e-9);
    expectLearned("noisy-out-of-order", 60, 0.1, 1e-9);
  });
});
