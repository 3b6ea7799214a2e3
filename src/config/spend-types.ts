import type { BudgetPeriod, PriceOverride } from "../types/index.js";

/**
 * The config blocks of spend control, as written in `llmux.yaml` (snake_case), and what they compile
 * to. The config layer parses them (zod); `checkSpendConfig` checks what a schema cannot (references,
 * secrets' length, dates) and compiles them.
 *
 * ```yaml
 * server:
 *   admin_key: ${LLMUX_ADMIN_KEY}        # protects /admin/* (and /ui)
 * pricing:
 *   file: ./prices.json                  # ModelMuxer's format; the bundled table otherwise
 * budgets:
 *   max_usd_per_request: 0.08
 *   groups: { smart: { max_usd_per_request: 0.2, down_route_to: [cheap] } }
 * keys:
 *   - { name: team-a, key: "${TEAM_A_KEY}", budget_usd: 10, budget_period: 30d, rpm: 60, models: [smart] }
 * models:
 *   smart:
 *     deployments:
 *       - { provider: openai-1, model: gpt-4.1, price: { input_per_1m_usd: 2, output_per_1m_usd: 8 } }
 * ```
 * `price:` (a `PriceOverride`) may also sit on a provider instance.
 */
export interface SpendConfigInput {
  server?: { admin_key?: string | null };
  pricing?: { file?: string | null };
  budgets?: BudgetsInput;
  keys?: VirtualKeyInput[];
}

export interface BudgetsInput {
  /** Largest estimated cost of one request (USD), for every group; null/absent = no limit. */
  max_usd_per_request?: number | null | undefined;
  /**
   * Per group: a limit overriding the global one (null: no limit for that group), and groups whose
   * deployments may serve its requests too when they fit the limit (`down_route_to`).
   */
  groups?:
    | Record<
        string,
        { max_usd_per_request?: number | null | undefined; down_route_to?: string[] | null | undefined }
      >
    | undefined;
}

/** A virtual key in the config: its secret comes from the environment (`${TEAM_A_KEY}`). */
export interface VirtualKeyInput {
  name: string;
  key: string;
  budget_usd?: number | null | undefined;
  budget_period?: BudgetPeriod | null | undefined;
  rpm?: number | null | undefined;
  tpm?: number | null | undefined;
  /** Model groups it may use; absent = every group. */
  models?: string[] | null | undefined;
  /** ISO 8601 date or time (`2026-12-31`, `2026-12-31T18:00:00Z`), or ms since the epoch. */
  expires_at?: string | number | null | undefined;
}

/** A price on a deployment or provider instance (`input_per_1m_usd`, `output_per_1m_usd`, `cached_input_per_1m_usd`). */
export type PriceOverrideInput = PriceOverride;

/** A virtual key, compiled. */
export interface VirtualKeySettings {
  name: string;
  /** The secret; hashed by `SpendService.syncConfigKeys` and never stored. */
  key: string;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
  rpm: number | null;
  tpm: number | null;
  models: string[] | null;
  expiresAt: number | null;
}

/** Spend control, compiled. */
export interface SpendSettings {
  adminKey: string | null;
  /** `pricing.file` as written (resolve it against the config file's folder). */
  pricingFile: string | null;
  maxUsdPerRequest: number | null;
  /** Per-group limits that override `maxUsdPerRequest` (null = none for that group). */
  groupMaxUsdPerRequest: Record<string, number | null>;
  /** Per group: the cheaper groups a request may be down-routed to when a limit applies. */
  downRouteTo: Record<string, string[]>;
  keys: VirtualKeySettings[];
}

/** Spend control in the compiled gateway config: the checked settings and where the spend database is. */
export interface GatewaySpendConfig extends SpendSettings {
  /** The SQLite file (`state.spend_db`), as written (relative paths: the working directory). */
  database: string;
}

/** One problem, with the path of the field (`keys[0].budget_period`). */
export interface SpendConfigIssue {
  path: string;
  message: string;
}
