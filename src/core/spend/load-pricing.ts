import { readFile } from "node:fs/promises";
import { loadPriceTable, parsePriceFile, Pricing } from "../../providers/pricing/index.js";

export interface LoadPricingOptions {
  /** `pricing.file` (ModelMuxer's format), already resolved against the config's folder; null = none. */
  file?: string | null;
  /** Use the bundled table (default true). */
  table?: boolean;
}

/**
 * Builds the pricing of a gateway at start: the bundled table (loaded on demand) and the price file.
 * Throws a `config_invalid` error naming the file's bad entries.
 */
export async function loadPricing(options: LoadPricingOptions = {}): Promise<Pricing> {
  const table = options.table === false ? null : await loadPriceTable();
  const file = options.file ? parsePriceFile(await readFile(options.file, "utf8"), options.file) : null;
  return new Pricing({ table, file });
}
