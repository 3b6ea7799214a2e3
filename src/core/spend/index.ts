export {
  SpendService,
  type SpendServiceOptions,
  type KeyGrant,
  type Reservation,
  type RequestCost,
  type SpendReportRow,
  type NewKeyInput,
} from "./spend-service.js";
export { keyInfo, spanOf, type KeyInfo } from "./key-info.js";
export { budgetPeriods, budgetSpan, periodAnchor, type BudgetSpan } from "./periods.js";
export { hashKey, generateKey, keyHint, configKeyId, keyPrefix } from "./virtual-keys.js";
export {
  gateByBudget,
  routeHeaders,
  type BudgetCandidate,
  type EstimatedCandidate,
  type BudgetGateResult,
  type BudgetGateOptions,
} from "./budget-gate.js";
export {
  spendEstimate,
  defaultTokenEstimate,
  type TokenEstimate,
  type SpendEstimateOptions,
} from "./spend-estimate.js";
export { loadPricing, type LoadPricingOptions } from "./load-pricing.js";
export {
  checkSpendConfig,
  checkVirtualKey,
  checkPriceOverride,
  maxUsdPerRequestOf,
  minimumKeyLength,
} from "../../config/spend-check.js";
export type * from "../../config/spend-types.js";
