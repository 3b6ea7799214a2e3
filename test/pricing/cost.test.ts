import { describe, expect, it } from "vitest";
import {
  costOf,
  estimateCost,
  flatPrice,
  nanoToUsd,
  tokenCountsOf,
  usdToNano,
  type Price,
} from "../../src/providers/pricing/index.js";
import { anthropicUsage } from "../../src/providers/anthropic/usage.js";
import type { Usage } from "../../src/types/index.js";

const gpt41 = flatPrice({ input: 2, output: 8, cachedInput: 0.5 });
const sonnet = flatPrice({ input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 });
const noDiscount = flatPrice({ input: 0.59, output: 0.79 });
const tiered: Price = {
  ...flatPrice({ input: 1.25, output: 10, cachedInput: 0.125 }),
  tiers: [{ aboveInputTokens: 200_000, input: 2.5, output: 15, cachedInput: 0.25, cacheWrite: 2.5 }],
};

function usage(prompt: number, completion: number, extra: Partial<Usage> = {}): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...extra,
  };
}

describe("costOf: the real cost of a request from its usage", () => {
  // [what, price, usage, total USD, parts {input, cachedInput, cacheWrite, output}]
  const cases: [string, Price, Usage, number, [number, number, number, number]][] = [
    ["no cache", gpt41, usage(1000, 500), 0.006, [0.002, 0, 0, 0.004]],
    [
      "cached prompt tokens at the cached rate",
      gpt41,
      usage(1000, 500, { prompt_tokens_details: { cached_tokens: 600 } }),
      0.0051,
      [0.0008, 0.0003, 0, 0.004],
    ],
    [
      "reasoning tokens are part of completion_tokens, never charged twice",
      gpt41,
      usage(100, 1000, { completion_tokens_details: { reasoning_tokens: 800 } }),
      0.0082,
      [0.0002, 0, 0, 0.008],
    ],
    [
      "a provider without a cache discount charges cached tokens as input",
      noDiscount,
      usage(1_000_000, 1_000_000, { prompt_tokens_details: { cached_tokens: 500_000 } }),
      1.38,
      [0.295, 0.295, 0, 0.79],
    ],
    [
      "Anthropic cache writes (cache_creation_input_tokens) at the write rate",
      sonnet,
      usage(4740, 255, { prompt_tokens_details: { cached_tokens: 0, cache_creation_input_tokens: 4735 } }),
      0.02159625,
      [0.000015, 0, 0.01775625, 0.003825],
    ],
    [
      "OpenRouter's cache_write_tokens",
      sonnet,
      usage(2000, 0, { prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 500 } }),
      0.003675,
      [0.0015, 0.0003, 0.001875, 0],
    ],
    [
      "a long prompt takes the tier's rates",
      tiered,
      usage(200_001, 1000),
      0.5150025,
      [0.5000025, 0, 0, 0.015],
    ],
    ["at the threshold the base rates apply", tiered, usage(200_000, 1000), 0.26, [0.25, 0, 0, 0.01]],
    ["nothing used costs nothing", gpt41, usage(0, 0), 0, [0, 0, 0, 0]],
  ];
  it.each(cases)("%s", (_what, price, reported, total, [input, cachedInput, cacheWrite, output]) => {
    const cost = costOf(price, reported);
    expect(cost.usd).toBe(total);
    expect(cost).toMatchObject({ input, cachedInput, cacheWrite, output });
    expect(cost.nanoUsd).toBe(usdToNano(total));
  });

  it("prices what the Anthropic mapper reports (cache reads in cached_tokens)", () => {
    const mapped = anthropicUsage({ input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 50 });
    expect(costOf(sonnet, mapped)).toMatchObject({
      usd: 0.00165,
      input: 0.0003,
      cachedInput: 0.0006,
      output: 0.00075,
    });
  });

  it("clamps cache counts that exceed the prompt", () => {
    const counts = tokenCountsOf(
      usage(100, 0, { prompt_tokens_details: { cached_tokens: 80, cache_write_tokens: 50 } }),
    );
    expect(counts).toEqual({ prompt: 100, input: 0, cachedInput: 80, cacheWrite: 20, output: 0 });
  });

  it("counts in whole nano-dollars", () => {
    expect(usdToNano(0.08)).toBe(80_000_000);
    expect(nanoToUsd(80_000_000)).toBe(0.08);
    // One token at $0.02 per 1M (an embedding) is 20 nano-dollars; at $0.0001 per 1M, 0.1: it rounds to 0.
    expect(costOf(flatPrice({ input: 0.02, output: 0 }), usage(1, 0)).nanoUsd).toBe(20);
    expect(costOf(flatPrice({ input: 0.0001, output: 0 }), usage(1, 0)).nanoUsd).toBe(0);
  });
});

describe("estimateCost: before the request, no cache hit assumed", () => {
  it("prices the whole prompt at the input rate and the output at the output rate", () => {
    expect(estimateCost(gpt41, { prompt: 400, output: 300 }).usd).toBe(0.0032);
    expect(estimateCost(sonnet, { prompt: 1000, output: 1000 }).usd).toBe(0.018);
    expect(estimateCost(tiered, { prompt: 250_000, output: 1000 }).usd).toBe(0.64);
  });

  it("rounds fractional token estimates up", () => {
    expect(estimateCost(gpt41, { prompt: 399.2, output: 0 }).usd).toBe(0.0008);
  });
});
