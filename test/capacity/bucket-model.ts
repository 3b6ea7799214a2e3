/**
 * A faithful model of a provider's rate limiter, as OpenAI, Anthropic and Groq meter: one token bucket
 * per limit, holding at most `burst × limit` (full at the start), refilling continuously at
 * `limit / windowMs`; a request is admitted when every bucket holds its whole charge, which is taken
 * at admission and never given back; a rejected request takes nothing. Answers carry the headers of
 * the chosen style, computed at admission.
 */

export interface ModelLimit {
  limit: number;
  windowMs: number;
  /** Capacity as a share of the limit, in (0, 1]. */
  burst: number;
}

/** `openai`: x-ratelimit-* with Go durations (Groq too); `anthropic`: RFC 3339 resets truncated to the second; `none`: Retry-After on 429s only. */
export type HeaderStyle = "openai" | "anthropic" | "none";

export interface ModelAnswer {
  status: 200 | 429;
  headers: Record<string, string>;
  /** A 429's Retry-After in ms (as the client reads it), else null. */
  retryAfterMs: number | null;
}

export class ModelBucket {
  readonly capacity: number;
  /** Units per ms. */
  readonly rate: number;
  readonly limit: number;
  #level: number;
  #at: number;

  constructor(limit: ModelLimit, start: number) {
    this.limit = limit.limit;
    this.capacity = limit.burst * limit.limit;
    this.rate = limit.limit / limit.windowMs;
    this.#level = this.capacity;
    this.#at = start;
  }

  level(now: number): number {
    return Math.min(this.capacity, this.#level + this.rate * Math.max(0, now - this.#at));
  }

  holds(now: number, cost: number): boolean {
    return cost <= 0 || this.level(now) >= Math.min(cost, this.capacity);
  }

  /** Takes `cost` (the caller checked `holds`). */
  take(now: number, cost: number): void {
    this.#level = this.level(now) - cost;
    this.#at = Math.max(this.#at, now);
  }

  timeToFull(now: number): number {
    return (this.capacity - this.level(now)) / this.rate;
  }

  /** ms until it holds `cost`. */
  waitFor(now: number, cost: number): number {
    return Math.max(0, (Math.min(cost, this.capacity) - this.level(now)) / this.rate);
  }
}

/** Go's `time.Duration.String` at millisecond precision: `20ms`, `1s`, `1m2.5s`, `6m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  const whole = Math.round(ms);
  if (whole === 0) return "0s";
  if (whole < 1_000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = String(((whole % 60_000) / 1_000).toFixed(3)).replace(/\.?0+$/, "");
  return `${hours > 0 ? `${hours}h` : ""}${hours > 0 || minutes > 0 ? `${minutes}m` : ""}${seconds}s`;
}

/** RFC 3339 at second precision, truncated (as `datetime.isoformat(timespec="seconds")`). */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace(".000Z", "Z");
}

export interface ModelProviderOptions {
  requests?: ModelLimit;
  tokens?: ModelLimit;
  style: HeaderStyle;
  start: number;
}

/** A provider key: its buckets and how it answers. */
export class ModelProvider {
  readonly requests: ModelBucket | null;
  readonly tokens: ModelBucket | null;
  readonly style: HeaderStyle;

  constructor(options: ModelProviderOptions) {
    this.requests = options.requests ? new ModelBucket(options.requests, options.start) : null;
    this.tokens = options.tokens ? new ModelBucket(options.tokens, options.start) : null;
    this.style = options.style;
  }

  /** Admits (and charges) a request at `now`, or rejects it; answers with the style's headers. */
  answer(now: number, tokens: number): ModelAnswer {
    const admitted = (this.requests?.holds(now, 1) ?? true) && (this.tokens?.holds(now, tokens) ?? true);
    if (admitted) {
      this.requests?.take(now, 1);
      this.tokens?.take(now, tokens);
    }
    const headers = this.#headers(now);
    if (admitted) return { status: 200, headers, retryAfterMs: null };
    const wait = Math.max(this.requests?.waitFor(now, 1) ?? 0, this.tokens?.waitFor(now, tokens) ?? 0);
    const seconds = Math.max(1, Math.ceil(wait / 1_000));
    headers["retry-after"] = String(seconds);
    if (this.style === "openai") headers["retry-after-ms"] = String(Math.max(1, Math.ceil(wait)));
    return {
      status: 429,
      headers,
      retryAfterMs: this.style === "openai" ? Math.max(1, Math.ceil(wait)) : seconds * 1_000,
    };
  }

  #headers(now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    const dimensions = [
      ["requests", this.requests],
      ["tokens", this.tokens],
    ] as const;
    for (const [name, bucket] of dimensions) {
      if (bucket === null) continue;
      const remaining = String(Math.max(0, Math.floor(bucket.level(now))));
      if (this.style === "openai") {
        headers[`x-ratelimit-limit-${name}`] = String(bucket.limit);
        headers[`x-ratelimit-remaining-${name}`] = remaining;
        headers[`x-ratelimit-reset-${name}`] = goDuration(bucket.timeToFull(now));
      } else if (this.style === "anthropic") {
        headers[`anthropic-ratelimit-${name}-limit`] = String(bucket.limit);
        headers[`anthropic-ratelimit-${name}-remaining`] = remaining;
        headers[`anthropic-ratelimit-${name}-reset`] = rfc3339Seconds(now + bucket.timeToFull(now));
      }
    }
    return headers;
  }
}

/** Deterministic rng (mulberry32). */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential gap with mean `meanMs` (Poisson arrivals). */
export function exponential(rng: () => number, meanMs: number): number {
  return -Math.log(1 - rng()) * meanMs;
}
