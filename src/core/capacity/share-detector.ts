/** One answer on a bucket, as the detector compares consecutive ones. */
export interface ShareSample {
  /** When the answered request was sent. */
  sentAt: number;
  /** The provider's requests remaining right after it. */
  remaining: number;
  /** Its take's requests mark: every node's requests on the bucket up to and including it. */
  mark: number;
  /** The bucket's learned requests capacity and rate (per ms). */
  capacity: number;
  rate: number;
}

/** Decayed sums of a least-squares fit y = k·x + c·d (y: unexplained drop, x: other's sends, d: time). */
interface PairSums {
  xx: number;
  xd: number;
  dd: number;
  xy: number;
  dy: number;
  yy: number;
  count: number;
}

const keptSends = 4_096;
/** Answers compared are at least this far apart (more of the other's sends in between: more signal). */
const intervalMs = 2_000;
/** Weight of older intervals, per new one. */
const decay = 0.97;
const minimumIntervals = 8;
/** The other's sends must explain the drop one for one, within this. */
const slopeRange = [0.6, 1.4] as const;
/** Share of the drop left unexplained by elapsed time that the other's sends must explain. */
const minimumExplained = 0.5;

/** The requests counter (from this node's takes) of one bucket over time, oldest first, bounded. */
class MarkLog {
  readonly times: number[] = [];
  readonly marks: number[] = [];

  add(at: number, mark: number): void {
    this.times.push(at);
    this.marks.push(mark);
    if (this.times.length > keptSends) {
      this.times.splice(0, keptSends / 2);
      this.marks.splice(0, keptSends / 2);
    }
  }

  /** The counter as of `at` (the last take at or before it), or null before the log starts. */
  at(at: number): number | null {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.times[middle] ?? 0) <= at) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? null : (this.marks[low - 1] ?? null);
  }
}

/**
 * Spots buckets that are one bucket upstream (keys of one organisation, not configured as a quota
 * group): between two answers on bucket A, the provider's remaining falls by more than llmux sent on
 * A (every node's, by the marks) and time refilled — that unexplained drop is someone else's. When it
 * tracks, one for one, what llmux sent on bucket B meanwhile (and not merely the time that passed),
 * A shares B's quota.
 */
export class ShareDetector {
  readonly #logs = new Map<string, MarkLog>();
  readonly #previous = new Map<string, ShareSample>();
  readonly #pairs = new Map<string, Map<string, PairSums>>();

  /** A take on `key` at `at` left its requests counter at `mark`. */
  noteTake(key: string, at: number, mark: number): void {
    let log = this.#logs.get(key);
    if (!log) {
      log = new MarkLog();
      this.#logs.set(key, log);
    }
    log.add(at, mark);
  }

  /** An answer on `key`; compared with the one that started the current interval (at least `intervalMs` before). */
  observe(key: string, sample: ShareSample): void {
    const previous = this.#previous.get(key);
    if (previous && (sample.mark <= previous.mark || sample.sentAt - previous.sentAt < intervalMs)) return;
    this.#previous.set(key, sample);
    if (!previous || !(sample.rate > 0)) return;
    const elapsed = sample.sentAt - previous.sentAt;
    const refilled = previous.remaining + sample.rate * elapsed;
    // The bucket may have been full in between: what it lost then cannot be told.
    if (refilled >= sample.capacity) return;
    const unexplained = refilled - (sample.mark - previous.mark) - sample.remaining;
    for (const [other, log] of this.#logs) {
      if (other === key) continue;
      const from = log.at(previous.sentAt);
      const to = log.at(sample.sentAt);
      if (from === null || to === null) continue;
      this.#add(key, other, Math.max(0, to - from), elapsed, unexplained);
    }
  }

  /** The buckets whose sends explain this one's unexplained drops, sorted. */
  sharedWith(key: string): string[] {
    const pairs = this.#pairs.get(key);
    if (!pairs) return [];
    const shared: string[] = [];
    for (const [other, sums] of pairs) if (explains(sums)) shared.push(other);
    return shared.sort();
  }

  clear(): void {
    this.#logs.clear();
    this.#previous.clear();
    this.#pairs.clear();
  }

  #add(key: string, other: string, x: number, d: number, y: number): void {
    let pairs = this.#pairs.get(key);
    if (!pairs) {
      pairs = new Map();
      this.#pairs.set(key, pairs);
    }
    const sums = pairs.get(other) ?? { xx: 0, xd: 0, dd: 0, xy: 0, dy: 0, yy: 0, count: 0 };
    pairs.set(other, {
      xx: sums.xx * decay + x * x,
      xd: sums.xd * decay + x * d,
      dd: sums.dd * decay + d * d,
      xy: sums.xy * decay + x * y,
      dy: sums.dy * decay + d * y,
      yy: sums.yy * decay + y * y,
      count: sums.count + (x > 0 ? 1 : 0),
    });
  }
}

/** Whether the other's sends explain the drops one for one, beyond what elapsed time does. */
function explains(sums: PairSums): boolean {
  if (sums.count < minimumIntervals) return false;
  const determinant = sums.xx * sums.dd - sums.xd * sums.xd;
  if (!(determinant > 1e-9 * sums.xx * sums.dd)) return false;
  const slope = (sums.xy * sums.dd - sums.xd * sums.dy) / determinant;
  const perTime = (sums.xx * sums.dy - sums.xd * sums.xy) / determinant;
  if (slope < slopeRange[0] || slope > slopeRange[1]) return false;
  // Residual with time alone, and with the other's sends too.
  const timeOnly = sums.yy - (sums.dd > 0 ? (sums.dy * sums.dy) / sums.dd : 0);
  const both = sums.yy - slope * sums.xy - perTime * sums.dy;
  return timeOnly > 0 && (timeOnly - both) / timeOnly >= minimumExplained;
}
