import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { calcPrice, type ModelPrice } from "@pydantic/genai-prices";
import type { ProviderType } from "../../types/index.js";
import type { Price, PriceTier, Rates } from "./price.js";
import { pricedProviderTypes, type PriceTable, type TableEntry } from "./price-table.js";

/** A rate of `@pydantic/genai-prices`: a number, or a base with tiers by prompt length. */
interface TieredRate {
  base: number;
  tiers: readonly { start: number; price: number }[];
}

function isTiered(value: unknown): value is TieredRate {
  return typeof value === "object" && value !== null && "base" in value && "tiers" in value;
}

function rateAt(value: ModelPrice[string], promptAbove: number | null): number | null {
  if (typeof value === "number") return value;
  if (!isTiered(value)) return null;
  let rate = value.base;
  if (promptAbove === null) return rate;
  for (const tier of value.tiers) if (promptAbove >= tier.start) rate = tier.price;
  return rate;
}

function ratesAt(prices: ModelPrice, promptAbove: number | null): Rates | null {
  const input = rateAt(prices["input_mtok"], promptAbove);
  if (input === null) return null;
  const output = rateAt(prices["output_mtok"], promptAbove) ?? 0;
  return {
    input,
    output,
    cachedInput: rateAt(prices["cache_read_mtok"], promptAbove) ?? input,
    cacheWrite: rateAt(prices["cache_write_mtok"], promptAbove) ?? input,
  };
}

/** The genai-prices rates of a model as a Price; null when it is not priced by tokens. */
export function priceFromModelPrice(prices: ModelPrice): Price | null {
  const base = ratesAt(prices, null);
  if (base === null) return null;
  const starts = new Set<number>();
  for (const value of Object.values(prices)) {
    if (isTiered(value)) for (const tier of value.tiers) starts.add(tier.start);
  }
  const tiers: PriceTier[] = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    const rates = ratesAt(prices, start);
    if (rates !== null) tiers.push({ aboveInputTokens: start, ...rates });
  }
  return { ...base, tiers };
}

/** The installed version of `@pydantic/genai-prices` (its package.json is not exported, so read it). */
function installedVersion(): string {
  try {
    const main = createRequire(import.meta.url).resolve("@pydantic/genai-prices");
    const manifest: unknown = JSON.parse(readFileSync(join(dirname(main), "..", "package.json"), "utf8"));
    const version = (manifest as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * The bundled price table: the data shipped inside `@pydantic/genai-prices` (Pydantic's maintained
 * list of LLM API prices; refreshed with `npm update @pydantic/genai-prices`). Never fetches anything:
 * only the bundled data is used. Its matching knows aliases and snapshots (`claude-sonnet-4-0`,
 * `claude-sonnet-4-20250514`, `gpt-4.1-2025-04-14`); conditional prices are taken at `at`.
 */
export function genaiPricesTable(): PriceTable {
  const name = `@pydantic/genai-prices ${installedVersion()}`;
  return {
    name,
    find(type: ProviderType, model: string, at: Date): TableEntry | null {
      const providerId = pricedProviderTypes[type];
      if (providerId === undefined || model === "") return null;
      let found: ReturnType<typeof calcPrice>;
      try {
        found = calcPrice({}, model, { providerId, timestamp: at });
      } catch {
        return null;
      }
      if (found === null) return null;
      const price = priceFromModelPrice(found.model_price);
      return price === null ? null : { entry: `${found.provider.id}/${found.model.id}`, price };
    },
  };
}
