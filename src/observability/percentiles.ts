/** A fixed-size ring of recent samples with percentile read-out. */
export class SampleRing {
  readonly #samples: Float64Array;
  #count = 0;
  #next = 0;

  constructor(size = 512) {
    this.#samples = new Float64Array(size);
  }

  add(value: number): void {
    this.#samples[this.#next] = value;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count += 1;
  }

  get count(): number {
    return this.#count;
  }

  /** Nearest-rank percentiles (p in 0–100) of the kept samples; null when empty. */
  percentiles(ps: readonly number[]): Array<number | null> {
    if (this.#count === 0) return ps.map(() => null);
    const sorted = Array.from(this.#samples.subarray(0, this.#count)).sort((a, b) => a - b);
    return ps.map(
      (p) =>
        sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null,
    );
  }

  clear(): void {
    this.#count = 0;
    this.#next = 0;
  }
}
