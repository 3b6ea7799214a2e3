import type { SimFault, SimFaultKind } from "./types.js";

/**
 * Which endpoint a request is for: OpenAI chat completions, embeddings, Anthropic messages or Gemini
 * generateContent. Embeddings only see `status`, `reset` and `hang` faults; `blocked` faults only Gemini.
 */
export type FaultRoute = "chat" | "embeddings" | "anthropic" | "gemini";

/** Fault kinds that act before authentication and rate limiting. */
const EARLY_KINDS: ReadonlySet<SimFaultKind> = new Set(["status", "reset", "hang", "prefill-rejected"]);

/** Whether a fault acts before authentication, validation and rate limiting. */
export function isEarlyFault(fault: SimFault): boolean {
  return EARLY_KINDS.has(fault.kind);
}

function appliesTo(fault: SimFault, route: FaultRoute, prefill: boolean): boolean {
  if (fault.kind === "slow") return false;
  if (fault.kind === "prefill-rejected") return prefill && route !== "embeddings";
  if (route === "embeddings") return isEarlyFault(fault);
  return fault.kind !== "blocked" || route === "gemini";
}

interface Entry {
  readonly fault: SimFault;
  remaining: number | undefined;
  /** Simulator clock time after which the fault is gone (`forMs`). */
  readonly until: number;
}

/** The ordered list of injected faults: first match wins, `times` counts down and removes the fault at 0. */
export class FaultList {
  #entries: Entry[] = [];

  constructor(private readonly clock: () => number = Date.now) {}

  add(fault: SimFault): void {
    if (fault.times !== undefined && !(fault.times > 0)) return;
    const until = fault.forMs === undefined ? Number.POSITIVE_INFINITY : this.clock() + fault.forMs;
    this.#entries.push({ fault: { ...fault }, remaining: fault.times, until });
  }

  clear(): void {
    this.#entries = [];
  }

  /**
   * The first fault matching the request, without consuming it; `prefill`: the request ends with an
   * assistant turn (only such requests match `prefill-rejected`). `slow` faults are never returned
   * (see `takeDelay`).
   */
  find(route: FaultRoute, key: string | null, model: string | null, prefill = false): SimFault | undefined {
    if (this.#entries.length === 0) return undefined;
    this.#expire();
    for (const entry of this.#entries) {
      const fault = entry.fault;
      if (fault.key !== undefined && fault.key !== key) continue;
      if (fault.model !== undefined && fault.model !== model) continue;
      if (!appliesTo(fault, route, prefill)) continue;
      return fault;
    }
    return undefined;
  }

  /** The delay of the first `slow` fault matching the request (consumed), or 0. */
  takeDelay(key: string | null, model: string | null): number {
    if (this.#entries.length === 0) return 0;
    this.#expire();
    const entry = this.#entries.find(
      ({ fault }) =>
        fault.kind === "slow" &&
        (fault.key === undefined || fault.key === key) &&
        (fault.model === undefined || fault.model === model),
    );
    if (entry === undefined) return 0;
    this.consume(entry.fault);
    return Math.max(0, entry.fault.delayMs ?? 1000);
  }

  /** Counts one use of a fault returned by `find`, removing it when its `times` run out. */
  consume(fault: SimFault): void {
    const index = this.#entries.findIndex((entry) => entry.fault === fault);
    const entry = this.#entries[index];
    if (entry === undefined || entry.remaining === undefined) return;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#entries.splice(index, 1);
  }

  #expire(): void {
    const now = this.clock();
    if (this.#entries.some((entry) => entry.until <= now))
      this.#entries = this.#entries.filter((entry) => entry.until > now);
  }
}
