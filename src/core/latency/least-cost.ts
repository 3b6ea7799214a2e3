import type { Rng } from "../../types/index.js";

/** What the helper needs of a candidate: an id, and optionally its configured `cost_rank` (lower is cheaper). */
export interface CostCandidate {
  readonly id: string;
  readonly costRank?: number | null | undefined;
}

/** The price of a candidate per token (any unit, the same for all), or nothing when unknown. */
export type PriceOf<T> = (candidate: T) => number | null | undefined;

/** Prices per token of a model, in and out (e.g. a price table's `input_per_1k_usd / 1000`). */
export interface TokenPrices {
  input: number;
  output: number;
}

/**
 * One price per token for comparing models: input and output prices weighted by the tokens a request
 * is expected to use (ModelMuxer's estimator defaults: 400 in, 300 out).
 */
export function blendedPrice(prices: TokenPrices, tokensIn = 400, tokensOut = 300): number {
  const total = tokensIn + tokensOut;
  return total > 0 ? (prices.input * tokensIn + prices.output * tokensOut) / total : prices.input;
}

const rankOf = (value: number | null | undefined): number =>
  typeof value === "number" && Number.isFinite(value) ? value : Infinity;

/**
 * Orders candidates cheapest first: by `priceOf` (lower first), then by `costRank` (lower first);
 * a candidate without a price comes after every priced one (an unknown cost is treated as expensive),
 * and one without either comes last. Exact ties are shuffled with `rng`, so equally cheap keys share
 * the load. Pure and deterministic given `rng`; the first element is the pick.
 */
export function leastCost<T extends CostCandidate>(
  candidates: readonly T[],
  priceOf: PriceOf<T>,
  rng: Rng,
): T[] {
  const keyed = candidates.map((candidate) => ({
    candidate,
    price: rankOf(priceOf(candidate)),
    rank: rankOf(candidate.costRank),
    tie: rng(),
  }));
  keyed.sort((a, b) => a.price - b.price || a.rank - b.rank || a.tie - b.tie);
  return keyed.map((entry) => entry.candidate);
}
