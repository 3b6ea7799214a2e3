/**
 * Log-spaced latency buckets: bucket 0 holds everything up to `minMs`, bucket i ≥ 1 holds
 * [minMs·γ^(i−1), minMs·γ^i), the last bucket everything above. A bucket is reported by its geometric
 * middle, so any percentile is within ±(√γ − 1) of the true sample value (±3.9 % for γ = 1.08).
 */
export interface BucketLayout {
  /** Upper bound of bucket 0 in ms. */
  readonly minMs: number;
  /** Ratio between consecutive bucket bounds. */
  readonly gamma: number;
  /** Number of buckets. */
  readonly count: number;
}

/** 0.5 ms to about 40 minutes in 210 buckets of 8 %. */
export const defaultLayout: BucketLayout = Object.freeze({ minMs: 0.5, gamma: 1.08, count: 210 });

/** The bucket of a value (ms); non-finite or negative values go to bucket 0. */
export function bucketOf(layout: BucketLayout, valueMs: number): number {
  if (!(valueMs > layout.minMs)) return 0;
  const index = 1 + Math.floor(Math.log(valueMs / layout.minMs) / Math.log(layout.gamma));
  return Math.min(layout.count - 1, index);
}

/** The value reported for a bucket: its geometric middle (bucket 0: `minMs`). */
export function bucketValue(layout: BucketLayout, bucket: number): number {
  if (bucket <= 0) return layout.minMs;
  return layout.minMs * layout.gamma ** (bucket - 0.5);
}

/** Whether two layouts bucket alike (snapshots can only be merged between equal layouts). */
export function sameLayout(a: BucketLayout, b: BucketLayout): boolean {
  return a.minMs === b.minMs && a.gamma === b.gamma && a.count === b.count;
}
