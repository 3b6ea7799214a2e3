import type { SimFault, SimFaultKind } from "./types.js";

/**
 * Which endpoint a request is for: OpenAI chat completions, embeddings, Anthropic messages or Gemini
 * generateContent. Embeddings only see `status`, `reset` and `hang` faults; `blocked` faults only Gemini.
 */
export type FaultRoute = "chat" | "embeddings" | "anthropic" | "gemini";

/** Fault kinds that act before authentication and rate limiting. */
const EARLY_KINDS: ReadonlySet<SimFaultKind> = new Set(["status", "reset", "hang"]);

/** Whether a fault acts before authentication, validation and rate limiting. */
export function isEarlyFault(fault: SimFault): boolean {
  return EARLY_KINDS.has(fault.kind);
}

function appliesTo(fault: SimFault, route: FaultRoute): boolean {
  if (route === "embeddings") return isEarlyFault(fault);
  return fault.kind !== "blocked" || route === "gemini";
}

interface Entry {
  readonly fault: SimFault;
  remaining: number | undefined;
}

/** The ordered list of injected faults: first match wins, `times` counts down and removes the fault at 0. */
export class FaultList {
  #entries: Entry[] = [];

  add(fault: SimFault): void {
    if (fault.times !== undefined && !(fault.times > 0)) return;
    this.#entries.push({ fault: { ...fault }, remaining: fault.times });
  }

  clear(): void {
    this.#entries = [];
  }

  /** The first fault matching the request, without consuming it. */
  find(route: FaultRoute, key: string | null, model: string | null): SimFault | undefined {
    if (this.#entries.length === 0) return undefined;
    for (const entry of this.#entries) {
      const fault = entry.fault;
      if (fault.key !== undefined && fault.key !== key) continue;
      if (fault.model !== undefined && fault.model !== model) continue;
      if (!appliesTo(fault, route)) continue;
      return fault;
    }
    return undefined;
  }

  /** Counts one use of a fault returned by `find`, removing it when its `times` run out. */
  consume(fault: SimFault): void {
    const index = this.#entries.findIndex((entry) => entry.fault === fault);
    const entry = this.#entries[index];
    if (entry === undefined || entry.remaining === undefined) return;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#entries.splice(index, 1);
  }
}
