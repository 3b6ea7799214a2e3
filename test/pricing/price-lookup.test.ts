import { beforeAll, describe, expect, it } from "vitest";
import {
  describePriceSource,
  flatPrice,
  loadPriceTable,
  parsePriceFile,
  Pricing,
  type PriceTable,
} from "../../src/providers/pricing/index.js";
import type { ProviderType } from "../../src/types/index.js";

let table: PriceTable;
beforeAll(async () => {
  table = await loadPriceTable();
});

describe("the bundled price table (@pydantic/genai-prices)", () => {
  it("names its source and version", () => {
    expect(table.name).toMatch(/^@pydantic\/genai-prices \d+\.\d+\.\d+$/);
  });

  // [provider type, configured model, table entry, input, output, cached input, note]
  const cases: [ProviderType, string, string, number, number, number, string | null][] = [
    ["openai", "gpt-4.1", "openai/gpt-4.1", 2, 8, 0.5, null],
    ["openai", "gpt-4.1-2025-04-14", "openai/gpt-4.1", 2, 8, 0.5, null],
    ["openai", "openai/gpt-4.1", "openai/gpt-4.1", 2, 8, 0.5, "prefix dropped: gpt-4.1"],
    ["openai", "gpt-4o-mini", "openai/gpt-4o-mini", 0.15, 0.6, 0.075, null],
    ["azure", "gpt-4.1", "azure/gpt-4.1", 2, 8, 0.5, null],
    ["anthropic", "claude-sonnet-4-0", "anthropic/claude-sonnet-4-0", 3, 15, 0.3, null],
    ["anthropic", "claude-sonnet-4-20250514", "anthropic/claude-sonnet-4-0", 3, 15, 0.3, null],
    [
      "anthropic",
      "anthropic/claude-sonnet-4-0",
      "anthropic/claude-sonnet-4-0",
      3,
      15,
      0.3,
      "prefix dropped: claude-sonnet-4-0",
    ],
    ["gemini", "gemini-2.5-flash", "google/gemini-2.5-flash", 0.3, 2.5, 0.03, null],
    [
      "gemini",
      "models/gemini-2.5-flash",
      "google/gemini-2.5-flash",
      0.3,
      2.5,
      0.03,
      "prefix dropped: gemini-2.5-flash",
    ],
    ["groq", "llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile", 0.59, 0.79, 0.59, null],
    // On OpenRouter the vendor prefix is the model's real name: never dropped.
    ["openrouter", "openai/gpt-4.1", "openrouter/openai/gpt-4.1", 2, 8, 0.5, null],
    ["deepseek", "deepseek-chat", "deepseek/deepseek-chat", 0.27, 1.1, 0.07, null],
  ];
  it.each(cases)("%s %s → %s", (type, model, entry, input, output, cachedInput, note) => {
    // 10:00 UTC: DeepSeek's off-peak discount (16:30-00:30 UTC) does not apply.
    const now = () => new Date("2026-06-01T10:00:00Z");
    const match = new Pricing({ table, now }).priceOf(type, model);
    expect(match?.source).toEqual({ kind: "table", table: table.name, entry, note });
    expect(match?.price).toMatchObject({ input, output, cachedInput });
  });

  it("tries the undated name only when the table does not know the snapshot", () => {
    const match = new Pricing({ table }).priceOf("openai", "gpt-4o-2099-01-01");
    expect(match?.source).toMatchObject({ entry: "openai/gpt-4o", note: "date suffix dropped: gpt-4o" });
  });

  it("keeps long-context tiers (Gemini 2.5 Pro above 200k prompt tokens)", () => {
    const price = new Pricing({ table }).priceOf("gemini", "gemini-2.5-pro")?.price;
    expect(price).toMatchObject({ input: 1.25, output: 10, cachedInput: 0.125 });
    expect(price?.tiers).toEqual([
      { aboveInputTokens: 200_000, input: 2.5, output: 15, cachedInput: 0.25, cacheWrite: 2.5 },
    ]);
  });

  const unknown: [ProviderType, string][] = [
    ["openai", "gpt-9-nonexistent"],
    ["openai", "gpt-4.1-turbo"],
    ["openai", "ft:gpt-4o-mini:org::abc"],
    // No vendor is known behind these: a guess would be wrong as often as right.
    ["openai-compatible", "gpt-4.1"],
    ["ollama", "llama3.1"],
    ["vllm", "meta-llama/Llama-3.3-70B-Instruct"],
    ["lmstudio", "qwen2.5-7b-instruct"],
    // Another vendor's prefix is not dropped.
    ["anthropic", "openai/gpt-4.1"],
  ];
  it.each(unknown)("%s %s → no price", (type, model) => {
    const pricing = new Pricing({ table });
    expect(pricing.priceOf(type, model)).toBeNull();
    expect(pricing.whyNoPrice(type, model)).toMatch(/set price: \{ input_per_1m_usd, output_per_1m_usd \}/);
  });
});

