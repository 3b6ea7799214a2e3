import type { ProviderType } from "../../types/index.js";
import { modelNameCandidates } from "./model-names.js";
import { priceFromOverride, type PriceMatch, type PriceOverride } from "./price.js";
import { findInPriceFile, type PriceFile } from "./price-file.js";
import { pricedProviderTypes, type PriceTable } from "./price-table.js";

/** Overrides from the config: a deployment's `price` wins over its provider instance's. */
export interface PriceOverrides {
  deployment?: PriceOverride | null;
  provider?: PriceOverride | null;
}

export interface PricingOptions {
  /** The list-price table (the bundled one: `genaiPricesTable()`); null = overrides and file only. */
  table: PriceTable | null;
  /** `pricing.file` (ModelMuxer's format), consulted before the table. */
  file?: PriceFile | null;
  /** When prices are looked up (conditional prices); default now. */
  now?: () => Date;
}

/**
 * Finds what a deployment costs. In order: the deployment's `price`, its provider instance's
 * `price`, the `pricing.file`, the table — each by the configured model name, then without the
 * provider's own vendor prefix, then without a snapshot date. Anything else is "no price" (null):
 * a wrong price is worse than none. Looked up once per deployment when the plan is built.
 */
export class Pricing {
  readonly #table: PriceTable | null;
  readonly #file: PriceFile | null;
  readonly #now: () => Date;

  constructor(options: PricingOptions) {
    this.#table = options.table;
    this.#file = options.file ?? null;
    this.#now = options.now ?? (() => new Date());
  }

  /** The price of `model` on a provider of `type`, and where it came from; null when unknown. */
  priceOf(type: ProviderType, model: string, overrides: PriceOverrides = {}): PriceMatch | null {
    if (overrides.deployment)
      return { price: priceFromOverride(overrides.deployment), source: { kind: "deployment" } };
    if (overrides.provider)
      return { price: priceFromOverride(overrides.provider), source: { kind: "provider" } };
    const candidates = modelNameCandidates(type, model);
    if (this.#file) {
      for (const candidate of candidates) {
        const found = findInPriceFile(this.#file, type, candidate.name);
        if (found)
          return { price: found.price, source: { kind: "file", file: this.#file.file, entry: found.entry } };
      }
    }
    if (this.#table) {
      const at = this.#now();
      for (const candidate of candidates) {
        const found = this.#table.find(type, candidate.name, at);
        if (found) {
          const source = {
            kind: "table",
            table: this.#table.name,
            entry: found.entry,
            note: candidate.note,
          } as const;
          return { price: found.price, source };
        }
      }
    }
    return null;
  }

  /** Why `priceOf` found nothing, for `llmux check`. */
  whyNoPrice(type: ProviderType, model: string): string {
    const fix = "set price: { input_per_1m_usd, output_per_1m_usd } on the deployment or provider";
    if (pricedProviderTypes[type] === undefined) return `no list price for ${type} endpoints; ${fix}`;
    const where = this.#table ? this.#table.name : "no table";
    return `no price for ${type} model ${model} (${where}${this.#file ? `, ${this.#file.file}` : ""}); ${fix}`;
  }
}
