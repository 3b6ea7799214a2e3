import type { SettleRequest, SpendDimension, SpendRow, SpendTotals } from "./spend-types.js";

export const minuteMs = 60_000;
export const hourMs = 3_600_000;

/** The report key of one settled request in each dimension (no key dimension without a key). */
export function dimensionsOf(
  request: Pick<SettleRequest, "keyId" | "group" | "deploymentId">,
): [SpendDimension, string][] {
  const dimensions: [SpendDimension, string][] = [
    ["group", request.group],
    ["deployment", request.deploymentId],
  ];
  if (request.keyId !== null) dimensions.unshift(["key", request.keyId]);
  return dimensions;
}

export function totalsOf(request: SettleRequest): SpendTotals {
  return {
    nanoUsd: request.amountNanoUsd,
    requests: 1,
    promptTokens: request.promptTokens,
    completionTokens: request.completionTokens,
  };
}

export function addTotals(into: SpendTotals, more: SpendTotals): void {
  into.nanoUsd += more.nanoUsd;
  into.requests += more.requests;
  into.promptTokens += more.promptTokens;
  into.completionTokens += more.completionTokens;
}

/** Rows of a map of totals, largest spend first (then by name). */
export function rowsOf(totals: ReadonlyMap<string, SpendTotals>): SpendRow[] {
  return [...totals]
    .map(([name, sums]) => ({ name, ...sums }))
    .sort((a, b) => b.nanoUsd - a.nanoUsd || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The buckets a report since `since` reads when minute buckets are kept for `minuteRetentionMs` and
 * hour buckets longer: minutes from `since`'s minute up to the next whole hour, then whole hours up
 * to `now` (a `since` older than the minutes kept starts at its hour).
 */
export function reportBuckets(
  since: number,
  now: number,
  minuteRetentionMs: number,
): { minutes: number[]; hours: number[] } {
  const firstMinute = Math.floor(since / minuteMs) * minuteMs;
  const minutes: number[] = [];
  let hour = Math.ceil(firstMinute / hourMs) * hourMs;
  if (firstMinute >= now - minuteRetentionMs) {
    for (let minute = firstMinute; minute < hour && minute <= now; minute += minuteMs) minutes.push(minute);
  } else {
    hour = Math.floor(firstMinute / hourMs) * hourMs;
  }
  const hours: number[] = [];
  for (; hour <= now; hour += hourMs) hours.push(hour);
  return { minutes, hours };
}

type Bucket = Map<string, SpendTotals>;

/** `<dimension>\t<name>`: the field of one dimension's totals in a bucket. */
export function fieldOf(dimension: SpendDimension, name: string): string {
  return `${dimension}\t${name}`;
}

/**
 * Spend totals in minute buckets (kept `minuteRetentionMs`) and hour buckets (kept
 * `hourRetentionMs`), for reports by key, group or deployment since a time. Memory bounded by
 * retention × distinct keys, groups and deployments.
 */
export class SpendRollup {
  readonly #minutes = new Map<number, Bucket>();
  readonly #hours = new Map<number, Bucket>();
  readonly #minuteRetentionMs: number;
  readonly #hourRetentionMs: number;

  constructor(minuteRetentionMs = 2 * 86_400_000, hourRetentionMs = 400 * 86_400_000) {
    this.#minuteRetentionMs = minuteRetentionMs;
    this.#hourRetentionMs = hourRetentionMs;
  }

  add(request: SettleRequest): void {
    const totals = totalsOf(request);
    const minute = Math.floor(request.now / minuteMs) * minuteMs;
    const hour = Math.floor(request.now / hourMs) * hourMs;
    for (const [buckets, start] of [
      [this.#minutes, minute],
      [this.#hours, hour],
    ] as const) {
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = new Map();
        buckets.set(start, bucket);
        this.#prune(request.now);
      }
      for (const [dimension, name] of dimensionsOf(request)) {
        const field = fieldOf(dimension, name);
        const sums = bucket.get(field);
        if (sums) addTotals(sums, totals);
        else bucket.set(field, { ...totals });
      }
    }
  }

  report(by: SpendDimension, since: number, now: number): SpendRow[] {
    const { minutes, hours } = reportBuckets(since, now, this.#minuteRetentionMs);
    const totals = new Map<string, SpendTotals>();
    const prefix = `${by}\t`;
    const read = (bucket: Bucket | undefined) => {
      for (const [field, sums] of bucket ?? []) {
        if (!field.startsWith(prefix)) continue;
        const name = field.slice(prefix.length);
        const into = totals.get(name);
        if (into) addTotals(into, sums);
        else totals.set(name, { ...sums });
      }
    };
    for (const minute of minutes) read(this.#minutes.get(minute));
    for (const hour of hours) read(this.#hours.get(hour));
    return rowsOf(totals);
  }

  #prune(now: number): void {
    for (const start of this.#minutes.keys())
      if (start < now - this.#minuteRetentionMs - hourMs) this.#minutes.delete(start);
    for (const start of this.#hours.keys())
      if (start < now - this.#hourRetentionMs) this.#hours.delete(start);
  }
}
