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

  constructor(private readonly session: RequestSession) {}

  /** Whether `deployment` may take this request now (the selector's filter). */
  readonly eligible = (deployment: Deployment): boolean => {
    if (this.excluded.has(deployment.id)) return false;
    const { parts } = this.session;
    const now = parts.clock.now();
    if (this.full.size > 0 && (this.full.get(deployment.id) ?? 0) > now) return false;
    const blocked = parts.capacity.blockedUntil(deployment, now, this.session.requestTokens(deployment));
    if (blocked !== null) {
      this.full.set(deployment.id, blocked);
      return false;
    }
    if (this.minContextWindow === null) return true;
    if (this.contextModels.has(deployment.model)) return false;
    return deployment.contextWindow !== null && deployment.contextWindow > this.minContextWindow;
  };

  /** When the first full deployment frees, or null. */
  earliestFull(now: number): number | null {
    let earliest: number | null = null;
    for (const at of this.full.values())
      if (at > now) earliest = earliest === null ? at : Math.min(earliest, at);
    return earliest;
  }
}
