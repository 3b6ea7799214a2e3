import { z } from "zod";
import { budgetPeriods } from "../types/index.js";
import { integer, nonNegativeNumber, optional, strictObject, text } from "./schema-fields.js";

/*
 * The spend-control sections of the file (issue 13), as written in YAML. The schema checks shapes
 * and ranges; `checkSpendConfig` (spend-check.ts) checks the rest: references, secrets, dates.
 */

/** `price:` on a provider instance or a deployment: USD per 1M tokens. */
export const priceSchema = strictObject({
  input_per_1m_usd: nonNegativeNumber,
  output_per_1m_usd: nonNegativeNumber,
  cached_input_per_1m_usd: optional(nonNegativeNumber),
});

/** `pricing:` where prices come from besides the bundled table. */
export const pricingSchema = strictObject({
  /** A price file in ModelMuxer's format (`{"provider:model": {input_per_1k_usd, output_per_1k_usd}}`). */
  file: optional(text),
});

/** `budgets:` the per-request limit (ModelMuxer's `MAX_ESTIMATED_USD_PER_REQUEST`), global and per group. */
export const budgetsSchema = strictObject({
  max_usd_per_request: optional(nonNegativeNumber),
  groups: optional(
    z.record(
      z.string(),
      z.preprocess(
        (value) => value ?? {},
        strictObject({
          max_usd_per_request: optional(nonNegativeNumber),
          /** Groups whose deployments may also serve this group's requests when a limit applies. */
          down_route_to: optional(z.array(text)),
        }),
      ),
    ),
  ),
});

/** One entry of `keys:` (a virtual key). `key` is optional here so an unset `${VAR}` is reported by name. */
export const virtualKeySchema = strictObject({
  name: text,
  key: optional(z.string()),
  budget_usd: optional(nonNegativeNumber),
  budget_period: optional(z.enum(budgetPeriods as readonly ["1d", "7d", "30d", "1mo"])),
  rpm: optional(integer(1)),
  tpm: optional(integer(1)),
  models: optional(z.array(text)),
  /** `2026-12-31`, `2026-12-31T18:00:00Z` or ms since the epoch. */
  expires_at: optional(z.union([z.string(), z.number()])),
});

export const keysSchema = z.array(virtualKeySchema);

export type RawPrice = z.output<typeof priceSchema>;
export type RawPricing = z.output<typeof pricingSchema>;
export type RawBudgets = z.output<typeof budgetsSchema>;
export type RawVirtualKey = z.output<typeof virtualKeySchema>;
