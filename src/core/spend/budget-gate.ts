import { BudgetExceededError } from "../../errors/index.js";
import { estimateCost, nanoToUsd, usdToNano, type Price } from "../../providers/pricing/index.js";
import type { TokenEstimate } from "./spend-estimate.js";

/** A deployment that could serve the request, with its price and token estimate. */
export interface BudgetCandidate<D> {
  deployment: D;
  /** Provider instance id (`openai-1`), for `x-route-decision`. */
  provider: string;
  /** Upstream model name. */
  model: string;
  /** Null: no price known (see `unpriced`). */
  price: Price | null;
  /** The request's tokens on this deployment (its calibration may differ from its siblings'). */
  tokens: TokenEstimate;
}

/** A candidate and what the request is estimated to cost on it (null without a price). */
export interface EstimatedCandidate<D> extends BudgetCandidate<D> {
  estimateUsd: number | null;
}

export type BudgetGateResult<D> =
  | { ok: true; candidates: EstimatedCandidate<D>[]; excluded: EstimatedCandidate<D>[] }
  | { ok: false; error: BudgetExceededError; excluded: EstimatedCandidate<D>[] };

export interface BudgetGateOptions {
  /**
   * What to do with deployments without a price when there is a limit: `exclude` them (default: they
   * cannot be shown to fit, and a budget that lets unknown costs through is no budget), or `include`
   * them after every priced one. Give local models `price: { input_per_1m_usd: 0, output_per_1m_usd: 0 }`.
   */
  unpriced?: "exclude" | "include";
}

/**
 * The budget gate (ModelMuxer's `MAX_ESTIMATED_USD_PER_REQUEST`), pure: estimates the request on
 * every candidate, keeps those whose estimate is within `limitUsd`, cheapest first (ties keep their
 * order) so the request is down-routed to what it can afford; when none fits, the 402
 * `BudgetExceededError` with the cheapest estimate. Without a limit every candidate is kept, in order.
 */
export function gateByBudget<D>(
  candidates: readonly BudgetCandidate<D>[],
  limitUsd: number | null,
  options: BudgetGateOptions = {},
): BudgetGateResult<D> {
  const estimated = candidates.map((candidate) => ({
    ...candidate,
    estimateUsd: candidate.price === null ? null : estimateCost(candidate.price, candidate.tokens).usd,
  }));
  if (limitUsd === null) return { ok: true, candidates: estimated, excluded: [] };
  const limit = usdToNano(limitUsd);
  const priced = estimated
    .filter((candidate) => candidate.estimateUsd !== null)
    .sort((a, b) => (a.estimateUsd ?? 0) - (b.estimateUsd ?? 0));
  const within = priced.filter((candidate) => usdToNano(candidate.estimateUsd ?? 0) <= limit);
  const unpriced = estimated.filter((candidate) => candidate.estimateUsd === null);
  const kept = options.unpriced === "include" ? [...within, ...unpriced] : within;
  const excluded = estimated.filter((candidate) => !kept.includes(candidate));
  if (kept.length > 0 || candidates.length === 0) return { ok: true, candidates: kept, excluded };
  const cheapest = priced[0]?.estimateUsd ?? null;
  return {
    ok: false,
    error: new BudgetExceededError(limitUsd, cheapest === null ? null : nanoToUsd(usdToNano(cheapest))),
    excluded,
  };
}

/**
 * ModelMuxer's debug headers for the deployment that answered: `x-route-decision: <provider>:<model>`
 * (`openai-1:gpt-4.1`) and `x-route-estimate-usd` (`0.000150`; absent without a price).
 */
export function routeHeaders(candidate: {
  provider: string;
  model: string;
  estimateUsd: number | null;
}): Record<string, string> {
  const headers: Record<string, string> = { "x-route-decision": `${candidate.provider}:${candidate.model}` };
  if (candidate.estimateUsd !== null) headers["x-route-estimate-usd"] = candidate.estimateUsd.toFixed(6);
  return headers;
}
