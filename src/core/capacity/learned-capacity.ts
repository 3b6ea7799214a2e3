import type {
  AimdPolicy,
  BucketCost,
  BucketReading,
  BucketState,
  BucketTake,
  StateStore,
} from "../../types/index.js";
import { fitBucket, standardWindowsMs } from "./bucket-fit.js";
import { fitsAt, levelShare, slotsOver } from "./bucket-peek.js";
import { LocalBucket } from "./local-bucket.js";
import { answerReadings, preciseRemaining, type DimensionReading } from "./readings.js";
import { ShareDetector } from "./share-detector.js";
import type {
  CapacityDimensionView,
  CapacityObservation,
  CapacityTake,
  CapacityView,
  LearnedCapacityOptions,
} from "./types.js";

/**
 * AIMD defaults (tuned on the bucket model, limits 60–3,000 RPM, bursts 0.1–1): start at 1 request/s
 * with 1 s of burst, grow 50 %/s while the pace binds until the first 429, then 1 %/s; −40 % per
 * round of 429s.
 */
export const defaultAimdPolicy: AimdPolicy = {
  initialRate: 1 / 1_000,
  burstMs: 1_000,
  decrease: 0.6,
  increase: 0.01,
  slowStartIncrease: 0.5,
};

const minute = 60_000;
/** The pace's least burst once a refill floor is known: this share of a minute of it (5 s). */
const floorBurstShare = 1 / 12;
/** Growth above the refill floor, as a share of the policy's `increase`. */
const floorGrowth = 0.25;

/** Zero for anything that is not a positive amount. */
function charge(cost: BucketCost): BucketCost {
  return { requests: cost.requests > 0 ? cost.requests : 0, tokens: cost.tokens > 0 ? cost.tokens : 0 };
}

/**
 * The learned capacity of every bucket (a deployment, or a quota group's model, by key): llmux's
 * mirror of each provider-side token bucket, learned from the answers alone, shared by every node
 * through the StateStore.
 *
 * - `take` at send time reserves the request's cost (one store round trip) or says when it can; a
 *   bucket with nothing learned yet (or stale) lets only `slowStartInFlight` requests fly at once.
 * - `observe` on every answer: headers feed the estimator (`fitBucket`, per node) and correct the
 *   shared level; without headers, successes and 429s pace the bucket by AIMD.
 * - `blockedUntil`, `headroom`, `slotsWithin` and `view` read the local copy of the shared record.
 */
export class LearnedCapacity {
  readonly #store: StateStore;
  readonly #locals = new Map<string, LocalBucket>();
  readonly #detector = new ShareDetector();
  readonly #staleMs: number;
  readonly #slowStartInFlight: number;
  readonly #slowStartRetryMs: number;
  readonly #aimd: AimdPolicy;
  readonly #windows: readonly number[];
  readonly #minuteMs: number;
  readonly #limits: ConstructorParameters<typeof LocalBucket>[0];

