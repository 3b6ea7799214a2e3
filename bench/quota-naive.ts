/**
 * The naive baseline of `npm run bench:quota`, modelled on the seed library `@upstash/model-multiplexer`:
 * weighted random choice among the keys not cooling down; an upstream 429 (or 529) cools that key for a
 * fixed time (60 s there; the bench scales it with the rate-limit window) and the next key is tried;
 * every other answer (5xx, reset) goes back to the caller; when every key cools, it answers 429 without
 * Retry-After (upstash computes none).
 */
import type { Answer } from "./quota-calls.js";

/** One key of the pool. */
export interface NaiveKey {
  readonly id: string;
  readonly weight: number;
  /** Sends the request with this key. */
  readonly send: () => Promise<Answer>;
}

const ALL_COOLING: Answer = { status: 429, retryAfter: false };

export class NaiveRouter {
  readonly #coolUntil = new Map<string, number>();

  constructor(
    private readonly keys: readonly NaiveKey[],
    private readonly cooldownMs: number,
    private readonly rng: () => number,
  ) {}

  #pick(candidates: readonly NaiveKey[]): NaiveKey | undefined {
    const total = candidates.reduce((sum, key) => sum + key.weight, 0);
    let point = this.rng() * total;
    for (const key of candidates) {
      point -= key.weight;
      if (point < 0) return key;
    }
    return candidates[candidates.length - 1];
  }

  /** One caller request: tries keys until one answers something other than 429/529. */
  async create(): Promise<Answer> {
    const tried = new Set<string>();
    let lastRateLimit: Answer | null = null;
    for (let round = 0; round < this.keys.length; round += 1) {
      const now = Date.now();
      const candidates = this.keys.filter(
        (key) => !tried.has(key.id) && (this.#coolUntil.get(key.id) ?? 0) <= now,
      );
      const key = this.#pick(candidates);
      if (key === undefined) break;
      tried.add(key.id);
      const answer = await key.send();
      if (answer.status !== 429 && answer.status !== 529) return answer;
      this.#coolUntil.set(key.id, Date.now() + this.cooldownMs);
      lastRateLimit = answer;
    }
    return lastRateLimit ?? ALL_COOLING;
  }
}
