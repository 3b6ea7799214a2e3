import type { AimdPolicy, BucketCost, BucketMark, BucketMode, HeaderMap } from "../../types/index.js";
import type { RateLimitSnapshot } from "../../util/index.js";

/** What a request costs its deployment's bucket: 1 request and its token estimate (a 0 is not metered). */
export type CapacityCost = BucketCost;

/**
 * The verdict of `LearnedCapacity.take`. A granted take carries its `mark`, to hand back with the
 * answer (null when nothing was charged). A denied one says when it can (`retryAt`) and why: a
 * dimension that is short, or `slow_start` (nothing learned yet and enough requests in flight).
 */
export type CapacityTake =
  | { ok: true; mark: BucketMark | null }
  | { ok: false; retryAt: number; reason: "requests" | "tokens" | "slow_start" };

/** How an attempt ended: answered, answered 429, or failed after reaching the provider (5xx, timeout, reset). */
export type CapacityOutcome = "success" | "rate_limited" | "failed";

/** One answer (or failure after the request reached the provider), for `LearnedCapacity.observe`. */
export interface CapacityObservation {
  /** When the request was sent: the `now` of its take. */
  sentAt: number;
  /** When its answer (its headers) arrived. */
  at: number;
  /** The mark its take returned; null when it was not taken through the gate. */
  mark: BucketMark | null;
  /** What its take charged. */
  cost: CapacityCost;
  outcome: CapacityOutcome;
  /**
   * The answer's rate-limit headers, as the raw lower-case headers (best: durations are anchored at
   * `sentAt` and the reset precision is read) or a snapshot parsed with `rateLimitSnapshot(headers,
   * sentAt)`; null when it had none.
   */
  rateLimits: HeaderMap | RateLimitSnapshot | null;
  /** A 429's wait from `at` (Retry-After, retry-after-ms, Gemini RetryInfo), or null. */
  retryAfterMs: number | null;
  /** The real total tokens, once known: settles a charge that was too small (never refunds). */
  usedTokens: number | null;
}

/** One dimension of a bucket, for /status and /metrics. */
export interface CapacityDimensionView {
  /** Learned capacity (the burst), in units; null while unknown. */
  capacity: number | null;
  /** Learned refill, units per minute; null while unknown. */
  refillPerMinute: number | null;
  /** What the mirror says is left now (negative while a 429 holds it back); null while unknown. */
  remaining: number | null;
  /** Charged by this node's requests still waiting for their answer. */
  inFlight: number;
}

/** What llmux has learned about one bucket (a deployment, or a quota group's model). */
export interface CapacityView {
  key: string;
  /** `headers`: learned from rate-limit headers; `aimd`: paced from 429s alone; `unknown`: nothing yet. */
  mode: BucketMode;
  requests: CapacityDimensionView;
  tokens: CapacityDimensionView;
  /** Answers seen (every node), and how many were 429s. */
  answers: number;
  rejected: number;
  /** Buckets whose traffic this one's provider counts too: they should share a `quota_group`. */
  sharedWith: string[];
  /** No answer for `staleMs`: what was learned may be out of date. */
  stale: boolean;
  /** When the last answer was observed, or null. */
  observedAt: number | null;
}

/** Settings of `LearnedCapacity`; every one has a default. */
export interface LearnedCapacityOptions {
  /** Without an answer for this long, a bucket's estimate is stale (slow start again). Default 300 000. */
  staleMs?: number;
  /** Answers older than this are not fitted any more. Default 600 000. */
  historyMs?: number;
  /** Answers fitted per dimension (the newest). Default 32. */
  historySize?: number;
  /** Requests in flight allowed on a bucket with nothing learned (or stale). Default 2. */
  slowStartInFlight?: number;
  /** When a take refused by the slow-start cap may try again, ms. Default 250. */
  slowStartRetryMs?: number;
  /** This node's in-flight count of a bucket is dropped after this long without takes or answers (lost answers). Default 600 000. */
  inFlightExpiryMs?: number;
  /** Pacing of buckets without headers (see `AimdPolicy`). */
  aimd?: Partial<AimdPolicy>;
  /** Refill windows a limit header may be metered over, ms. Default 1 s, 1 min, 1 h, 1 day. */
  windowsMs?: readonly number[];
  /** The window a limit header is read as, unless its answers say otherwise (a minute). Default 60 000. */
  minuteMs?: number;
}
