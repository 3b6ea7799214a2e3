/**
 * Spend-control words every layer shares: the config writes them, pricing and the spend store read
 * them. Data only.
 */

/**
 * A price override as written in the config (`price:` on a deployment or a provider instance), USD
 * per 1M tokens. `cached_input_per_1m_usd` defaults to the input rate (no cache discount assumed).
 */
export interface PriceOverride {
  input_per_1m_usd: number;
  output_per_1m_usd: number;
  cached_input_per_1m_usd?: number | undefined;
}

/** How often a key's budget resets: every 1, 7 or 30 days from the start of its first day (UTC), or each calendar month (UTC). */
export type BudgetPeriod = "1d" | "7d" | "30d" | "1mo";

/** Every budget period a key may have. */
export const budgetPeriods: readonly BudgetPeriod[] = ["1d", "7d", "30d", "1mo"];

/** Key names: 1 to 64 letters, digits, `.`, `_`, `-`, `@` or `:` (they appear in ids, URLs and reports). */
export const keyNamePattern = /^[A-Za-z0-9._@:-]{1,64}$/;
