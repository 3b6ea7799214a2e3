import type { PriceTable } from "./price-table.js";

/** Loads the bundled price table (`@pydantic/genai-prices`' data) on first use. */
export async function loadPriceTable(): Promise<PriceTable> {
  const { genaiPricesTable } = await import("./genai-prices-table.js");
  return genaiPricesTable();
}
