import type { Failure } from "../../types/index.js";
import type { Deployment } from "../plan.js";
import type { RequestSession } from "./request-session.js";

/**
 * A request's memory of which deployments not to try (again): failed ones, ones at their capacity
 * until it frees, and after a context-length failure everything not known to be larger.
 */
export class Exclusions {
  // The collections are made on first use: a request answered at the first attempt makes none.
  #excluded: Set<string> | null = null;
  #retries: Map<string, number> | null = null;
  #pendingRetry: Set<string> | null = null;
  #contextModels: Set<string> | null = null;
  #full: Map<string, number> | null = null;
  /** After a context-length failure: only deployments whose window is larger than this. */
  minContextWindow: number | null = null;
  contextFailure: Failure | null = null;
  /** The last "this provider cannot express the request" failure: returned when nothing else can serve it. */
  unsupportedFailure: Failure | null = null;
  lastFailure: Failure | null = null;
  /** A tier told to wait (429 with Retry-After within the wait budget): lower tiers wait until then. */
  waitFor: { tier: number; until: number } | null = null;
  /** The request waited for a tier once already (a second 429 there fails over at once). */
  waitedForTier = false;
  /** A deployment to retry at once after a short pause (a one-off failure on its tier's only deployment). */
  retryNow: string | null = null;

  constructor(private readonly session: RequestSession) {}

  /** Deployments not to try again. */
  get excluded(): Set<string> {
    return (this.#excluded ??= new Set());
  }

  /** Same-deployment retries used, by deployment. */
  get retries(): Map<string, number> {
    return (this.#retries ??= new Map());
  }

  /** Excluded after a transient failure, to be tried once more when nothing else is left. */
  get pendingRetry(): Set<string> {
    return (this.#pendingRetry ??= new Set());
  }

  /** Models that failed on context length (their other deployments are not larger). */
  get contextModels(): Set<string> {
    return (this.#contextModels ??= new Set());
  }

  /** Deployments whose capacity is used up, with when it frees (checked against the clock). */
  get full(): Map<string, number> {
    return (this.#full ??= new Map());
  }

  /** Whether `deployment` may take this request now (the selector's filter). */
  readonly eligible = (deployment: Deployment): boolean => {
    if (this.#excluded !== null && this.#excluded.has(deployment.id)) return false;
    if (this.session.allow !== null && !this.session.allow(deployment)) return false;
    const { parts } = this.session;
    const now = parts.clock.now();
    const full = this.#full;
    if (full !== null && full.size > 0 && (full.get(deployment.id) ?? 0) > now) return false;
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
    if (this.#contextModels !== null && this.#contextModels.has(deployment.model)) return false;
    const window = deployment.contextWindow ?? parts.windows.get(deployment.id) ?? null;
    return window === null || window > this.minContextWindow;
  };

  /** When the first full deployment frees, or null. */
  earliestFull(now: number): number | null {
    let earliest: number | null = null;
    if (this.#full === null) return earliest;
    for (const at of this.#full.values())
      if (at > now) earliest = earliest === null ? at : Math.min(earliest, at);
    return earliest;
  }
}
