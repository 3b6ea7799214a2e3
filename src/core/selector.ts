import { healthTransitions, isAvailable } from "../state/index.js";
import type { Rng, StateStore } from "../types/index.js";
import type { Deployment, Group } from "./plan.js";
import { leastCost, leastLatency, type LatencyPriors } from "./latency/index.js";
import { pickWeighted } from "./select.js";

/** What the `least-latency` and `least-cost` strategies read. */
export interface SelectorSignals {
  /** Per-deployment latency priors. */
  latency?: LatencyPriors | undefined;
  /** Price per token of a deployment; null when unknown (then tier order decides). */
  priceOf?: ((deployment: Deployment) => number | null) | undefined;
}

/** A deployment chosen for the next attempt. */
export interface Choice {
  deployment: Deployment;
  /** True when this attempt is a half-open circuit's probe. */
  probe: boolean;
}

/** Nothing can take the request now. */
export interface NoChoice {
  deployment: null;
  /** When the first eligible deployment becomes available again (null: never — all disabled or excluded). */
  earliest: number | null;
  /** True when at least one eligible deployment is cooling down because of a rate limit or quota. */
  rateLimited: boolean;
}

/**
 * Picks a deployment from a group: tiers in order, and within a tier the group's strategy over the
 * deployments that are eligible for this request and available now. Deterministic given the store,
 * the clock value and the rng.
 */
export class Selector {
  constructor(
    private readonly store: StateStore,
    private readonly rng: Rng,
    private readonly probeLeaseMs: number,
    /** The weight a deployment has now (default: its configured weight); the engine scales it by headroom. */
    private readonly weightOf: (deployment: Deployment, now: number) => number = (deployment) =>
      deployment.weight,
    private readonly signals: SelectorSignals = {},
  ) {}

  /**
   * The next deployment of `group`: tiers in order; within a tier, `prefer` first (a conversation's
   * sticky deployment, see `CallOptions.prefer`) when it belongs to the tier and is usable, else the
   * group's strategy. A preferred deployment in a later tier never overtakes a usable earlier tier.
   */
  choose(
    group: Group,
    now: number,
    eligible: (deployment: Deployment) => boolean,
    prefer: string | null = null,
    stream = false,
  ): Choice | NoChoice {
    for (let tierIndex = 0; tierIndex < group.tiers.length; tierIndex += 1) {
      const tier = group.tiers[tierIndex] ?? [];
      const rejected = new Set<Deployment>();
      const usable = (deployment: Deployment): boolean =>
        !rejected.has(deployment) &&
        eligible(deployment) &&
        isAvailable(this.store.health(deployment.id), now);
      let preferred = prefer === null ? undefined : tier.find((deployment) => deployment.id === prefer);
      for (let tries = 0; tries < tier.length; tries += 1) {
        const deployment =
          preferred !== undefined && usable(preferred)
            ? preferred
            : this.#pick(group, tierIndex, tier, usable, now, stream);
        preferred = undefined;
        if (!deployment) break;
        const admission = this.store.admit(deployment.id, now, this.probeLeaseMs);
        if (admission.ok) return { deployment, probe: admission.probe };
        rejected.add(deployment);
      }
    }
    return this.#nothing(group, now, eligible);
  }

  #pick(
    group: Group,
    tierIndex: number,
    tier: readonly Deployment[],
    usable: (deployment: Deployment) => boolean,
    now: number,
    stream = false,
  ): Deployment | undefined {
    if (tier.length === 1) return tier[0] && usable(tier[0]) ? tier[0] : undefined;
    switch (group.strategy) {
      case "priority":
        return tier.find(usable);
      case "round-robin": {
        // A shared, ever-increasing counter indexes the usable deployments: fair even while some are out.
        const candidates = tier.filter(usable);
        if (candidates.length === 0) return undefined;
        return candidates[this.store.nextCursor(`rr:${group.name}:${tierIndex}`) % candidates.length];
      }
      case "least-latency": {
        const candidates = tier.filter(usable);
        const priors = this.signals.latency;
        if (candidates.length <= 1 || !priors) return candidates[0];
        return leastLatency(candidates, priors.reader(now), stream, this.rng)[0];
      }
      case "least-cost": {
        const candidates = tier.filter(usable);
        if (candidates.length <= 1) return candidates[0];
        const priceOf = this.signals.priceOf ?? (() => null);
        // Tier order is the cost rank when no price is known (list the cheapest first).
        const ranked = candidates.map((deployment, costRank) => ({
          id: deployment.id,
          costRank,
          deployment,
        }));
        return leastCost(ranked, (entry) => priceOf(entry.deployment), this.rng)[0]?.deployment;
      }
      case "weighted": {
        const candidates = tier.filter(usable);
        if (candidates.length <= 1) return candidates[0];
        const weighted = candidates.map((deployment) => ({ weight: this.weightOf(deployment, now) }));
        return candidates[pickWeighted(weighted, this.rng)];
      }
    }
  }

  #nothing(group: Group, now: number, eligible: (deployment: Deployment) => boolean): NoChoice {
    let earliest: number | null = null;
    let rateLimited = false;
    for (const deployment of group.deployments) {
      if (!eligible(deployment)) continue;
      const health = this.store.health(deployment.id);
      const at = healthTransitions.availableAt(health, now);
      if (!Number.isFinite(at)) continue;
      earliest = earliest === null ? at : Math.min(earliest, at);
      const reason = health.cooldownReason;
      if (health.cooldownUntil > now && (reason === "rate_limited" || reason === "quota_exhausted"))
        rateLimited = true;
    }
    return { deployment: null, earliest, rateLimited };
  }
}
