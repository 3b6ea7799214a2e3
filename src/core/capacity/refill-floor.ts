/**
 * A lower bound of a header-less bucket's refill, from its 429s alone.
 *
 * At a 429 the provider's bucket held less than one unit; with a retry delay d (Gemini's RetryInfo,
 * Retry-After) it holds exactly one again at `at + d`. Between two 429s the bucket admitted every
 * success sent in between, refilled at r, and lost refill only while full, so for 429 points i < j
 * (x = when the bucket held a unit again, y = successes sent before the 429's request):
 *
 *   y_j − y_i = r · (x_j − x_i) + (L_i − L_j) − overflow,  L = what the bucket held over the point's unit
 *
 * With an exact delay both L are 0; without one each lies in [0, 1). So every pair gives
 * `r ≥ (Δy − slack) / Δx` (slack 0 or 1), equal to r when the bucket stayed drawn on between them —
 * a bound that holds whatever the pace was, and that the AIMD cut never goes under.
 */

/** One header-less 429. */
export interface RejectionPoint {
  /** When its request was sent. */
  sentAt: number;
  /** When the bucket held a unit again: the answer's time plus its retry delay (the answer's time without one). */
  x: number;
  /** Whether the retry delay was given (the bucket's level is then known exactly). */
  exact: boolean;
}

/** Limits of the log. */
export interface RefillFloorLimits {
  /** Points and successes older than this are dropped. */
  historyMs: number;
  /** 429 points kept (the newest). */
  points: number;
  /** Successes a pair must span to count (fewer make the bound too loose). */
  minSpan: number;
}

const defaultLimits: RefillFloorLimits = { historyMs: 600_000, points: 16, minSpan: 8 };
/** Successes kept at most; older ones are counted in `#dropped`. */
const maxSuccesses = 8_192;

/** The successes and 429s of one bucket without headers, and the refill floor they imply. */
export class RefillFloor {
  readonly #limits: RefillFloorLimits;
  /** Send times of admitted requests, ascending. */
  #successes: number[] = [];
  /** Successes dropped from the front (so counts stay absolute). */
  #dropped = 0;
  #points: RejectionPoint[] = [];
  #floor = 0;

  constructor(limits: Partial<RefillFloorLimits> = {}) {
    this.#limits = { ...defaultLimits, ...limits };
  }

  /** An admitted request sent at `sentAt`. */
  noteAdmitted(sentAt: number): void {
    // Before the first 429 only the count matters (pairs count what lies between two 429s).
    if (this.#points.length === 0 && this.#successes.length === 0) {
      this.#dropped += 1;
      return;
    }
    const list = this.#successes;
    let index = list.length;
    // Answers arrive nearly in send order: insert from the back.
    while (index > 0 && (list[index - 1] ?? 0) > sentAt) index -= 1;
    list.splice(index, 0, sentAt);
    if (list.length > maxSuccesses) {
      const extra = list.length - maxSuccesses;
      list.splice(0, extra);
      this.#dropped += extra;
    }
  }

  /** A 429 without headers; recomputes the floor. */
  noteRejected(point: RejectionPoint): void {
    this.#points.push(point);
    if (this.#points.length > this.#limits.points) this.#points.shift();
    this.#prune(point.x);
    this.#floor = this.#compute();
  }

  /** The refill floor, units per ms; 0 while no pair of 429s spans enough successes. */
  get floor(): number {
    return this.#floor;
  }

  #prune(now: number): void {
    const since = now - this.#limits.historyMs;
    while (this.#points.length > 0 && (this.#points[0]?.x ?? 0) < since) this.#points.shift();
    // Successes before the oldest point no longer matter but to count: keep the count, drop the times.
    const oldest = this.#points.reduce((min, point) => Math.min(min, point.sentAt), Number.POSITIVE_INFINITY);
    const list = this.#successes;
    let cut = 0;
    while (cut < list.length && (list[cut] ?? 0) < oldest && (list[cut] ?? 0) < since) cut += 1;
    if (cut > 0) {
      list.splice(0, cut);
      this.#dropped += cut;
    }
  }

  /** Successes sent before `at` (absolute count). */
  #before(at: number): number {
    const list = this.#successes;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((list[middle] ?? 0) < at) low = middle + 1;
      else high = middle;
    }
    return this.#dropped + low;
  }

  #compute(): number {
    const points = this.#points;
    let floor = 0;
    for (let i = 0; i < points.length; i += 1)
      for (let j = 0; j < points.length; j += 1) {
        const a = points[i]!;
        const b = points[j]!;
        const span = b.x - a.x;
        if (span <= 0) continue;
        const admitted = this.#before(b.sentAt) - this.#before(a.sentAt);
        if (admitted < this.#limits.minSpan) continue;
        const slack = a.exact && b.exact ? 0 : 1;
        floor = Math.max(floor, (admitted - slack) / span);
      }
    return floor;
  }
}
