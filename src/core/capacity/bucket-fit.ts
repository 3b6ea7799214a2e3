import type { BucketPoint } from "./readings.js";

/** A token bucket's shape: what it holds when full, and how fast it refills. */
export interface BucketShape {
  capacity: number;
  /** Units per ms. */
  rate: number;
}

/** A learned shape, with how many answers it rests on and the refill window it matched (if any). */
export interface BucketFit extends BucketShape {
  samples: number;
  /** `limit / rate` when the rate is the limit header over a standard window, else null. */
  windowMs: number | null;
}

/** Refill windows providers meter their limits over: per second, minute, hour and day. */
export const standardWindowsMs: readonly number[] = [1_000, 60_000, 3_600_000, 86_400_000];
/** A fitted rate this close (as a factor) to `limit / window` is that rate exactly. */
const snapFactor = 1.3;
/** Pairs of answers closer than this many resolutions in time-to-full do not give a slope. */
const spreadResolutions = 3;
const minimumSpreadMs = 50;
const minimumPairs = 3;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * The refill rate as the median of the pairwise slopes of R against T (Theil–Sen): robust to rounded
 * resets, out-of-order answers and outliers. Null without enough pairs far enough apart in T.
 */
export function theilSenRate(points: readonly BucketPoint[]): number | null {
  const resolution = Math.max(...points.map((point) => point.resolution));
  const spread = Math.max(minimumSpreadMs, spreadResolutions * resolution);
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i += 1) {
    for (let j = i + 1; j < points.length; j += 1) {
      const a = points[i];
      const b = points[j];
      if (!a || !b || Math.abs(b.timeToFull - a.timeToFull) < spread) continue;
      slopes.push((a.remaining - b.remaining) / (b.timeToFull - a.timeToFull));
    }
  }
  if (slopes.length < minimumPairs) return null;
  const rate = median(slopes);
  return rate > 0 && Number.isFinite(rate) ? rate : null;
}

/**
 * The capacity the points imply at `rate`. Providers report whole units (the level rounded down), so
 * each precise point says C lies in [R + r·T, R + 1 + r·T): with resets to the millisecond, the
 * highest of those lower ends while the intervals overlap — never above C, and up to it within a few
 * answers, as the fractions the provider rounded away differ (the median sits half a unit low); else,
 * or when they do not overlap (timing noise), the median of R + r·T.
 */
function capacityAt(points: readonly BucketPoint[], rate: number): number {
  const lows = points.map((point) => point.remaining + rate * point.timeToFull);
  if (points.every((point) => point.resolution * rate <= precise)) {
    const low = Math.max(...lows);
    if (low <= Math.min(...lows) + 1) return low;
  }
  return median(lows);
}

/** A point whose reset resolution is worth at most this share of a unit reads the level exactly. */
const precise = 0.05;

/** Whether `rate` keeps the implied capacity within the limit (allowing for the reset's rounding). */
function fitsLimit(points: readonly BucketPoint[], rate: number, limit: number | null): boolean {
  if (limit === null) return true;
  const resolution = Math.max(...points.map((point) => point.resolution));
  return capacityAt(points, rate) <= limit + rate * resolution + limit * 1e-9;
}

/**
 * Whether the answers move as a bucket's do: the time to full grows as the remaining falls (each
 * request takes a unit the refill has to bring back). In a fixed window both fall together as the
 * reset comes nearer. One answer says neither.
 */
function bucketLike(points: readonly BucketPoint[]): boolean {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i += 1)
    for (let j = i + 1; j < points.length; j += 1) {
      const a = points[i]!;
      const b = points[j]!;
      if (b.timeToFull !== a.timeToFull)
        slopes.push((a.remaining - b.remaining) / (b.timeToFull - a.timeToFull));
    }
  return slopes.length > 0 && median(slopes) > 0;
}

/** Whether refilling at `rate` for the time to full explains at least half of what is used of the limit. */
function explainsUsed(points: readonly BucketPoint[], rate: number, limit: number): boolean {
  const shares = points
    .filter((point) => point.remaining < limit)
    .map((point) => (rate * point.timeToFull) / (limit - point.remaining));
  return shares.length > 0 && median(shares) >= 0.5;
}