  constructor(store: StateStore, options: LearnedCapacityOptions = {}) {
    this.#store = store;
    this.#staleMs = options.staleMs ?? 300_000;
    this.#slowStartInFlight = options.slowStartInFlight ?? 2;
    this.#slowStartRetryMs = options.slowStartRetryMs ?? 250;
    this.#aimd = { ...defaultAimdPolicy, ...options.aimd };
    this.#windows = options.windowsMs ?? standardWindowsMs;
    this.#minuteMs = options.minuteMs ?? minute;
    this.#limits = {
      historySize: options.historySize ?? 32,
      historyMs: options.historyMs ?? 600_000,
      inFlightExpiryMs: options.inFlightExpiryMs ?? 600_000,
    };
  }

  /**
   * At send: reserves `cost` on the bucket (its `mark` goes back with the answer), or says when it
   * can. `slowStart: false` skips the cap on a bucket with nothing learned yet (the caller knows
   * the deployment's limits from its configuration).
   */
  take(key: string, now: number, cost: BucketCost, slowStart = true): CapacityTake | Promise<CapacityTake> {
    const charged = charge(cost);
    if (charged.requests === 0 && charged.tokens === 0) return { ok: true, mark: null };
    const local = this.#local(key, now);
    if (slowStart && this.#capped(this.#store.bucket(key, now), local))
      return { ok: false, retryAt: now + this.#slowStartRetryMs, reason: "slow_start" };
    local.charge(charged, 1, now);
    local.noteTake(now);
    const result = this.#store.takeBucket(key, now, charged);
    if (result instanceof Promise)
      return result.then((taken) => this.#taken(key, local, charged, now, taken));
    return this.#taken(key, local, charged, now, result);
  }

  /** The request never reached the provider (connection refused, aborted before sending): gives `cost` back. */
  release(key: string, now: number, cost: BucketCost): void {
    const charged = charge(cost);
    this.#local(key, now).charge(charged, -1, now);
    if (charged.requests > 0 || charged.tokens > 0) this.#store.releaseBucket(key, now, charged);
  }

  /** Every answer (success, 429, failure after reaching the provider), once, when its headers arrive. */
  observe(key: string, observation: CapacityObservation): void {
    const { at, sentAt, mark } = observation;
    const local = this.#local(key, at);
    local.charge(charge(observation.cost), -1, at);
    if (observation.outcome === "success") local.noteAdmitted(at);
    const state = this.#store.bucket(key, at);
    const readings = answerReadings(observation.rateLimits, sentAt);
    if (readings.requests !== null || readings.tokens !== null) local.headersAt = at;
    const requests = this.#reading(local, state, "requests", readings.requests, at);
    const tokens = this.#reading(local, state, "tokens", readings.tokens, at);
    if (requests !== null && requests.remaining !== null && mark !== null) {
      const { capacity, rate, remaining } = requests;
      this.#detector.observe(key, { sentAt, remaining, mark: mark.requests, capacity, rate });
    }
    const headers = requests !== null || tokens !== null;
    if (!headers) this.#noteHeaderless(local, observation);
    const used = observation.usedTokens;
    // With a tokens reading the provider's remaining already holds its own charge: settling again would count it twice.
    const extraTokens =
      tokens?.remaining != null || used === null ? 0 : Math.max(0, used - observation.cost.tokens);
    this.#store.observeBucket(key, at, {
      sentAt,
      mark,
      rejected: observation.outcome === "rate_limited",
      requests,
      tokens,
      retryAt: observation.retryAfterMs === null ? null : at + observation.retryAfterMs,
      extraTokens,
      aimd: !headers && this.#pacesByAimd(state, local, observation) ? this.#aimdFor(state, local, at) : null,
    });
  }

  /** Non-mutating: null when the bucket can take `cost` now, else when it can (to skip it before choosing). */
  blockedUntil(key: string, now: number, cost: BucketCost, slowStart = true): number | null {
    const charged = charge(cost);
    if (charged.requests === 0 && charged.tokens === 0) return null;
    const state = this.#store.bucket(key, now);
    const local = this.#locals.get(key);
    if (slowStart && local && this.#capped(state, local)) return now + this.#slowStartRetryMs;
    return state === null ? null : fitsAt(state, now, charged);
  }

  /** The share of its capacity the bucket has left (0.02–1), to scale its selection weight. */
  headroom(key: string, now: number): number {
    const state = this.#store.bucket(key, now);
    return state === null ? 1 : Math.min(1, Math.max(0.02, levelShare(state)));
  }

  /** Requests of `cost` the bucket can take between now and `now + horizonMs` (Infinity while unknown). */
  slotsWithin(key: string, now: number, horizonMs: number, cost: BucketCost): number {
    const state = this.#store.bucket(key, now);
    return state === null ? Number.POSITIVE_INFINITY : Math.floor(slotsOver(state, horizonMs, charge(cost)));
  }

  /** What is learned about the bucket, for /status and /metrics. */
  view(key: string, now: number): CapacityView {
    const state = this.#store.bucket(key, now);
    const local = this.#locals.get(key);
    const dimension = (name: "requests" | "tokens"): CapacityDimensionView => {
      const known = state !== null && state[name].capacity > 0 ? state[name] : null;
      return {
        capacity: known?.capacity ?? null,
        refillPerMinute: known === null ? null : known.rate * minute,
        remaining: known?.level ?? null,
        inFlight: local?.inFlight[name] ?? 0,
      };
    };
    return {
      key,
      mode: state?.mode ?? "unknown",
      requests: dimension("requests"),
      tokens: dimension("tokens"),
      answers: state?.answers ?? 0,
      rejected: state?.rejected ?? 0,
      sharedWith: this.#detector.sharedWith(key),
      stale: state !== null && state.answers > 0 && now - state.observedAt > this.#staleMs,
      observedAt: state === null || state.observedAt === 0 ? null : state.observedAt,
    };
  }

  /** Forgets this node's part (in flight, answers, detection); the store's records stay. */
  clear(): void {
    this.#locals.clear();
    this.#detector.clear();
  }

  #local(key: string, now: number): LocalBucket {
    let local = this.#locals.get(key);
    if (!local) {
      local = new LocalBucket(this.#limits);
      this.#locals.set(key, local);
    }
    local.expire(now);
    return local;
  }

  /**
   * No answer seen yet and enough of this node's requests in flight. A
   * bucket that answered without headers and never said 429 is not capped: nothing limits it.
   */
  #capped(state: BucketState | null, local: LocalBucket): boolean {
    // Not after a quiet spell: a bucket left alone refills, so that is the best time to send.
    const learning = state === null || state.answers === 0;
    return learning && local.inFlight.count >= this.#slowStartInFlight;
  }

  /**
   * The AIMD policy for an answer without headers. A bucket entering AIMD (its first 429) starts
   * from the rate it was being sent at — the cut then takes it below what the provider refused —
   * rather than from the policy's slow initial rate.
   */
  #aimdFor(state: BucketState | null, local: LocalBucket, now: number): AimdPolicy | null {
    if (state !== null && state.mode === "aimd") return this.#withFloor(local, state.requests.rate);
    const window = this.#minuteMs / 6;
    const sent = local.sendRate(now, window);
    // Too few requests to tell a rate: a 429 at low volume is left to the cooldown.
    if (sent === 0) return null;
    // What the provider admitted lately is its refill rate, near enough, once it says 429: start a
    // little under it (the first cut takes the start down by `decrease`), else from what was sent.
    const admitted = local.admittedRate(now, window);
    const start = admitted > 0 ? (admitted * 0.95) / this.#aimd.decrease : sent;
    const policy = this.#withFloor(local, start);
    return start > policy.initialRate ? { ...policy, initialRate: start } : policy;
  }

  /** A header-less answer for the refill floor: a success sent at `sentAt`, or a 429 (when the bucket holds a unit again). */
  #noteHeaderless(local: LocalBucket, observation: CapacityObservation): void {
    if (observation.outcome === "success") local.refill.noteAdmitted(observation.sentAt);
    else if (observation.outcome === "rate_limited")
      local.refill.noteRejected({
        sentAt: observation.sentAt,
        x: observation.at + (observation.retryAfterMs ?? 0),
        exact: observation.retryAfterMs !== null,
      });
  }

  /**
   * The AIMD policy with this node's refill floor: a cut stops at it, the pace keeps
   * `floorBurstShare` of a minute of it as burst, and at or above it the rate grows `floorGrowth` as fast (the
   * provider's refill is near: probing it costs 429s).
   */
  #withFloor(local: LocalBucket, rate: number): AimdPolicy {
    const floor = local.refill.floor;
    if (floor <= 0) return this.#aimd;
    const increase = rate >= floor ? this.#aimd.increase * floorGrowth : this.#aimd.increase;
    return {
      ...this.#aimd,
      increase,
      floorRate: floor,
      minCapacity: floor * this.#minuteMs * floorBurstShare,
    };
  }

  #taken(key: string, local: LocalBucket, charged: BucketCost, now: number, taken: BucketTake): CapacityTake {
    if (!taken.ok) {
      local.charge(charged, -1, now);
      return { ok: false, retryAt: taken.retryAt, reason: taken.dimension };
    }
    this.#detector.noteTake(key, now, taken.mark.requests);
    return { ok: true, mark: taken.mark };
  }

  /** A dimension's reading for the store: the shape fitted from this node's answers (or known before) and the remaining. */
  #reading(
    local: LocalBucket,
    state: BucketState | null,
    name: "requests" | "tokens",
    reading: DimensionReading | null,
    now: number,
  ): BucketReading | null {
    if (reading === null) return null;
    if (reading.point !== null) local.addPoint(name, reading.point);
    const known = state !== null && state.mode === "headers" && state[name].capacity > 0 ? state[name] : null;
    const prior = known === null ? null : { capacity: known.capacity, rate: known.rate };
    const fit = fitBucket(local.points(name, now), prior, this.#windows, this.#minuteMs);
    if (fit !== null)
      return { capacity: fit.capacity, rate: fit.rate, remaining: preciseRemaining(reading, fit) };
    if (prior !== null) return { ...prior, remaining: preciseRemaining(reading, prior) };
    // A limit but no reset yet: the limit over a minute, full.
    if (reading.limit !== null && reading.limit > 0)
      return { capacity: reading.limit, rate: reading.limit / this.#minuteMs, remaining: reading.remaining };
    return null;
  }

  /**
   * Whether a headerless answer paces the bucket by AIMD: a 429 starts it (a bucket that never said
   * 429 needs no pacing), successes then grow it; never when headers came lately, nor a plain failure.
   */
  #pacesByAimd(state: BucketState | null, local: LocalBucket, observation: CapacityObservation): boolean {
    if (observation.outcome === "failed") return false;
    if (local.headersAt > 0 && observation.at - local.headersAt <= this.#staleMs) return false;
    if (observation.outcome === "success") return state !== null && state.mode === "aimd";
    return state === null || state.mode !== "headers";
  }
}
