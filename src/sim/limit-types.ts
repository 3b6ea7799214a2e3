/**
 * Rate-limit options of the provider simulator: the limits of a key or an organisation, how they are
 * metered (fixed windows or token buckets), and which rate-limit headers a key's answers carry.
 */

/**
 * How per-minute limits (`rpm`, `tpm`, `itpm`, `otpm`) are metered:
 *
 * - `window`: a fixed window of `windowMs` opens at the first request of a key (or org) and counts what was
 *   admitted in it; it resets to full when it ends. `x-ratelimit-reset-*` is the time until the window ends.
 * - `bucket`: a token bucket per limit, as OpenAI, Anthropic and Groq meter: it holds at most
 *   `burst × limit` (the capacity, full at the start), refills continuously at `limit / windowMs` per ms, and a
 *   request is admitted when every bucket it draws on holds its whole charge. `x-ratelimit-reset-*` is the
 *   time until the bucket is full again.
 */
export type SimLimiterKind = "window" | "bucket";

/**
 * Which rate-limit headers a key's answers carry (Gemini sends none in any case, only `RetryInfo` in 429s):
 *
 * - `all`: OpenAI `x-ratelimit-*` (plus `retry-after` and `retry-after-ms` on 429), Anthropic
 *   `anthropic-ratelimit-*` (plus `retry-after` on 429);
 * - `retry-after`: only `retry-after` on 429s;
 * - `none`: none at all, as some OpenAI-compatible servers answer; the 429 body still says how long to wait.
 */
export type SimRateLimitHeaders = "all" | "retry-after" | "none";

/**
 * Limits of a key or an organisation; an absent limit is unlimited. Per-minute limits are per `windowMs`
 * (one minute by default) and metered by the simulator's `limiter`; per-day limits are fixed days (see
 * `SimulatorOptions.dayMs`) in both modes.
 *
 * A request's token charge is its estimated prompt tokens (its input) plus its completion allowance (its
 * output): OpenAI `max_completion_tokens` (else `max_tokens`, else the configured `chunks`), Anthropic
 * `max_tokens`, Gemini `maxOutputTokens` (else `chunks`); embeddings charge their input tokens only. The whole
 * charge is taken at admission and never given back, as OpenAI does.
 */
export interface SimLimits {
  /** Requests per window. */
  rpm?: number;
  /** Tokens (input + output) per window. */
  tpm?: number;
  /** Input (prompt) tokens per window, Anthropic's ITPM. */
  itpm?: number;
  /** Output tokens (the completion allowance) per window, Anthropic's OTPM. */
  otpm?: number;
  /** Requests per day. */
  rpd?: number;
  /** Tokens (input + output) per day. */
  tpd?: number;
  /**
   * Bucket mode: the capacity of each per-minute bucket as a share of its limit, in (0, 1]; e.g. 0.25 lets at
   * most a quarter of `rpm` through at once, then about `rpm / windowMs` per ms. Overrides the simulator's
   * `burst`. Ignored in window mode.
   */
  burst?: number;
}

/** Per API key options. */
export interface SimKeyOptions extends SimLimits {
  /**
   * The organisation (a name in `SimulatorOptions.orgs`) whose limits this key draws on, shared with every
   * other key of that organisation, as Groq, Cerebras and Anthropic limit per organisation: two keys of
   * one org do not double its quota. A key with an `org` has no limits of its own (giving it some too
   * throws); an org missing from `orgs` is unlimited.
   */
  org?: string;
  /** Which rate-limit headers the key's answers carry. Default `all`. */
  rateLimitHeaders?: SimRateLimitHeaders;
}

/** Limits of an organisation, shared by its keys (see {@link SimKeyOptions.org}). */
export type SimOrgOptions = SimLimits;
