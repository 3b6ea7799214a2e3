import type { StateStore } from "../types/index.js";
import { hasLimits, type Deployment } from "./plan.js";

/** Requests (and their charged tokens) started on one deployment, oldest first, bounded. */
interface Starts {
  times: number[];
  tokens: number[];
}

const keptStarts = 4096;

/**
 * What each deployment can still take, from two sources: the configured limits (the store's
 * sliding windows) and what the provider last reported in its rate-limit headers, minus the
 * requests this node started since that report. Blocks a deployment the provider says is
 * exhausted until its reset, and scales selection weights by the headroom left, so upstream 429s
 * become rare instead of being the signal. Snapshots older than `staleMs` are ignored.
 */
export class QuotaGate {
  readonly #starts = new Map<string, Starts>();

  constructor(
    private readonly store: StateStore,
    private readonly windowMs: number,
    private readonly staleMs: number,
  ) {}

  /** Notes that a request charged with `tokens` started on the deployment at `at`. */
  noteStart(deploymentId: string, at: number, tokens: number): void {
    let starts = this.#starts.get(deploymentId);
    if (!starts) {
      starts = { times: [], tokens: [] };
      this.#starts.set(deploymentId, starts);
    }
    starts.times.push(at);
    starts.tokens.push(tokens);
    if (starts.times.length > keptStarts) {
      starts.times.splice(0, keptStarts / 2);
      starts.tokens.splice(0, keptStarts / 2);
    }
  }

  /** Requests and tokens started strictly after `since`. */
  #startedAfter(deploymentId: string, since: number): { requests: number; tokens: number } {
    const starts = this.#starts.get(deploymentId);
    if (!starts) return { requests: 0, tokens: 0 };
    let low = 0;
    let high = starts.times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((starts.times[mid] ?? 0) <= since) low = mid + 1;
      else high = mid;
    }
    let tokens = 0;
    for (let index = low; index < starts.tokens.length; index += 1) tokens += starts.tokens[index] ?? 0;
    return { requests: starts.times.length - low, tokens };
  }

  /** When the provider's last report says the deployment can take this request; null = now. */
  blockedUntil(deployment: Deployment, now: number, tokens: number): number | null {
    const quota = this.store.quota(deployment.id);
    if (!quota || now - quota.at > this.staleMs) return null;
    const started = this.#startedAfter(deployment.id, quota.at);
    const requests = quota.requests;
    if (requests && requests.remaining !== null && requests.resetAt !== null && requests.resetAt > now) {
      if (requests.remaining - started.requests <= 0) return requests.resetAt;
    }
    const budget = quota.tokens;
    if (
      tokens > 0 &&
      budget &&
      budget.remaining !== null &&
      budget.resetAt !== null &&
      budget.resetAt > now
    ) {
      const needed = budget.limit === null ? tokens : Math.min(tokens, budget.limit);
      if (budget.remaining - started.tokens < needed) return budget.resetAt;
    }
    return null;
  }

  /** The share of its capacity a deployment has left (0.02–1): scales its selection weight. */
  headroom(deployment: Deployment, now: number): number {
    let headroom = 1;
    const limits = deployment.limits;
    if (limits && hasLimits(deployment)) {
      const used = this.store.usage(deployment.id, now, this.windowMs);
      if (limits.rpm !== null) headroom = Math.min(headroom, 1 - used.requests / limits.rpm);
      if (limits.tpm !== null) headroom = Math.min(headroom, 1 - used.tokens / limits.tpm);
    }
    const quota = this.store.quota(deployment.id);
    if (quota && now - quota.at <= this.staleMs) {
      const requests = quota.requests;
      if (
        requests &&
        requests.remaining !== null &&
        requests.limit &&
        requests.resetAt !== null &&
        requests.resetAt > now
      ) {
        const started = this.#startedAfter(deployment.id, quota.at).requests;
        headroom = Math.min(headroom, (requests.remaining - started) / requests.limit);
      }
    }
    return Math.min(1, Math.max(0.02, headroom));
  }

  /**
   * How many requests (each charged `tokens`) the deployment can take between now and `now + horizonMs`:
   * what is left of its configured window plus what the window frees meanwhile, capped by what the
   * provider last reported (its remaining, plus its whole limit if the reset falls inside the
   * horizon). Infinity when nothing bounds it.
   */
  slotsWithin(deployment: Deployment, now: number, horizonMs: number, tokens: number): number {
    const health = this.store.health(deployment.id);
    if (health.disabledReason !== null) return 0;
    if (
      Math.max(health.cooldownUntil, health.circuit === "open" ? health.circuitOpenUntil : 0) >
      now + horizonMs
    )
      return 0;
    let slots = Number.POSITIVE_INFINITY;
    const refill = horizonMs / this.windowMs;
    const limits = deployment.limits;
    if (limits && hasLimits(deployment)) {
      const used = this.store.usage(deployment.id, now, this.windowMs);
      if (limits.rpm !== null) slots = Math.max(0, limits.rpm - used.requests) + limits.rpm * refill;
      if (limits.tpm !== null && tokens > 0)
        slots = Math.min(slots, (Math.max(0, limits.tpm - used.tokens) + limits.tpm * refill) / tokens);
      if (limits.rpd !== null) slots = Math.min(slots, Math.max(0, limits.rpd - used.requestsToday));
    }
    const quota = this.store.quota(deployment.id);
    if (quota && now - quota.at <= this.staleMs) {
      const started = this.#startedAfter(deployment.id, quota.at);
      const requests = quota.requests;
      if (requests && requests.remaining !== null && requests.resetAt !== null && requests.resetAt > now) {
        const resets = requests.resetAt <= now + horizonMs ? (requests.limit ?? 0) : 0;
        slots = Math.min(slots, Math.max(0, requests.remaining - started.requests) + resets);
      }
      const budget = quota.tokens;
      if (
        tokens > 0 &&
        budget &&
        budget.remaining !== null &&
        budget.resetAt !== null &&
        budget.resetAt > now
      ) {
        const resets = budget.resetAt <= now + horizonMs ? (budget.limit ?? 0) : 0;
        slots = Math.min(slots, (Math.max(0, budget.remaining - started.tokens) + resets) / tokens);
      }
    }
    return Math.floor(slots);
  }

  clear(): void {
    this.#starts.clear();
  }
}
