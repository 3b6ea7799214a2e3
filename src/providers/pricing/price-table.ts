import type { ProviderType } from "../../types/index.js";
import type { Price } from "./price.js";

/** One table entry found for a model. */
export interface TableEntry {
  /** The entry's name in the table (`openai/gpt-4.1`), shown by `llmux check`. */
  entry: string;
  price: Price;
}

/** A table of list prices by provider type and model name (the bundled one, or a test's). */
export interface PriceTable {
  /** Name and version, e.g. `@pydantic/genai-prices 0.1.8`. */
  readonly name: string;
  /** The entry for exactly this model name (the table's own alias and snapshot matching), or null. */
  find(type: ProviderType, model: string, at: Date): TableEntry | null;
}

/**
 * Provider types whose list prices are the vendor's; the others (local servers, any
 * `openai-compatible` endpoint) have no price unless the config gives one.
 */
export const pricedProviderTypes: Readonly<Partial<Record<ProviderType, string>>> = {
  openai: "openai",
  azure: "azure",
  anthropic: "anthropic",
  gemini: "google",
  groq: "groq",
  cerebras: "cerebras",
  openrouter: "openrouter",
  mistral: "mistral",
  together: "together",
  deepseek: "deepseek",
  fireworks: "fireworks",
  xai: "x-ai",
};
