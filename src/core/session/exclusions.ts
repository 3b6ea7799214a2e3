import type { Failure } from "../../types/index.js";
import type { Deployment } from "../plan.js";
import type { RequestSession } from "./request-session.js";

/**
 * A request's memory of which deployments not to try (again): failed ones, ones at their capacity
 * until it frees, and after a context-length failure everything not known to be larger.
 */
export class Exclusions {
  readonly excluded = new Set<string>();
  readonly retries = new Map<string, number>();
  /** Excluded after a transient failure, to be tried once more when nothing else is left. */
  readonly pendingRetry = new Set<string>();
  /** After a context-length failure: only deployments whose window is larger than this. */
  minContextWindow: number | null = null;
  contextFailure: Failure | null = null;
  /** The last "this provider cannot express the request" failure: returned when nothing else can serve it. */
  unsupportedFailure: Failure | null = null;
  readonly contextModels = new Set<string>();
  lastFailure: Failure | null = null;
  /** Deployments whose capacity is used up, with when it frees (checked against the clock). */
  readonly full = new Map<string, number>();
  /** A tier told to wait (429 with Retry-After within the wait budget): lower tiers wait until then. */
  waitFor: { tier: number; until: number } | null = null;
  /** The request waited for a tier once already (a second 429 there fails over at once). */
  waitedForTier = false;
  /** A deployment to retry at once after a short pause (a one-off failure on its tier's only deployment). */
  retryNow: string | null = null;

  constructor(private readonly session: RequestSession) {}

  /** Whether `deployment` may take this request now (the selector's filter). */
  readonly eligible = (deployment: Deployment): boolean => {
    if (this.excluded.has(deployment.id)) return false;
    if (this.session.allow !== null && !this.session.allow(deployment)) return false;
    const { parts } = this.session;
    const now = parts.clock.now();
    if (this.full.size > 0 && (this.full.get(deployment.id) ?? 0) > now) return false;
    const blocked = parts.capacity.blockedUntil(deployment, now, this.session.requestTokens(deployment));
    if (blocked !== null) {
      this.full.set(deployment.id, blocked);
      return false;
    }
    if (parts.windows.size > 0) {
      // A window learned from an earlier context-length error: long prompts go elsewhere up front.
      const window = parts.windows.get(deployment.id);
      if (window !== undefined && this.session.requestTokens(deployment) > window) return false;
    }
    if (this.minContextWindow === null) return true;
    if (this.contextModels.has(deployment.model)) return false;
    const window = deployment.contextWindow ?? parts.windows.get(deployment.id) ?? null;
    return window === null || window > this.minContextWindow;
  };

  /** When the first full deployment frees, or null. */
  earliestFull(now: number): number | null {
    let earliest: number | null = null;
    for (const at of this.full.values())
      if (at > now) earliest = earliest === null ? at : Math.min(earliest, at);
    return earliest;
  }
}
