import type { HeaderMap } from "../../types/index.js";
import { rateLimitSnapshot, type RateLimitDimension, type RateLimitSnapshot } from "../../util/index.js";

/** One answer's report on one dimension of its bucket: a point on the line R = C − r·T. */
export interface BucketPoint {
  /** When the answered request was sent, epoch ms. */
  at: number;
  /** Time from the send until the provider's bucket is full again, ms. */
  timeToFull: number;
  /** What the provider said was left right after the request. */
  remaining: number;
  /** The provider's limit header, or null. */
  limit: number | null;
  /** Precision of `timeToFull`, ms: 1000 for Anthropic's whole-second timestamps. */
  resolution: number;
}

/** What an answer says about one dimension. */
export interface DimensionReading {
  remaining: number;
  limit: number | null;
  /** Null when the answer gave no reset time. */
  point: BucketPoint | null;
}

/** What an answer says about its bucket's requests and tokens (null: nothing). */
export interface AnswerReadings {
  requests: DimensionReading | null;
  tokens: DimensionReading | null;
}

const wholeSeconds = 1_000;
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?/i;
const seconds = /^\d+(?:\.(\d+))?$/;

/** The precision of a reset header's value: whole-second timestamps and seconds are 1000 ms, Go durations 1 ms. */
function resolutionOf(text: string | undefined): number {
  if (text === undefined) return 1;
  const trimmed = text.trim();
  const stamp = timestamp.exec(trimmed);
  if (stamp) return stamp[1] === undefined ? wholeSeconds : Math.max(1, 1_000 / 10 ** (stamp[1].length - 1));
  const plain = seconds.exec(trimmed);
  if (plain) return plain[1] === undefined ? wholeSeconds : Math.max(1, 1_000 / 10 ** plain[1].length);
  return 1;
}

function isSnapshot(value: HeaderMap | RateLimitSnapshot): value is RateLimitSnapshot {
  return typeof (value as { at?: unknown }).at === "number";
}

function reading(
  dimension: RateLimitDimension | null,
  sentAt: number,
  resolution: number,
): DimensionReading | null {
  if (dimension === null || dimension.remaining === null) return null;
  const { remaining, limit, resetAt } = dimension;
  if (resetAt === null) return { remaining, limit, point: null };
  // A whole-second reset may be rounded either way: count half a second less (errs small when truncated).
  const timeToFull = resetAt - sentAt - (resolution >= wholeSeconds ? resolution / 2 : 0);
  return { remaining, limit, point: { at: sentAt, timeToFull, remaining, limit, resolution } };
}

/**
 * Reads an answer's rate-limit headers: the raw lower-case headers (parsed here, Go durations
 * anchored at the send, as the provider computed them at admission) or a snapshot parsed with
 * `rateLimitSnapshot(headers, sentAt)`. Anthropic's `tokens` falls back to `input-tokens`. A snapshot
 * whose reset falls on a whole second is taken as second precision.
 */
export function answerReadings(
  rateLimits: HeaderMap | RateLimitSnapshot | null,
  sentAt: number,
): AnswerReadings {
  if (rateLimits === null) return { requests: null, tokens: null };
  if (isSnapshot(rateLimits)) {
    const precision = (dimension: RateLimitDimension | null) =>
      dimension?.resetAt != null && dimension.resetAt % wholeSeconds === 0 ? wholeSeconds : 1;
    const tokens = rateLimits.tokens ?? rateLimits.inputTokens;
    return {
      requests: reading(rateLimits.requests, sentAt, precision(rateLimits.requests)),
      tokens: reading(tokens, sentAt, precision(tokens)),
    };
  }
  const snapshot = rateLimitSnapshot(rateLimits, sentAt);
  if (snapshot === null) return { requests: null, tokens: null };
  const reset = (openai: string, anthropic: string) => rateLimits[openai] ?? rateLimits[anthropic];
  const tokens = snapshot.tokens === null ? "input-tokens" : "tokens";
  return {
    requests: reading(
      snapshot.requests,
      sentAt,
      resolutionOf(reset("x-ratelimit-reset-requests", "anthropic-ratelimit-requests-reset")),
    ),
    tokens: reading(
      snapshot.tokens ?? snapshot.inputTokens,
      sentAt,
      resolutionOf(reset("x-ratelimit-reset-tokens", `anthropic-ratelimit-${tokens}-reset`)),
    ),
  };
}

/**
 * What the provider has left, with the fraction it rounds away: it reports whole units (the level
 * rounded down) but its reset, to the millisecond, says the level (C − r·T). Kept within the reported
 * unit and `fractionMargin` under the level, so a fit slightly off or a request admitted out of order
 * costs no 429; with coarse resets (Anthropic's whole seconds) the whole units as reported.
 */
export function preciseRemaining(
  reading: DimensionReading,
  shape: { capacity: number; rate: number },
): number {
  const { remaining, point } = reading;
  if (point === null || point.resolution * shape.rate > fractionMargin) return remaining;
  const level = shape.capacity - shape.rate * Math.max(0, point.timeToFull) - fractionMargin;
  return Math.min(remaining + 1 - fractionMargin, Math.max(remaining, level));
}

/** The share of a unit `preciseRemaining` stays under the level it reads. */
const fractionMargin = 0.25;
