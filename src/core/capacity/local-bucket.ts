import type { BucketCost } from "../../types/index.js";
import type { BucketPoint } from "./readings.js";
import { RefillFloor } from "./refill-floor.js";

/** Limits of what one node keeps per bucket. */
export interface LocalLimits {
  historySize: number;
  historyMs: number;
  inFlightExpiryMs: number;
}

/**
 * What one node keeps about one bucket besides the shared record: its requests in flight (for the
 * slow-start cap and the view) and its recent answers per dimension (for the estimator).
 */
export class LocalBucket {
  readonly inFlight = { requests: 0, tokens: 0, count: 0 };
  /** When this node last saw rate-limit headers on the bucket; 0: never. */
  headersAt = 0;
  /** This node's header-less successes and 429s: the refill floor of AIMD. */
  readonly refill: RefillFloor;
  readonly #points = { requests: [] as BucketPoint[], tokens: [] as BucketPoint[] };
  readonly #limits: LocalLimits;
  #activeAt = Number.NEGATIVE_INFINITY;
  /** Times of this node's recent takes (a ring), for the send rate at a first 429. */
  readonly #takes = new Float64Array(64);
  #takeCount = 0;
  /** Times of recent answers that were not 429s, for the rate the provider admitted at a first 429. */
  readonly #admitted = new Float64Array(64);
  #admittedCount = 0;

  constructor(limits: LocalLimits) {
    this.#limits = limits;
    this.refill = new RefillFloor({ historyMs: limits.historyMs });
  }

  /**
   * Drops the in-flight counts when nothing was charged or answered for `inFlightExpiryMs` (answers
   * lost: a denied take is no sign of life, or a node retrying forever would never recover).
   */
  expire(now: number): void {
    if (now - this.#activeAt <= this.#limits.inFlightExpiryMs) return;
    this.inFlight.requests = 0;
    this.inFlight.tokens = 0;
    this.inFlight.count = 0;
  }

  /** Counts a request (and its charge) in flight (`sign` 1) or out of it (`sign` -1) at `now`. */
  charge(cost: BucketCost, sign: 1 | -1, now: number): void {
    this.#activeAt = Math.max(this.#activeAt, now);
    const flight = this.inFlight;
    flight.count = Math.max(0, flight.count + sign);
    flight.requests = Math.max(0, flight.requests + sign * Math.max(0, cost.requests));
    flight.tokens = Math.max(0, flight.tokens + sign * Math.max(0, cost.tokens));
  }

  /** Notes a take (a request sent) at `now`. */
  noteTake(now: number): void {
    this.#takes[this.#takeCount % this.#takes.length] = now;
    this.#takeCount += 1;
  }

  /** Notes an answer the provider admitted (not a 429) at `now`. */
  noteAdmitted(now: number): void {
    this.#admitted[this.#admittedCount % this.#admitted.length] = now;
    this.#admittedCount += 1;
  }

  /** The rate the provider admitted this node's requests at lately (see `sendRate`); 0 when unknown. */
  admittedRate(now: number, windowMs: number): number {
    return rateOf(this.#admitted, this.#admittedCount, now, windowMs);
  }

  /**
   * This node's send rate over its recent takes (within the last `windowMs`), requests per ms; 0
   * with too few takes to tell (under 8).
   */
  sendRate(now: number, windowMs: number): number {
    return rateOf(this.#takes, this.#takeCount, now, windowMs);
  }

  addPoint(dimension: "requests" | "tokens", point: BucketPoint): void {
    const points = this.#points[dimension];
    points.push(point);
    if (points.length > this.#limits.historySize) points.splice(0, points.length - this.#limits.historySize);
  }

  /** The answers to fit at `now`: the newest, none older than `historyMs`. */
  points(dimension: "requests" | "tokens", now: number): BucketPoint[] {
    const since = now - this.#limits.historyMs;
    const points = this.#points[dimension];
    while (points.length > 0 && (points[0]?.at ?? 0) < since) points.shift();
    return points;
  }
}

/** Events per ms in a ring of times (within `windowMs` of `now`); 0 with fewer than 8 to tell. */
function rateOf(times: Float64Array, total: number, now: number, windowMs: number): number {
  const size = Math.min(total, times.length);
  let count = 0;
  let oldest = now;
  for (let index = 0; index < size; index += 1) {
    const at = times[index] ?? 0;
    if (now - at > windowMs) continue;
    count += 1;
    oldest = Math.min(oldest, at);
  }
  return count < 8 ? 0 : count / Math.max(now - oldest, 1_000);
}
