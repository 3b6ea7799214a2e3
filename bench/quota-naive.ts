/**
 * The naive baseline of `npm run bench:quota`, modelled on the seed library `@upstash/model-multiplexer`:
 * weighted random choice among the keys not cooling down; an upstream 429 (or 529) cools that key for a
 * fixed time (60 s there; the bench scales it with the rate-limit window) and the next key is tried;
 * every other error (5xx, reset) is thrown to the caller; when every key cools, it throws.
 */
import type OpenAI from "openai";

/** One key of the pool. */
export interface NaiveKey {
  id: string;
  client: OpenAI;
  weight: number;
}

/** Thrown when every key is cooling down (status 429, no Retry-After: upstash computes none). */
export class NaiveAllCoolingError extends Error {
  readonly status = 429;
}

function statusOf(error: unknown): number | null {
  if (typeof error !== "object" || error === null || !("status" in error)) return null;
  const status = (error as { status: unknown }).status;
  return typeof status === "number" ? status : null;
}

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

  async create(params: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<OpenAI.ChatCompletion> {
    const tried = new Set<string>();
    let lastRateLimit: unknown = null;
    for (let round = 0; round < this.keys.length; round += 1) {
      const now = Date.now();
      const candidates = this.keys.filter(
        (key) => !tried.has(key.id) && (this.#coolUntil.get(key.id) ?? 0) <= now,
      );
      const key = this.#pick(candidates);
      if (key === undefined) break;
      tried.add(key.id);
      try {
        return await key.client.chat.completions.create(params);
      } catch (error) {
        const status = statusOf(error);
        if (status !== 429 && status !== 529) throw error;
        this.#coolUntil.set(key.id, Date.now() + this.cooldownMs);
        lastRateLimit = error;
      }
    }
    if (lastRateLimit !== null) throw lastRateLimit;
    throw new NaiveAllCoolingError("every key is cooling down");
  }
}
