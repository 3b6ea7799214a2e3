import type { Rng } from "../../types/index.js";
import type { LatencySummary } from "./latency-priors.js";
import { shuffled } from "./shuffle.js";

/** What the helper needs of a candidate. */
export interface LatencyCandidate {
  readonly id: string;
}

/** A deployment's summary, or nothing when it has no history (e.g. `priors.reader(now)`). */
export type LatencyOf = (deploymentId: string) => LatencySummary | null | undefined;

/** Options of {@link leastLatency}. */
export interface LeastLatencyOptions {
  /** Observations a deployment needs before its percentile is trusted (default 5). */
  minSamples?: number;
  /** Chance that an unexplored deployment goes first while others have history (default 0.1). */
  exploreRate?: number;
  /** Deployments within this fraction of the best are tied and share the traffic at random (default 0.1). */
  tolerance?: number;
  /** The percentile compared (default p95). */
  percentile?: "p50" | "p95" | "p99";
}

/**
 * Orders candidates fastest first: by p95 time to first token for streams, by p95 latency otherwise.
 * Pure and deterministic given `rng`; the first element is the pick, the rest the failover order.
 *
 * Exploration, so a new (or long idle) deployment gets measured without flooding it: deployments with
 * fewer than `minSamples` observations in the window are unexplored. When none has history, the order
 * is uniformly random. Otherwise, with probability `exploreRate` a random unexplored one goes first;
 * the explored ones follow (fastest first), then the other unexplored ones in random order. Explored
 * deployments within `tolerance` of the fastest are shuffled together, so near-equal deployments
 * share the load instead of one taking all of it.
 */
export function leastLatency<T extends LatencyCandidate>(
  candidates: readonly T[],
  priors: LatencyOf,
  stream: boolean,
  rng: Rng,
  options: LeastLatencyOptions = {},
): T[] {
  if (candidates.length <= 1) return [...candidates];
  const minSamples = options.minSamples ?? 5;
  const percentile = options.percentile ?? "p95";
  const explored: Array<{ candidate: T; value: number; position: number }> = [];
  const unexplored: T[] = [];
  candidates.forEach((candidate, position) => {
    const summary = priors(candidate.id);
    const metric = stream ? summary?.ttft : summary?.latency;
    if (metric && metric.count >= minSamples)
      explored.push({ candidate, value: metric[percentile], position });
    else unexplored.push(candidate);
  });
  if (explored.length === 0) return shuffled(candidates, rng);
  explored.sort((a, b) => a.value - b.value || a.position - b.position);
  const bound = explored[0]!.value * (1 + (options.tolerance ?? 0.1));
  const tied = explored.filter((entry) => entry.value <= bound).map((entry) => entry.candidate);
  const slower = explored.filter((entry) => entry.value > bound).map((entry) => entry.candidate);
  const ordered = [...shuffled(tied, rng), ...slower];
  const others = shuffled(unexplored, rng);
  if (others.length > 0 && rng() < (options.exploreRate ?? 0.1))
    return [others[0]!, ...ordered, ...others.slice(1)];
  return [...ordered, ...others];
}
