import { FixedWindow } from "./fixed-window.js";
import {
  checkBurst,
  checkKeyOptions,
  DIMENSIONS,
  hasLimits,
  ownerOf,
  type LimitDimension,
  type LimitOwner,
} from "./limit-owner.js";
import type { SimKeyOptions, SimLimiterKind, SimOrgOptions, SimRateLimitHeaders } from "./limit-types.js";
import type { Meter } from "./meter.js";
import { TokenBucket } from "./token-bucket.js";

/** What one request asks of the limits. */
export interface Charge {
  readonly key: string | null;
  /** The request's model (limits may be per model). */
  readonly model: string | null;
  /** Estimated prompt tokens. */
  readonly input: number;
  /** The completion allowance (`max_tokens` or the default). */
  readonly output: number;
  /**
   * When the request arrived (the limiter's clock otherwise): providers admit a request when it arrives
   * and answer it once generated, so the simulator's latency comes after the admission.
   */
  readonly at?: number;
}

/** One meter as the rate-limit headers report it. */
export interface MeterReport {
  readonly limit: number;
  /** Whole units left (after this request when admitted). */
  readonly remaining: number;
  /** Milliseconds until full again: a bucket refilled, a window over. */
  readonly resetMs: number;
}

/** The meters of a request's owner after its admission, for the rate-limit headers of each wire. */
export interface LimitState {
  readonly owner: LimitOwner;
  /** The request's model, when limits are per model. */
  readonly model: string | undefined;
  readonly meters: Partial<Record<LimitDimension, MeterReport>>;
  /** Which headers the key's answers carry. */
  readonly headers: SimRateLimitHeaders;
  /** Clock time of the admission. */
  readonly now: number;
}

/** The limiter's verdict on one request. */
export type Admission =
  | {
      readonly admitted: true;
      /** Undefined for keys without limits. */
      readonly state: LimitState | undefined;
      /** Tokens charged (input + output). */
      readonly charged: number;
    }
  | {
      readonly admitted: false;
      readonly state: LimitState;
      /** The first limit that refused the request. */
      readonly dimension: LimitDimension;
      /** That limit's value, what it had used and what the request asked of it. */
      readonly limit: number;
      readonly used: number;
      readonly requested: number;
      /** The request can never fit (it asks more than the limit's capacity). */
      readonly tooLarge: boolean;
      /** Milliseconds until every refusing limit can take the request (at least 1). */
      readonly retryMs: number;
    };

/** Settings of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  readonly kind: SimLimiterKind;
  readonly windowMs: number;
  readonly burst: number;
  readonly perModel: boolean;
  readonly countRejected: boolean;
  readonly dayMs: number;
  readonly dayOrigin: number;
  readonly clock: () => number;
}

function amountOf(dimension: LimitDimension, charge: Charge): number {
  if (dimension === "requests" || dimension === "requests-per-day") return 1;
  if (dimension === "input-tokens") return charge.input;
  if (dimension === "output-tokens") return charge.output;
  return charge.input + charge.output;
}

/**
 * The simulator's rate limits: per key, or per organisation shared by its keys; per model or for all of a
 * key's models together; per-minute limits metered by fixed windows or token buckets (see `SimLimiterKind`),
 * per-day quotas by fixed days. A request is admitted when every limit it draws on can take its whole charge,
 * and then charged on all of them; a rejected request takes nothing, unless `countRejected`.
 */
export class RateLimiter {
  readonly #keys = new Map<string, SimKeyOptions>();
  readonly #orgs = new Map<string, SimOrgOptions>();
  /** Meters by owner (and model), then dimension. */
  readonly #meters = new Map<string, Map<LimitDimension, Meter>>();
  readonly #options: RateLimiterOptions;

  constructor(options: RateLimiterOptions) {
    checkBurst("option", options.burst);
    this.#options = options;
  }

  /** Sets (or replaces) a key's options; meters whose limit did not change keep their counts. */
  setLimits(key: string, options: SimKeyOptions): void {
    checkKeyOptions(key, options);
    this.#keys.set(key, { ...options });
  }

  /** Sets (or replaces) an organisation's limits; meters whose limit did not change keep their counts. */
  setOrg(org: string, options: SimOrgOptions): void {
    checkBurst(`org "${org}"`, options.burst);
    this.#orgs.set(org, { ...options });
  }