/** The standard window whose rate is within `snapFactor` of `rate`, as that rate. */
function snap(rate: number, limit: number | null, windows: readonly number[]): number | null {
  if (limit === null) return null;
  let best: number | null = null;
  for (const window of windows) {
    const candidate = limit / window;
    const factor = Math.max(candidate / rate, rate / candidate);
    if (factor <= snapFactor && (best === null || Math.abs(candidate - rate) < Math.abs(best - rate)))
      best = candidate;
  }
  return best;
}

function chooseRate(
  points: readonly BucketPoint[],
  limit: number | null,
  prior: BucketShape | null,
  windows: readonly number[],
  minuteMs: number,
): number | null {
  // With a limit header the rate is the limit over a standard window: a slope only picks which.
  const fitted = theilSenRate(points);
  if (fitted !== null) {
    if (limit === null) return fitted;
    const snapped = snap(fitted, limit, windows);
    if (snapped !== null) return snapped;
  }
  // No slope (or none near a standard window): the limit over a minute (or longer) window, the first
  // the answers allow (Anthropic's shorter enforcement keeps the minute's rate and shrinks the
  // capacity) — the safe guess, as a wrong one errs slow — unless what was learned before still fits.
  if (prior !== null && fitsLimit(points, prior.rate, limit)) return prior.rate;
  if (limit === null) return null;
  const perMinute = limit / (windows.find((window) => window >= minuteMs) ?? minuteMs);
  if (fitsLimit(points, perMinute, limit)) return perMinute;
  // Resets that all fall within a minute are read as a limit per minute even when a minute's bucket
  // does not explain them: a fixed one-minute window (some OpenAI-compatible servers) resets
  // everything at once, and limits per minute are by far the most common. (Groq's per-day requests
  // read so while few are used; once the time to full passes a minute, the day shows.)
  if (points.every((point) => point.timeToFull <= minuteMs * 1.05) && !bucketLike(points)) return perMinute;
  // A slower window (Groq's per-day requests) only when its refill explains what is missing from
  // the limit: in a bucket the limit is its size, so the time to full covers the units used.
  for (const window of windows)
    if (
      window > minuteMs &&
      fitsLimit(points, limit / window, limit) &&
      explainsUsed(points, limit / window, limit)
    )
      return limit / window;
  // None fits: the bucket is the whole limit and refills at what the answers say.
  const rate = median(points.map((point) => (limit - point.remaining) / point.timeToFull));
  return snap(rate, limit, windows) ?? rate;
}

/**
 * Learns a bucket's shape from answers: each one sent while the bucket was not full is a point on
 * R = C − r·T (remaining against time to full), whoever else draws on the bucket. The rate is the
 * robust slope, snapped to the limit header over a standard window (the slope itself without a limit
 * header); without a slope, the limit over a minute (Groq's per-day requests: over a day); the capacity is the
 * median intercept, at least any remaining seen and at most the limit. Null when nothing can be said.
 */
export function fitBucket(
  points: readonly BucketPoint[],
  prior: BucketShape | null,
  windows: readonly number[] = standardWindowsMs,
  minuteMs = 60_000,
): BucketFit | null {
  let limit: number | null = null;
  for (const point of points) if (point.limit !== null) limit = point.limit;
  const usable = points.filter(
    (point) => point.timeToFull > 0 && point.remaining >= 0 && (limit === null || point.remaining < limit),
  );
  if (usable.length === 0) return null;
  const rate = chooseRate(usable, limit, prior, windows, minuteMs);
  if (rate === null || !(rate > 0) || !Number.isFinite(rate)) return null;
  let capacity = Math.max(capacityAt(usable, rate), ...points.map((point) => point.remaining));
  if (limit !== null) capacity = Math.min(capacity, limit);
  const window = limit === null ? null : windows.find((candidate) => limit / candidate === rate);
  return { capacity, rate, samples: usable.length, windowMs: window ?? null };
}
