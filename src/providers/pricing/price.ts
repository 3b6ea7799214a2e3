import type { PriceOverride } from "../../types/index.js";

/**
 * What a deployment costs, in USD per million tokens. Pure data: the bundled table, a price file and
 * the config's overrides all become this one shape.
 */

/** Rates in USD per 1M tokens. */
export interface Rates {
  /** Prompt tokens neither read from nor written to a cache. */
  input: number;
  /** Completion tokens (reasoning tokens included: providers count them in `completion_tokens`). */
  output: number;
  /** Prompt tokens read from the provider's cache (`cached_tokens`); `input` when there is no discount. */
  cachedInput: number;
  /** Prompt tokens written to the cache (Anthropic's cache creation); `input` when not charged apart. */
  cacheWrite: number;
}

/** Rates that apply instead of the base ones when a request's prompt is longer than `aboveInputTokens`. */
export interface PriceTier extends Rates {
  aboveInputTokens: number;
}

/** A deployment's price: base rates and, for long-context pricing, tiers by prompt length. */
export interface Price extends Rates {
  /** Ascending by `aboveInputTokens`; the last one the prompt is longer than applies. Usually empty. */
  tiers: readonly PriceTier[];
}

/** Where a price came from, for `llmux check` and logs. */
export type PriceSource =
  | { kind: "deployment" }
  | { kind: "provider" }
  | { kind: "file"; file: string; entry: string }
  | { kind: "table"; table: string; entry: string; note: string | null };

/** A price and where it came from. */
export interface PriceMatch {
  price: Price;
  source: PriceSource;
}

/** A price override as written in the config (see `PriceOverride` in `src/types/spend.ts`). */
export type { PriceOverride };

/** A flat price (no tiers); cached input and cache writes default to the input rate. */
export function flatPrice(rates: {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
}): Price {
  return {
    input: rates.input,
    output: rates.output,
    cachedInput: rates.cachedInput ?? rates.input,
    cacheWrite: rates.cacheWrite ?? rates.input,
    tiers: [],
  };
}

/** The price an override stands for. */
export function priceFromOverride(override: PriceOverride): Price {
  return flatPrice({
    input: override.input_per_1m_usd,
    output: override.output_per_1m_usd,
    ...(override.cached_input_per_1m_usd === undefined
      ? {}
      : { cachedInput: override.cached_input_per_1m_usd }),
  });
}

/** The rates that apply to a prompt of `promptTokens` tokens. */
export function ratesFor(price: Price, promptTokens: number): Rates {
  let rates: Rates = price;
  for (const tier of price.tiers) if (promptTokens > tier.aboveInputTokens) rates = tier;
  return rates;
}

/** One line for `llmux check`: `table @pydantic/genai-prices 0.1.8: openai/gpt-4.1`, `deployment override`… */
export function describePriceSource(source: PriceSource): string {
  switch (source.kind) {
    case "deployment":
      return "deployment price";
    case "provider":
      return "provider price";
    case "file":
      return `${source.file}: ${source.entry}`;
    case "table":
      return `${source.table}: ${source.entry}${source.note === null ? "" : ` (${source.note})`}`;
  }
}

/** `input $2/1M, output $8/1M, cached input $0.5/1M` (tiers noted). */
export function describePrice(price: Price): string {
  const parts = [`input $${price.input}/1M`, `output $${price.output}/1M`];
  if (price.cachedInput !== price.input) parts.push(`cached input $${price.cachedInput}/1M`);
  if (price.cacheWrite !== price.input) parts.push(`cache write $${price.cacheWrite}/1M`);
  for (const tier of price.tiers) {
    parts.push(
      `above ${tier.aboveInputTokens} prompt tokens: input $${tier.input}/1M, output $${tier.output}/1M`,
    );
  }
  return parts.join(", ");
}
