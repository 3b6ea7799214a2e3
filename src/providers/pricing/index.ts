export {
  flatPrice,
  priceFromOverride,
  ratesFor,
  describePrice,
  describePriceSource,
  type Price,
  type PriceTier,
  type Rates,
  type PriceSource,
  type PriceMatch,
  type PriceOverride,
} from "./price.js";
export { modelNameCandidates, type ModelNameCandidate } from "./model-names.js";
export { pricedProviderTypes, type PriceTable, type TableEntry } from "./price-table.js";
export { parsePriceFile, findInPriceFile, type PriceFile } from "./price-file.js";
export { Pricing, type PricingOptions, type PriceOverrides } from "./pricing.js";
export {
  costOf,
  costOfCounts,
  estimateCost,
  tokenCountsOf,
  usdToNano,
  nanoToUsd,
  type Cost,
  type TokenCounts,
} from "./cost.js";
// The bundled table (`genai-prices-table.ts`) is loaded on demand (`loadPriceTable`): importing this
// module does not load its 800 kB of data.
export { loadPriceTable } from "./load-table.js";
