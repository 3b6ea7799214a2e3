/**
 * Counts and gauges of one subject (a model group or a deployment) per time bucket, over a fixed
 * span: a ring of `size` buckets of `bucketMs` each (90 × 10 s = the last 15 minutes). A bucket is
 * reused when its time comes round again, so memory is fixed and an update is two array writes.
 */
export class SeriesRing {
  /** The absolute bucket number (`floor(time / bucketMs)`) each slot holds now; -1 = never used. */
  readonly #stamps: Float64Array;
  readonly #fields: Float64Array[];

  constructor(
    readonly bucketMs: number,
    readonly size: number,
    fieldCount: number,
  ) {
    this.#stamps = new Float64Array(size).fill(-1);
    this.#fields = Array.from({ length: fieldCount }, () => new Float64Array(size));
  }

  /** The absolute bucket number of `time`. */
  bucketOf(time: number): number {
    return Math.floor(time / this.bucketMs);
  }

  /** The slot of bucket `bucket`, cleared first when it still holds an older bucket. */
  #slot(bucket: number): number {
    const slot = bucket % this.size;
    if (this.#stamps[slot] !== bucket) {
      this.#stamps[slot] = bucket;
      for (const field of this.#fields) field[slot] = Number.NaN;
    }
    return slot;
  }

  /** Adds `amount` to `field` in the bucket of `time`. */
  add(field: number, time: number, amount = 1): void {
    const values = this.#fields[field];
    if (!values) return;
    const slot = this.#slot(this.bucketOf(time));
    const before = values[slot] ?? Number.NaN;
    values[slot] = Number.isNaN(before) ? amount : before + amount;
  }

  /** Keeps the largest `value` of `field` seen in the bucket of `time` (a gauge such as quota use). */
  max(field: number, time: number, value: number): void {
    const values = this.#fields[field];
    if (!values || Number.isNaN(value)) return;
    const slot = this.#slot(this.bucketOf(time));
    const before = values[slot] ?? Number.NaN;
    values[slot] = Number.isNaN(before) ? value : Math.max(before, value);
  }

  /**
   * The values of `field` in the `count` buckets ending with bucket `last` (oldest first). A bucket
   * nothing was recorded in reads as `empty` (0 for counts, null for gauges).
   */
  window(field: number, last: number, count: number, empty: number | null): Array<number | null> {
    const values = this.#fields[field];
    const out: Array<number | null> = [];
    for (let bucket = last - count + 1; bucket <= last; bucket += 1) {
      const slot = ((bucket % this.size) + this.size) % this.size;
      const value = values?.[slot];
      out.push(this.#stamps[slot] === bucket && value !== undefined && !Number.isNaN(value) ? value : empty);
    }
    return out;
  }
}
