import type { CapacityLimits, Target } from "../types/index.js";

/** How a group picks among the available deployments of a tier. */
/**
 * How a group picks among the available deployments of a tier: `least-latency` by p95 time to first
 * token (streams) or latency (see `core/latency`), `least-cost` by price, then tier order.
 */
export type Strategy = "weighted" | "priority" | "round-robin" | "least-latency" | "least-cost";

/** Per-deployment overrides of the attempt timeouts. */
export interface DeploymentTimeouts {
  firstTokenTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
}

/** One provider instance × upstream model: the unit that is selected, cooled down and counted. */
export interface Deployment {
  readonly id: string;
  /** Upstream model name sent to the provider. */
  readonly model: string;
  /** Provider label for logs and stats (never secret). */
  readonly provider: string;
  readonly target: Target;
  /** Relative weight within its tier (weighted strategy). */
  readonly weight: number;
  /** 0 = primary, 1 = first fallback, … */
  readonly tier: number;
  /** Context window in tokens, when known: used to pick a larger model after `context_length_exceeded`. */
  readonly contextWindow: number | null;
  /** Ask the upstream for `stream_options.include_usage` (some local servers reject it). */
  readonly includeUsage: boolean;
  readonly timeouts: Readonly<DeploymentTimeouts>;
  /** Configured capacity (rpm / tpm / rpd); absent or all null = unlimited. */
  readonly limits?: Readonly<CapacityLimits>;
  /** Deployments of providers in one quota group share one learned bucket per model (org-wide limits). */
  readonly quotaGroup?: string | null;
  /**
   * Whether a mid-stream recovery may continue on it with an assistant prefill: `true`, `false`
   * (regenerate the whole answer and splice) or `"auto"` (default: prefill until a 400 says otherwise).
   */
  readonly prefill?: boolean | "auto";
}

/** True when the deployment has a configured capacity limit (rpm, tpm or rpd). */
export function hasLimits(deployment: Deployment): boolean {
  const limits = deployment.limits;
  return limits !== undefined && (limits.rpm !== null || limits.tpm !== null || limits.rpd !== null);
}

/** A name clients ask for, mapped to ordered tiers of deployments. */
export interface Group {
  readonly name: string;
  readonly strategy: Strategy;
  /** Tiers in order; each holds at least one deployment. */
  readonly tiers: readonly (readonly Deployment[])[];
  /** Every deployment, tiers flattened in order. */
  readonly deployments: readonly Deployment[];
  /** More names that ask for this group (the engine looks them up like `name`). */
  readonly aliases?: readonly string[];
  /** Hedge a late first token by starting the next deployment in parallel. Default true. */
  readonly hedge?: boolean;
  /** Hedge after this long instead of the delay derived from the deployment's observed TTFT. */
  readonly hedgeAfterMs?: number | null;
}

/** Builds a frozen group from deployments (tiers sorted by `tier`, empty tiers dropped). */
export function buildGroup(
  name: string,
  strategy: Strategy,
  deployments: readonly Deployment[],
  aliases: readonly string[] = [],
  hedging: { hedge?: boolean | undefined; hedgeAfterMs?: number | null | undefined } = {},
): Group {
  const tierNumbers = [...new Set(deployments.map((d) => d.tier))].sort((a, b) => a - b);
  const tiers = tierNumbers.map((tier) => Object.freeze(deployments.filter((d) => d.tier === tier)));
  return Object.freeze({
    name,
    strategy,
    tiers: Object.freeze(tiers),
    deployments: Object.freeze(tiers.flat()),
    ...(aliases.length > 0 ? { aliases: Object.freeze([...aliases]) } : {}),
    ...(hedging.hedge === undefined ? {} : { hedge: hedging.hedge }),
    ...(hedging.hedgeAfterMs == null ? {} : { hedgeAfterMs: hedging.hedgeAfterMs }),
  });
}