describe("Pricing: overrides, the price file, the table", () => {
  const fake: PriceTable = {
    name: "fake 1.0",
    find: (type, model) =>
      type === "openai" && model === "gpt-4.1"
        ? { entry: "openai/gpt-4.1", price: flatPrice({ input: 2, output: 8 }) }
        : null,
  };
  const file = parsePriceFile(
    JSON.stringify({
      "openai:gpt-4.1": { input_per_1k_usd: 0.003, output_per_1k_usd: 0.012 },
      "google:gemini-2.5-flash": { input_per_1k_usd: 0.0003, output_per_1k_usd: 0.0025, note: "ignored" },
      "anthropic:claude-sonnet-4-0": { input_per_1k_usd: 0.003, output_per_1k_usd: 0.015 },
    }),
    "prices.json",
  );
  const deployment = { input_per_1m_usd: 1, output_per_1m_usd: 4, cached_input_per_1m_usd: 0.25 };
  const provider = { input_per_1m_usd: 1.5, output_per_1m_usd: 6 };

  it("a deployment's price wins over its provider's, which wins over the file and the table", () => {
    const pricing = new Pricing({ table: fake, file });
    expect(pricing.priceOf("openai", "gpt-4.1", { deployment, provider })).toEqual({
      price: { input: 1, output: 4, cachedInput: 0.25, cacheWrite: 1, tiers: [] },
      source: { kind: "deployment" },
    });
    expect(pricing.priceOf("openai", "gpt-4.1", { provider })).toEqual({
      price: { input: 1.5, output: 6, cachedInput: 1.5, cacheWrite: 1.5, tiers: [] },
      source: { kind: "provider" },
    });
    expect(pricing.priceOf("openai", "gpt-4.1")).toEqual({
      price: { input: 3, output: 12, cachedInput: 3, cacheWrite: 3, tiers: [] },
      source: { kind: "file", file: "prices.json", entry: "openai:gpt-4.1" },
    });
    expect(new Pricing({ table: fake }).priceOf("openai", "gpt-4.1")?.source).toEqual({
      kind: "table",
      table: "fake 1.0",
      entry: "openai/gpt-4.1",
      note: null,
    });
  });

  it("reads ModelMuxer's file as is: per 1k tokens, ModelMuxer's provider names, vendor prefixes and dates", () => {
    const pricing = new Pricing({ table: null, file });
    expect(pricing.priceOf("gemini", "gemini-2.5-flash")?.price).toMatchObject({ input: 0.3, output: 2.5 });
    expect(pricing.priceOf("gemini", "models/gemini-2.5-flash")?.source).toEqual({
      kind: "file",
      file: "prices.json",
      entry: "google:gemini-2.5-flash",
    });
    expect(pricing.priceOf("anthropic", "claude-sonnet-4-0-20250514")?.price).toMatchObject({
      input: 3,
      output: 15,
    });
    expect(pricing.priceOf("openai", "gpt-4o")).toBeNull();
  });

  it("describes each source for llmux check", () => {
    expect(describePriceSource({ kind: "deployment" })).toBe("deployment price");
    expect(describePriceSource({ kind: "file", file: "prices.json", entry: "openai:gpt-4.1" })).toBe(
      "prices.json: openai:gpt-4.1",
    );
    expect(
      describePriceSource({
        kind: "table",
        table: "fake 1.0",
        entry: "openai/gpt-4o",
        note: "date suffix dropped: gpt-4o",
      }),
    ).toBe("fake 1.0: openai/gpt-4o (date suffix dropped: gpt-4o)");
  });

  it("refuses a bad price file, naming each bad entry", () => {
    const bad = JSON.stringify({
      "gpt-4o": { input_per_1k_usd: 1, output_per_1k_usd: 1 },
      "openai:gpt-4.1": { input_per_1k_usd: -1 },
      "openai:o3": 5,
    });
    expect(() => parsePriceFile(bad, "prices.json")).toThrow(
      'prices.json: invalid price file: "gpt-4o": the key must be "provider:model"; ' +
        '"openai:gpt-4.1".input_per_1k_usd: must be a number >= 0; "openai:gpt-4.1".output_per_1k_usd: is required; ' +
        '"openai:o3": expected { "input_per_1k_usd": …, "output_per_1k_usd": … }',
    );
    expect(() => parsePriceFile("{", "prices.json")).toThrow(/prices\.json: invalid price file: not JSON/);
  });
});
