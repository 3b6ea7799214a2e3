import { bucketOf, bucketValue, type BucketLayout } from "./log-buckets.js";

/** The counts of one time slice: its index (`floor(t / sliceMs)`) and `[bucket, count, bucket, count, …]`. */
export interface SliceCounts {
  s: number;
  b: number[];
}

/** Percentiles of one metric over the window (ms), with the number of observations behind them. */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Slot {
  slice: number;
  total: number;
  counts: Uint32Array | null;
}

/**
 * A histogram over a sliding time window: a ring of `slices` time slices, each a fixed array of log
 * buckets, plus running totals. Adding is O(1); when time enters a new slice the slices that left the
 * window are subtracted (O(slices × buckets) once per slice, amortised O(1)); a percentile query walks
 * the totals once (O(buckets)). Memory is bounded by `slices × buckets` counters, allocated on first use.
 */
export class WindowHistogram {
  readonly layout: BucketLayout;
  readonly sliceMs: number;
  readonly #slots: Slot[];
  readonly #totals: Uint32Array;
  #count = 0;
  #current = -Infinity;

  constructor(layout: BucketLayout, sliceMs: number, slices: number) {
    this.layout = layout;
    this.sliceMs = sliceMs;
    this.#slots = Array.from({ length: slices }, () => ({ slice: -Infinity, total: 0, counts: null }));
    this.#totals = new Uint32Array(layout.count);
  }

  /** Observations in the window at the last `advance`. */
  get count(): number {
    return this.#count;
  }

  /** The current slice index at the last `advance`. */
  get currentSlice(): number {
    return this.#current;
  }

  /** Moves the window to `now`, dropping the slices that left it. */
  advance(now: number): void {
    const slice = Math.floor(now / this.sliceMs);
    if (slice <= this.#current) return;
    this.#current = slice;
    const oldest = slice - this.#slots.length + 1;
    for (const slot of this.#slots) if (slot.total > 0 && slot.slice < oldest) this.#clear(slot);
  }

  /** Counts `weight` observations of `valueMs` in the slice of `at` (dropped if that slice left the window). */
  add(valueMs: number, at: number, weight = 1): void {
    this.addToBucket(bucketOf(this.layout, valueMs), Math.floor(at / this.sliceMs), weight);
  }

  /** Counts observations straight into a bucket of a slice (for merging snapshots). */
  addToBucket(bucket: number, slice: number, weight: number): void {
    if (!(weight > 0) || bucket < 0 || bucket >= this.layout.count) return;
    if (slice > this.#current) this.advance(slice * this.sliceMs);
    if (slice <= this.#current - this.#slots.length) return;
    const slot = this.#slots[((slice % this.#slots.length) + this.#slots.length) % this.#slots.length]!;
    if (slot.slice !== slice) {
      if (slot.slice > slice) return; // older than what the slot holds: outside the window
      this.#clear(slot);
      slot.slice = slice;
    }
    slot.counts ??= new Uint32Array(this.layout.count);
    slot.counts[bucket]! += weight;
    slot.total += weight;
    this.#totals[bucket]! += weight;
    this.#count += weight;
  }

  /** p50, p95 and p99 over the window at `now`, or null without observations. */
  percentiles(now: number): Percentiles | null {
    this.advance(now);
    if (this.#count === 0) return null;
    const ranks = [0.5, 0.95, 0.99].map((q) => Math.max(1, Math.ceil(q * this.#count)));
    const values: number[] = [];
    let seen = 0;
    for (let bucket = 0; bucket < this.#totals.length && values.length < ranks.length; bucket += 1) {
      seen += this.#totals[bucket]!;
      while (values.length < ranks.length && seen >= ranks[values.length]!)
        values.push(bucketValue(this.layout, bucket));
    }
    return { count: this.#count, p50: values[0]!, p95: values[1]!, p99: values[2]! };
  }

  /** The live slices at `now`, sparse, oldest first. */
  slices(now: number): SliceCounts[] {
    this.advance(now);
    const live = this.#slots.filter((slot) => slot.total > 0 && slot.counts !== null);
    live.sort((a, b) => a.slice - b.slice);
    return live.map((slot) => {
      const pairs: number[] = [];
      slot.counts!.forEach((count, bucket) => {
        if (count > 0) pairs.push(bucket, count);
      });
      return { s: slot.slice, b: pairs };
    });
  }

  /** Adds sparse slices (from a snapshot with the same layout and slice length). */
  absorb(slices: readonly SliceCounts[]): void {
    for (const { s, b } of slices) {
      for (let index = 0; index + 1 < b.length; index += 2) this.addToBucket(b[index]!, s, b[index + 1]!);
    }
  }

  #clear(slot: Slot): void {
    if (slot.counts !== null) {
      for (let bucket = 0; bucket < slot.counts.length; bucket += 1) {
        const count = slot.counts[bucket]!;
        if (count === 0) continue;
        this.#totals[bucket]! -= count;
        slot.counts[bucket] = 0;
      }
    }
    this.#count -= slot.total;
    slot.total = 0;
  }
}