  /** Whether the key was declared (by options or `setKey`). */
  isKnown(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Forgets every count (limits stay): buckets are full again, windows closed. */
  resetCounters(): void {
    this.#meters.clear();
  }

  /** Admits (and charges) a request, or rejects it. Keys without limits are always admitted. */
  admit(charge: Charge): Admission {
    const charged = charge.input + charge.output;
    const owner = charge.key === null ? undefined : ownerOf(charge.key, this.#keys, this.#orgs);
    if (owner === undefined || !hasLimits(owner.limits)) return { admitted: true, state: undefined, charged };
    const now = charge.at ?? this.#options.clock();
    const model = this.#options.perModel ? (charge.model ?? "") : undefined;
    const meters = this.#metersOf(owner, model, now);
    let refused: { dimension: LimitDimension; meter: Meter; amount: number; wait: number } | undefined;
    let retryMs = 0;
    // Every meter is asked, so windows that open together stay aligned.
    for (const [dimension, meter] of meters) {
      const amount = amountOf(dimension, charge);
      const wait = meter.waitMs(amount, now);
      if (wait <= 0) continue;
      refused ??= { dimension, meter, amount, wait };
      if (Number.isFinite(wait)) retryMs = Math.max(retryMs, wait);
    }
    if (refused === undefined) {
      for (const [dimension, meter] of meters) meter.take(amountOf(dimension, charge), now);
      return { admitted: true, state: this.#state(owner, model, meters, now), charged };
    }
    // A request that never fits is told the time until the limit is full again.
    if (retryMs === 0) retryMs = refused.meter.resetMs(now);
    const limit = refused.meter.limit;
    const used = limit - remainingOf(refused.meter, now);
    if (this.#options.countRejected) {
      for (const [dimension, meter] of meters)
        if (dimension === "requests" || dimension === "requests-per-day") meter.take(1, now);
    }
    return {
      admitted: false,
      state: this.#state(owner, model, meters, now),
      dimension: refused.dimension,
      limit,
      used,
      requested: refused.amount,
      tooLarge: !Number.isFinite(refused.wait),
      retryMs: Math.max(1, Math.ceil(retryMs - 1e-6)),
    };
  }

  /** The owner's meters for its current limits, in `DIMENSIONS` order, made (full) on first use or when a limit changed. */
  #metersOf(owner: LimitOwner, model: string | undefined, now: number): Array<[LimitDimension, Meter]> {
    const id = model === undefined ? owner.id : `${owner.id}\u0000${model}`;
    let meters = this.#meters.get(id);
    if (meters === undefined) {
      meters = new Map();
      this.#meters.set(id, meters);
    }
    const { kind, windowMs, dayMs, dayOrigin } = this.#options;
    const burst = kind === "bucket" ? (owner.limits.burst ?? this.#options.burst) : 1;
    const list: Array<[LimitDimension, Meter]> = [];
    for (const [dimension, option, period] of DIMENSIONS) {
      const limit = owner.limits[option];
      if (limit === undefined) continue;
      let meter = meters.get(dimension);
      const capacity = period === "day" ? limit : limit * burst;
      if (meter === undefined || meter.limit !== limit || meter.capacity !== capacity) {
        meter =
          period === "day"
            ? new FixedWindow(limit, dayMs, { kind: "aligned", origin: dayOrigin })
            : kind === "bucket"
              ? new TokenBucket(limit, windowMs, burst, now)
              : new FixedWindow(limit, windowMs, { kind: "first-use" });
        meters.set(dimension, meter);
      }
      list.push([dimension, meter]);
    }
    return list;
  }

  #state(
    owner: LimitOwner,
    model: string | undefined,
    meters: ReadonlyArray<[LimitDimension, Meter]>,
    now: number,
  ): LimitState {
    const reports: Partial<Record<LimitDimension, MeterReport>> = {};
    for (const [dimension, meter] of meters) {
      reports[dimension] = {
        limit: meter.limit,
        remaining: remainingOf(meter, now),
        resetMs: meter.resetMs(now),
      };
    }
    return { owner, model, meters: reports, headers: owner.headers, now };
  }
}

/** Whole units left (a bucket's fraction rounded down; a hair of float error is forgiven). */
function remainingOf(meter: Meter, now: number): number {
  return Math.max(0, Math.floor(meter.available(now) + 1e-9));
}

/** Shows only the end of a key, as OpenAI does. */
export function keyLabel(key: string): string {
  return key.length <= 4 ? key : `...${key.slice(-4)}`;
}
