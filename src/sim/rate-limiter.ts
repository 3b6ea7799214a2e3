import { formatGoDuration } from "./duration.js";
import type { SimKeyOptions } from "./types.js";

/** Rate-limit response headers (`x-ratelimit-*`, and `retry-after*` on rejections). */
export type RateLimitHeaders = Record<string, string>;

/** A key's limits and its current window, for the rate-limit headers of each wire format. */
export interface LimitState {
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** Requests left in the window (after this request when admitted). */
  readonly requestsRemaining: number;
  /** Tokens left in the window (after this request when admitted). */
  readonly tokensRemaining: number;
  /** Clock time (ms) when the window ends. */
  readonly resetAt: number;
}

/** The limiter's verdict on one request; `headers` are OpenAI's `x-ratelimit-*` (and `retry-after*`). */
export type Admission =
  | {
      readonly admitted: true;
      readonly headers: RateLimitHeaders;
      /** Undefined for keys without limits. */
      readonly state: LimitState | undefined;
    }
  | {
      readonly admitted: false;
      readonly headers: RateLimitHeaders;
      /** OpenAI's error `type`: which limit was hit. */
      readonly limit: "requests" | "tokens";
      /** OpenAI's error message. */
      readonly message: string;
      readonly state: LimitState;
      /** Milliseconds until the window ends (at least 1). */
      readonly retryMs: number;
    };

interface Window {
  start: number;
  requests: number;
  tokens: number;
}

const NO_HEADERS: RateLimitHeaders = Object.freeze({}) as RateLimitHeaders;

/**
 * Per-key fixed windows: a key's window opens at its first request and lasts `windowMs`; requests and
 * tokens admitted in it are counted against `rpm` and `tpm`. A rejected request is not counted.
 */
export class RateLimiter {
  readonly #limits = new Map<string, SimKeyOptions>();
  readonly #windows = new Map<string, Window>();
  readonly #windowMs: number;
  readonly #clock: () => number;

  constructor(windowMs: number, clock: () => number) {
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  /** Sets (or replaces) a key's limits. */
  setLimits(key: string, options: SimKeyOptions): void {
    this.#limits.set(key, { ...options });
  }

  /** Whether the key was declared (by options or `setKey`). */
  isKnown(key: string): boolean {
    return this.#limits.has(key);
  }

  /** Forgets every window counter (limits stay). */
  resetCounters(): void {
    this.#windows.clear();
  }

  /** Admits (and counts) a request costing `tokens`, or rejects it. Keys without limits are always admitted. */
  admit(key: string | null, tokens: number): Admission {
    const limits = key === null ? undefined : this.#limits.get(key);
    if (key === null || limits === undefined || (limits.rpm === undefined && limits.tpm === undefined)) {
      return { admitted: true, headers: NO_HEADERS, state: undefined };
    }
    const now = this.#clock();
    const window = this.#currentWindow(key, now);
    const resetMs = window.start + this.#windowMs - now;
    const { rpm, tpm } = limits;
    if (rpm !== undefined && window.requests + 1 > rpm) {
      const message = `Rate limit reached for requests per min (RPM) on key ${keyLabel(key)}: Limit ${rpm}, Used ${window.requests}, Requested 1.`;
      return this.#reject("requests", message, limits, window, resetMs);
    }
    if (tpm !== undefined && window.tokens + tokens > tpm) {
      const message =
        tokens > tpm
          ? `Request too large for tokens per min (TPM) on key ${keyLabel(key)}: Limit ${tpm}, Requested ${tokens}.`
          : `Rate limit reached for tokens per min (TPM) on key ${keyLabel(key)}: Limit ${tpm}, Used ${window.tokens}, Requested ${tokens}.`;
      return this.#reject("tokens", message, limits, window, resetMs);
    }
    window.requests += 1;
    window.tokens += tokens;
    return {
      admitted: true,
      headers: limitHeaders(limits, window, resetMs),
      state: limitState(limits, window, window.start + this.#windowMs),
    };
  }

  #currentWindow(key: string, now: number): Window {
    let window = this.#windows.get(key);
    if (window === undefined || now >= window.start + this.#windowMs || now < window.start) {
      window = { start: now, requests: 0, tokens: 0 };
      this.#windows.set(key, window);
    }
    return window;
  }

  #reject(
    limit: "requests" | "tokens",
    reason: string,
    limits: SimKeyOptions,
    window: Window,
    resetMs: number,
  ): Admission {
    const retryMs = Math.max(1, Math.ceil(resetMs));
    const headers = limitHeaders(limits, window, resetMs);
    headers["retry-after"] = String(Math.ceil(retryMs / 1000));
    headers["retry-after-ms"] = String(retryMs);
    const message = `${reason} Please try again in ${formatGoDuration(retryMs)}.`;
    const state = limitState(limits, window, window.start + this.#windowMs);
    return { admitted: false, headers, limit, message, state, retryMs };
  }
}

function limitState(limits: SimKeyOptions, window: Window, resetAt: number): LimitState {
  return {
    rpm: limits.rpm,
    tpm: limits.tpm,
    requestsRemaining: limits.rpm === undefined ? 0 : Math.max(0, limits.rpm - window.requests),
    tokensRemaining: limits.tpm === undefined ? 0 : Math.max(0, limits.tpm - window.tokens),
    resetAt,
  };
}

function limitHeaders(limits: SimKeyOptions, window: Window, resetMs: number): RateLimitHeaders {
  const headers: RateLimitHeaders = {};
  const reset = formatGoDuration(resetMs);
  if (limits.rpm !== undefined) {
    headers["x-ratelimit-limit-requests"] = String(limits.rpm);
    headers["x-ratelimit-remaining-requests"] = String(Math.max(0, limits.rpm - window.requests));
    headers["x-ratelimit-reset-requests"] = reset;
  }
  if (limits.tpm !== undefined) {
    headers["x-ratelimit-limit-tokens"] = String(limits.tpm);
    headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, limits.tpm - window.tokens));
    headers["x-ratelimit-reset-tokens"] = reset;
  }
  return headers;
}

/** Shows only the end of a key, as OpenAI does. */
export function keyLabel(key: string): string {
  return key.length <= 4 ? key : `...${key.slice(-4)}`;
}
